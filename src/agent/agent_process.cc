#include "agent/agent_process.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "agent/edge_socket.h"
#include "agent/page.h"
#include "agent/status.h"
#include "edge/locate.h"
#include "util/error.h"
#include "util/state_dir.h"

namespace slipway::agent {

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

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The stacks and their schedules. A stack that cannot be loaded (a malformed Compose file or
// schedule) is kept aside with its error, for the page and the log: the others still run.
struct Stacks {
  std::vector<compose::Project> projects;
  std::vector<StackSpec> schedules;
  std::vector<NotifyConfig> notify;
  std::vector<std::pair<std::string, std::string>> broken;
};

Stacks load_stacks(const std::vector<std::pair<std::string, compose::LoadOptions>>& list) {
  Stacks out;
  for (const auto& [name, o] : list) {
    try {
      compose::Project p = compose::load(o);
      StackSpec spec = read_schedule(p);
      NotifyConfig notify = read_notify(p, edge::file_locator(p.config_files));
      out.projects.push_back(std::move(p));
      out.schedules.push_back(std::move(spec));
      out.notify.push_back(std::move(notify));
    } catch (const UserError& e) {
      std::cerr << "slipway agent: " << name << ": " << e.what() << " (this stack is not scheduled)\n";
      out.broken.push_back({name, e.what()});
    }
  }
  return out;
}

// Stacks that ask for the page through their edge (x-slipway.agent, checked by deploy).
bool wants_edge_page(const compose::Project& p) {
  auto x = p.model.find("x-slipway");
  if (x == p.model.end() || !x->is_object()) return false;
  auto agent = x->find("agent");
  return agent != x->end() && agent->is_object() && agent->contains("route");
}

}  // namespace

int run_agent_process(const engine::Engine& engine, const ProcessOptions& f) {
  // Signals go to one thread that asks the agent to stop; every other thread (jobs, the HTTP
  // server) inherits the blocked mask, so a signal never lands in the middle of their work.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // An idle agent should hold little memory: one malloc arena for every thread (the HTTP
  // thread and job threads would each get their own), and freed memory returned after work.
  mallopt(M_ARENA_MAX, 1);

  Stacks stacks = load_stacks(f.stacks);
  if (stacks.projects.empty() && f.no_http) throw UserError(stacks.broken.front().second);
  std::vector<compose::Project>& projects = stacks.projects;
  std::vector<StackSpec>& schedules = stacks.schedules;

  AgentOptions options;
  options.slipway = f.slipway;
  options.commands = f.commands;
  options.run_now = f.run_now;
  RunLog log;
  // Notifications only for stacks that ask for them.
  Notifications notifications(f.senders,
                              [](const std::string& line) { std::cerr << "slipway agent: " << line << "\n"; });
  bool notifying = false;
  for (size_t i = 0; i < projects.size(); ++i) {
    std::vector<std::string> jobs;
    for (const auto& j : schedules[i].jobs) jobs.push_back(j.name);
    notifying |= !stacks.notify[i].empty();
    notifications.add_stack(projects[i].name, stacks.notify[i], log, jobs);
  }
  options.on_finished = [&](const Due& due, const std::string& outcome, const std::string& detail, int64_t now) {
    if (notifying) notifications.on_finished(due.stack, due.job, outcome, detail, now);
    malloc_trim(0);  // a job's captured output (up to 256 KiB and more) goes back to the system
  };
  if (notifying) options.on_wake = [&](int64_t now) { return notifications.on_wake(now); };
  Agent agent(schedules, log, options);

  std::unique_ptr<HttpServer> server;
  std::unique_ptr<EdgeSocketRelay> edge_relay;
  RunLog page_log;  // its own connection: the server thread reads while the loop writes
  DefaultSources sources;
  DiskUsage disk;
  RepositoryUsage repository;
  int64_t started = now_seconds();
  std::mutex page_mutex;
  auto status = [&] {
    std::lock_guard lock(page_mutex);
    StatusContext ctx{&projects, &schedules,       &engine, &page_log, &sources,
                      &disk,     agent.snapshot(), 0,       started,   stacks.broken};
    ctx.notify = notifying ? &notifications : nullptr;
    ctx.repository = &repository;
    ctx.now = now_seconds();
    return collect_status(ctx);
  };
  if (!f.no_http) {
    auto [address, port] = parse_listen(f.listen);
    std::string token_file = f.token_file.empty() ? state_directory() + "/agent.token" : f.token_file;
    std::string token = read_or_make_token(token_file);
    auto routes =
        status_routes(status, token, [&](const std::string& s, const std::string& j) { return agent.run_now(s, j); });
    server = std::make_unique<HttpServer>(address, port, [routes](const HttpRequest& r) {
      HttpResponse response = routes(r);
      malloc_trim(0);  // what rendering the page took goes back to the system at once
      return response;
    });
    notifications.set_page_url(server->url() + "/");
    std::cerr << "slipway agent: status page at " << server->url() << "/ (API token in " << token_file << ")\n";
    std::vector<std::string> edge_sockets;
    for (const auto& p : projects)
      if (wants_edge_page(p)) edge_sockets.push_back(edge_socket_path(state_directory(), p.name));
    if (!edge_sockets.empty())
      edge_relay = std::make_unique<EdgeSocketRelay>(edge_sockets, server->address(), server->port(),
                                                     [](const std::string& line) {
                                                       std::cerr << "slipway agent: " << line << "\n";
                                                     });
  }
  for (const auto& u : agent.snapshot().upcoming)
    std::cerr << "slipway agent: next " << u.job << " of " << u.stack << " in " << human_age(u.at - started) << "\n";
  // What loading the stacks and starting took goes back to the system before the long sleep.
  malloc_trim(0);

  std::atomic<bool> signalled{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    signalled = true;
    if (sig != 0) std::cerr << "slipway agent: stopping (" << strsignal(sig) << "); running jobs finish or abort\n";
    agent.request_stop();
  });
  agent.run();
  edge_relay.reset();
  server.reset();
  // The signal thread still waits in sigwait unless a signal stopped the agent: wake it.
  if (!signalled) pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return 0;
}

}  // namespace slipway::agent
