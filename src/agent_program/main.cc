// slipway-agent: the lean agent program. `slipway agent` reads its flags and then becomes this
// program (execve, same pid), so the process that idles between jobs links only what idling
// and serving the status page need: the scheduler and run log (SQLite), the page
// (civetweb), Compose loading (libyaml) and an engine client that speaks plain HTTP/1.1 on
// the engine's socket (engine/http1.h). The jobs themselves, and notifications that need TLS,
// are children running the full slipway binary, so libcurl, OpenSSL, libarchive and the rest are
// never mapped into the idle agent (docs/agent.md, "Why a separate program").
//
// Its options are `slipway agent`'s, spelled out by that command, plus what only the full
// binary knows: --slipway PATH (the binary the jobs run) and --commands LIST (the commands it
// has). Not meant to be started by hand.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/agent_process.h"
#include "agent/notify_child.h"
#include "compose/loader.h"
#include "engine/client.h"
#include "util/error.h"

namespace {

using namespace slipway;

struct Flags {
  std::vector<std::string> files, env_files, profiles, stacks, run_now;
  std::string project_name, project_directory, host, listen = "127.0.0.1:8477", token_file, slipway, commands;
  bool no_http = false;
};

Flags parse(int argc, char** argv) {
  Flags f;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--no-http") {
      f.no_http = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      f.stacks.push_back(a);
      continue;
    }
    if (i + 1 >= args.size()) throw UserError("slipway-agent: " + a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--file") f.files.push_back(v);
    else if (a == "--env-file") f.env_files.push_back(v);
    else if (a == "--profile") f.profiles.push_back(v);
    else if (a == "--run-now") f.run_now.push_back(v);
    else if (a == "--project-name") f.project_name = v;
    else if (a == "--project-directory") f.project_directory = v;
    else if (a == "--host") f.host = v;
    else if (a == "--listen") f.listen = v;
    else if (a == "--token-file") f.token_file = v;
    else if (a == "--slipway") f.slipway = v;
    else if (a == "--commands") f.commands = v;
    else throw UserError("slipway-agent: unknown option " + a + " (start the agent with `slipway agent`)");
  }
  if (f.slipway.empty()) throw UserError("slipway-agent: --slipway PATH is required (start the agent with `slipway agent`)");
  return f;
}

int run(const Flags& f) {
  agent::ProcessOptions options;
  std::vector<std::string> dirs = f.stacks.empty() ? std::vector<std::string>{""} : f.stacks;
  for (const auto& d : dirs) {
    compose::LoadOptions o;
    o.environment = compose::process_environment();
    if (d.empty()) {
      o.files = f.files;
      o.project_name = f.project_name;
      o.project_directory = f.project_directory;
    } else {
      o.project_directory = std::filesystem::absolute(d).string();
    }
    o.env_files = f.env_files;
    o.profiles = f.profiles;
    options.stacks.push_back({d.empty() ? std::filesystem::current_path().string() : d, std::move(o)});
  }
  options.listen = f.listen;
  options.token_file = f.token_file;
  options.run_now = f.run_now;
  options.no_http = f.no_http;
  options.slipway = f.slipway;
  std::stringstream names(f.commands);
  for (std::string c; std::getline(names, c, ',');)
    if (!c.empty()) options.commands.insert(c);
  options.senders = agent::child_senders(f.slipway);
  engine::ClientOptions co;
  co.host = f.host;
  engine::Client client(co);
  return agent::run_agent_process(client, options);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const slipway::Error& e) {
    std::fprintf(stderr, "slipway: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "slipway: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slipway: internal error: %s (please report this)\n", e.what());
    return 1;
  }
}
