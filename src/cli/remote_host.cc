#include "cli/remote_host.h"

#include <cstdlib>
#include <iostream>
#include <set>

#include "util/error.h"
#include "util/ssh_target.h"
#include "util/subprocess.h"

namespace slipway::cli {
namespace {

const std::set<std::string> kTunnelled = {"ps", "logs"};
const std::set<std::string> kOnServer = {"history", "snapshots"};

// slipway's arguments without -H/--host (the server's slipway talks to its own engine).
std::vector<std::string> without_host(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-H" || a == "--host") {
      ++i;
      continue;
    }
    if (a.rfind("--host=", 0) == 0 || (a.rfind("-H", 0) == 0 && a.size() > 2)) continue;
    out.push_back(a);
  }
  return out;
}

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto nl = text.find_last_of('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace

std::optional<int> run_on_ssh_host(const std::string& host, const std::string& command,
                                   const std::vector<std::string>& args) {
  if (kTunnelled.count(command)) return std::nullopt;
  if (!kOnServer.count(command))
    throw UserError("-H " + host + ": `" + command +
                    "` does not run over ssh; only ps, logs, history and snapshots do (deploy with `slipway push`, "
                    "run other commands on the server)");
  SshTarget target = SshTarget::parse(host);
  const char* remote = std::getenv("SLIPWAY_REMOTE_SLIPWAY");  // where slipway is on the server
  std::vector<std::string> words = {remote && *remote ? remote : "slipway"};
  if (!target.path.empty()) words.insert(words.end(), {"--project-directory", target.path});
  for (const auto& a : without_host(args)) words.push_back(a);
  SubprocessOptions o;
  o.capture_stdout = false;  // the server's output, as it comes
  auto r = run_process(target.ssh_argv(words), o);
  // ssh exits 255 for its own failures (unreachable, refused key, host key); the rest is the
  // server's slipway, whose messages are passed on as they are.
  if (r.exit_code == 255)
    throw EnvError("cannot reach " + host + " through ssh: " + last_line(r.err) +
                   " (check the address and that your key is accepted: ssh -o BatchMode=yes HOST true)");
  if (r.exit_code == 127)
    throw EnvError(host + ": slipway is not installed on the server (or set SLIPWAY_REMOTE_SLIPWAY to its path)");
  std::cerr << r.err;
  return r.exit_code;
}

}  // namespace slipway::cli
