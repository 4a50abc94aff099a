// `slipway agent [STACK_DIR...]`: the long-running process that runs each stack's scheduled
// jobs (backup, drill, update --check, drift, forget) and serves the status page, the JSON API
// and /metrics on 127.0.0.1 (agent/agent_process.h). SIGTERM/SIGINT stop it cleanly: a running
// job finishes its step or undoes it, and is recorded as aborted. After reading its flags this
// process becomes the lean program slipway-agent (src/agent_program/), which links none of the
// libraries only the other commands need.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "agent/agent_process.h"
#include "agent/notify.h"
#include "agent/notify_child.h"
#include "cli/common.h"
#include "cli/self_path.h"
#include "util/ssh_target.h"

namespace slipway::cli {
namespace {

struct AgentFlags {
  std::vector<std::string> stacks;
  std::string listen = "127.0.0.1:8477";
  std::string token_file;
  std::vector<std::string> run_now;
  bool no_http = false;
};

// The lean agent program: beside this binary (a build tree), or in ../libexec/slipway (the
// Debian package). "" when there is none.
std::string lean_program(const std::string& self) {
  std::filesystem::path dir = std::filesystem::path(self).parent_path();
  for (const auto& p : {dir / "slipway-agent", dir / ".." / "libexec" / "slipway" / "slipway-agent"})
    if (::access(p.c_str(), X_OK) == 0) return std::filesystem::weakly_canonical(p).string();
  return "";
}

std::vector<std::string> stack_dirs(const AgentFlags& f) {
  return f.stacks.empty() ? std::vector<std::string>{""} : f.stacks;
}

// The argv of slipway-agent: this command's options spelled out, and what only this binary
// knows (its own path, for the jobs, and the commands it has).
std::vector<std::string> lean_argv(const std::string& program, const std::string& self, const GlobalOptions& global,
                                   const AgentFlags& f) {
  std::vector<std::string> argv{program, "--slipway", self};
  auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  for (const auto& v : global.files) add("--file", v);
  add("--project-name", global.project_name);
  add("--project-directory", global.project_directory);
  for (const auto& v : global.env_files) add("--env-file", v);
  for (const auto& v : global.profiles) add("--profile", v);
  add("--host", global.host);
  add("--listen", f.listen);
  add("--token-file", f.token_file);
  for (const auto& v : f.run_now) add("--run-now", v);
  if (f.no_http) argv.push_back("--no-http");
  std::string names;
  for (const auto& c : commands()) names += (names.empty() ? "" : ",") + c.name;
  add("--commands", names);
  for (const auto& d : f.stacks) argv.push_back(d);
  return argv;
}

int run_agent(GlobalOptions& global, const AgentFlags& f) {
  std::string self = self_path();
  // The idle agent is the lean program (docs/agent.md, "Why a separate program"): this process
  // becomes it (same pid, so systemd and signals see no difference) and none of this binary's
  // libraries stay mapped. An ssh:// engine needs this binary's transport: then it runs here.
  const char* docker_host = std::getenv("DOCKER_HOST");
  std::string host = !global.host.empty() ? global.host : docker_host ? docker_host : "";
  std::string program = lean_program(self);
  if (SshTarget::is_ssh(host)) {
    std::cerr << "slipway agent: the engine is reached over ssh://: running in this process (slipway-agent "
                 "speaks to a local engine only)\n";
  } else if (program.empty()) {
    std::cerr << "slipway agent: slipway-agent is not installed beside " << self
              << " (nor in ../libexec/slipway): running in this process, which takes more memory\n";
  } else {
    std::vector<std::string> argv = lean_argv(program, self, global, f);
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    ::execv(program.c_str(), c_argv.data());
    std::cerr << "slipway agent: cannot start " << program << " (" << std::strerror(errno)
              << "); running in this process instead\n";
  }
  agent::ProcessOptions options;
  for (const auto& d : stack_dirs(f)) {
    compose::LoadOptions o = global.load_options();
    if (!d.empty()) {
      o.files.clear();
      o.project_name.clear();
      o.project_directory = std::filesystem::absolute(d).string();
    }
    options.stacks.push_back({d.empty() ? std::filesystem::current_path().string() : d, std::move(o)});
  }
  options.listen = f.listen;
  options.token_file = f.token_file;
  options.run_now = f.run_now;
  options.no_http = f.no_http;
  options.slipway = self;
  for (const auto& c : commands()) options.commands.insert(c.name);
  options.senders = agent::curl_senders();
  engine::Client client = connect_engine(global, /*ping=*/false);
  return agent::run_agent_process(client, options);
}

// `slipway agent-notify`: one notification from the lean agent (agent/notify_child.h), the
// request on stdin. Prints the error line and exits 1 when it could not be delivered.
int run_agent_notify() {
  std::string request((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::string error = agent::serve_notify_request(request, agent::curl_senders());
  if (error.empty()) return 0;
  std::cout << error << "\n";
  return 1;
}

void setup_agent(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<AgentFlags>();
  CLI::App* sub = app.add_subcommand("agent", "Run scheduled jobs and serve a status page (a long-running process)");
  sub->footer(
      "Runs each stack's jobs on the schedule in x-slipway.schedule (cron-like, UTC, with jitter):\n"
      "  backup daily 03:00, drill Sundays 04:00, update --check daily 05:00, drift hourly,\n"
      "  forget after each successful backup. Never two jobs of one stack at once; a run missed\n"
      "  while the agent was down is caught up once at start. Every run is recorded in slipway's\n"
      "  state database.\n"
      "Serves http://127.0.0.1:8477/ (--listen): the status page; GET /api/status and /metrics\n"
      "  need `Authorization: Bearer TOKEN` (the token file is made on first start).\n"
      "Examples:\n"
      "  slipway agent                          the stack in the current directory\n"
      "  slipway agent /srv/shop /srv/mail      several stacks\n"
      "  slipway agent --run-now drift          run a job once at start, then follow the schedule\n"
      "SIGTERM or SIGINT: no new job starts, a running job finishes or aborts cleanly, then exit 0.");
  sub->add_option("stacks", f->stacks, "Stack directories (default: the project of -f/--project-directory)");
  sub->add_option("--listen", f->listen, "Address and port of the status page (127.0.0.1:8477; port 0: any)");
  sub->add_option("--token-file", f->token_file, "File holding the API token (default: STATE_DIR/agent.token)");
  sub->add_option("--run-now", f->run_now, "Run this job of every stack once at start (repeatable)");
  sub->add_flag("--no-http", f->no_http, "Serve no status page");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_agent(global, *f); }; });
}

void setup_agent_notify(CLI::App& app, GlobalOptions&, std::function<int()>& run) {
  CLI::App* sub = app.add_subcommand("agent-notify", "Send one notification for the agent (request on stdin)");
  sub->group("");  // not for people: slipway-agent runs it
  sub->callback([&run] { run = [] { return run_agent_notify(); }; });
}

const bool registered = register_command({"agent", 90, setup_agent});
const bool registered_notify = register_command({"agent-notify", 91, setup_agent_notify});

}  // namespace
}  // namespace slipway::cli
