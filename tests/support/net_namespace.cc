#include "support/net_namespace.h"

#include <random>
#include <stdexcept>
#include <vector>

#include "util/subprocess.h"

namespace slipway::testsupport {
namespace {

void must(const std::vector<std::string>& argv) {
  auto r = run_process(argv);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("network namespace: " + cmd + "failed: " + r.err);
  }
}

}  // namespace

NetNamespace::NetNamespace(const std::string& prefix) {
  std::random_device rd;
  char id[16];
  std::snprintf(id, sizeof id, "%06x", rd() & 0xffffff);
  id_ = id;
  name_ = prefix + "-" + id_;
  std::string compact;
  for (char c : prefix)
    if (c != '-') compact += c;
  veth_host_ = compact + id_ + "h";
  veth_inner_ = compact + id_ + "n";
  unsigned n = rd();
  std::string net = "10." + std::to_string(200 + n % 50) + "." + std::to_string((n >> 8) & 0xff) + ".";
  unsigned base = ((n >> 16) & 0x3f) * 4;
  host_address_ = net + std::to_string(base + 1);
  inner_address_ = net + std::to_string(base + 2);
  try {
    must({"ip", "netns", "add", name_});
    must({"ip", "link", "add", veth_host_, "type", "veth", "peer", "name", veth_inner_});
    must({"ip", "link", "set", veth_inner_, "netns", name_});
    must({"ip", "addr", "add", host_address_ + "/30", "dev", veth_host_});
    must({"ip", "link", "set", veth_host_, "up"});
    must({"ip", "-n", name_, "addr", "add", inner_address_ + "/30", "dev", veth_inner_});
    must({"ip", "-n", name_, "link", "set", veth_inner_, "up"});
    must({"ip", "-n", name_, "link", "set", "lo", "up"});
  } catch (...) {
    remove();
    throw;
  }
}

NetNamespace::~NetNamespace() { remove(); }

void NetNamespace::remove() {
  run_process({"ip", "link", "del", veth_host_});
  run_process({"ip", "netns", "del", name_});
}

}  // namespace slipway::testsupport
