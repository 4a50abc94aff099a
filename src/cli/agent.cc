// `slipway agent [STACK_DIR...]`: the long-running process that runs each stack's scheduled
// jobs (backup, drill, update --check, drift, forget) and serves the status page, the JSON API
// and /metrics on 127.0.0.1 (agent/agent.h, agent/page.h). SIGTERM/SIGINT stop it cleanly:
// a running job finishes its step or undoes it, and is recorded as aborted.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "agent/notify.h"
#include "agent/page.h"
#include "agent/status.h"
#include "cli/common.h"
#include "edge/locate.h"
#include "util/state_dir.h"

namespace slipway::cli {
namespace {

struct AgentFlags {
  std::vector<std::string> stacks;
  std::string listen = "127.0.0.1:8477";
  std::string token_file;
  std::vector<std::string> run_now;
  bool no_http = false;
};

std::string self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "slipway" : p.string();
}

// The API token: read from the file, or made (32 random bytes, hex) and written with mode 0600.
std::string read_or_make_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (in && std::getline(in, token) && !token.empty()) return token;
  std::random_device rd;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 64; ++i) token += hex[rd() % 16];
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw EnvError("cannot write the agent's token to " + path + " (choose another with --token-file)");
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw EnvError("cannot write the agent's token to " + path);
  return token;
}

// The stacks and their schedules. A stack that cannot be loaded (a malformed Compose file or
// schedule) is kept aside with its error, for the page and the log: the others still run.
struct Stacks {
  std::vector<compose::Project> projects;
  std::vector<agent::StackSpec> schedules;
  std::vector<agent::NotifyConfig> notify;
  std::vector<std::pair<std::string, std::string>> broken;
};

Stacks load_stacks(const GlobalOptions& global, const std::vector<std::string>& dirs) {
  Stacks out;
  std::vector<std::string> list = dirs.empty() ? std::vector<std::string>{""} : dirs;
  for (const auto& d : list) {
    compose::LoadOptions o = global.load_options();
    if (!d.empty()) {
      o.files.clear();
      o.project_name.clear();
      o.project_directory = std::filesystem::absolute(d).string();
    }
    try {
      compose::Project p = compose::load(o);
      agent::StackSpec spec = agent::read_schedule(p);
      agent::NotifyConfig notify = agent::read_notify(p, edge::file_locator(p.config_files));
      out.projects.push_back(std::move(p));
      out.schedules.push_back(std::move(spec));
      out.notify.push_back(std::move(notify));
    } catch (const UserError& e) {
      std::string name = d.empty() ? std::filesystem::current_path().string() : d;
      std::cerr << "slipway agent: " << name << ": " << e.what() << " (this stack is not scheduled)\n";
      out.broken.push_back({name, e.what()});
    }
  }
  return out;
}

int run_agent(GlobalOptions& global, const AgentFlags& f) {
  // Signals go to one thread that asks the agent to stop; every other thread (jobs, the HTTP
  // server) inherits the blocked mask, so a signal never lands in the middle of their work.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // An idle agent should hold little memory: one malloc arena for every thread (the HTTP
  // thread and job threads would each get their own), and freed memory returned after work.
  mallopt(M_ARENA_MAX, 1);

  Stacks stacks = load_stacks(global, f.stacks);
  if (stacks.projects.empty() && f.no_http) throw UserError(stacks.broken.front().second);
  std::vector<compose::Project>& projects = stacks.projects;
  std::vector<agent::StackSpec>& schedules = stacks.schedules;
  engine::Client client = connect_engine(global, /*ping=*/false);

  agent::AgentOptions options;
  options.slipway = self_path();
  for (const auto& c : commands()) options.commands.insert(c.name);
  options.run_now = f.run_now;
  agent::RunLog log;
  // Notifications only for stacks that ask for them: without any, libcurl's TLS is never loaded.
  agent::Notifications notifications(agent::curl_senders(),
                                     [](const std::string& line) { std::cerr << "slipway agent: " << line << "\n"; });
  bool notifying = false;
  for (size_t i = 0; i < projects.size(); ++i) {
    std::vector<std::string> jobs;
    for (const auto& j : schedules[i].jobs) jobs.push_back(j.name);
    notifying |= !stacks.notify[i].empty();
    notifications.add_stack(projects[i].name, stacks.notify[i], log, jobs);
  }
  options.on_finished = [&](const agent::Due& due, const std::string& outcome, const std::string& detail,
                            int64_t now) {
    if (notifying) notifications.on_finished(due.stack, due.job, outcome, detail, now);
    malloc_trim(0);  // a job's captured output (up to 256 KiB and more) goes back to the system
  };
  if (notifying) options.on_wake = [&](int64_t now) { return notifications.on_wake(now); };
  agent::Agent agent(schedules, log, options);

  std::unique_ptr<agent::HttpServer> server;
  agent::RunLog page_log;  // its own connection: the server thread reads while the loop writes
  agent::DefaultSources sources;
  agent::DiskUsage disk;
  agent::RepositoryUsage repository;
  int64_t started =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::mutex page_mutex;
  auto status = [&] {
    std::lock_guard lock(page_mutex);
    agent::StatusContext ctx{&projects, &schedules,       &client, &page_log, &sources,
                             &disk,     agent.snapshot(), 0,       started,   stacks.broken};
    ctx.notify = notifying ? &notifications : nullptr;
    ctx.repository = &repository;
    ctx.now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return agent::collect_status(ctx);
  };
  if (!f.no_http) {
    auto [address, port] = agent::parse_listen(f.listen);
    std::string token_file = f.token_file.empty() ? state_directory() + "/agent.token" : f.token_file;
    std::string token = read_or_make_token(token_file);
    auto routes = agent::status_routes(status, token,
                                       [&](const std::string& s, const std::string& j) { return agent.run_now(s, j); });
    server = std::make_unique<agent::HttpServer>(address, port, [routes](const agent::HttpRequest& r) {
      agent::HttpResponse response = routes(r);
      malloc_trim(0);  // what rendering the page took goes back to the system at once
      return response;
    });
    notifications.set_page_url(server->url() + "/");
    std::cerr << "slipway agent: status page at " << server->url() << "/ (API token in " << token_file << ")\n";
  }
  for (const auto& u : agent.snapshot().upcoming)
    std::cerr << "slipway agent: next " << u.job << " of " << u.stack << " in " << agent::human_age(u.at - started)
              << "\n";

  std::atomic<bool> signalled{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    signalled = true;
    if (sig != 0) std::cerr << "slipway agent: stopping (" << strsignal(sig) << "); running jobs finish or abort\n";
    agent.request_stop();
  });
  agent.run();
  server.reset();
  // The signal thread still waits in sigwait unless a signal stopped the agent: wake it.
  if (!signalled) pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return 0;
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

const bool registered = register_command({"agent", 90, setup_agent});

}  // namespace
}  // namespace slipway::cli
