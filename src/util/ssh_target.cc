#include "util/ssh_target.h"

#include <cstdlib>

#include "util/error.h"

namespace slipway {
namespace {

bool plain_name(const std::string& s) {
  if (s.empty() || s[0] == '-') return false;  // a leading dash would read as an ssh option
  for (unsigned char c : s)
    if (c <= ' ' || c == '/' || c == '@' || c == '\'' || c == '"' || c == '\\' || c == 0x7f) return false;
  return true;
}

}  // namespace

bool SshTarget::is_ssh(const std::string& address) { return address.rfind("ssh://", 0) == 0; }

SshTarget SshTarget::parse(const std::string& address) {
  auto bad = [&](const std::string& why) {
    return UserError("'" + address + "': " + why + " (use ssh://user@host[:port][/path/to/stack])");
  };
  if (!is_ssh(address)) throw bad("not an ssh:// address");
  SshTarget t;
  t.address = address;
  std::string rest = address.substr(6);
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    t.path = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (t.path.size() > 1 && t.path.back() == '/') t.path.pop_back();
    if (t.path == "/") t.path.clear();
  }
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    t.user = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (!plain_name(t.user)) throw bad("the user name is empty or has characters ssh would misread");
  }
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) throw bad("an IPv6 address needs its closing ]");
    t.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') throw bad("unexpected text after the IPv6 address");
    if (!rest.empty()) t.port = rest.substr(1);
  } else if (auto colon = rest.find(':'); colon != std::string::npos) {
    t.host = rest.substr(0, colon);
    t.port = rest.substr(colon + 1);
  } else {
    t.host = rest;
  }
  if (!plain_name(t.host) && t.host.find(':') == std::string::npos) throw bad("no host name given");
  if (!t.port.empty()) {
    if (t.port.find_first_not_of("0123456789") != std::string::npos || t.port.size() > 5 ||
        std::atoi(t.port.c_str()) < 1 || std::atoi(t.port.c_str()) > 65535)
      throw bad("the port must be a number from 1 to 65535");
  }
  return t;
}

std::vector<std::string> SshTarget::ssh_argv(const std::vector<std::string>& words) const {
  // BatchMode: never a password or passphrase prompt (there is no one to answer it);
  // ConnectTimeout: an unreachable host fails in seconds, not minutes.
  std::vector<std::string> argv = {"ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
  if (const char* config = std::getenv("SLIPWAY_SSH_CONFIG"); config && *config) {
    argv.push_back("-F");
    argv.push_back(config);
  }
  if (!port.empty()) argv.insert(argv.end(), {"-p", port});
  if (!user.empty()) argv.insert(argv.end(), {"-l", user});
  argv.push_back("--");
  argv.push_back(host);
  for (const auto& w : words) argv.push_back(shell_quote(w));
  return argv;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace slipway
