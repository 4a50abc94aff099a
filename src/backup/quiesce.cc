#include "backup/quiesce.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void watch(Interrupts* self) {
  sigset_t set = handled_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  self->run_all();
  // End the process the way the signal would have, so the exit status tells what happened.
  signal(sig, SIG_DFL);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  raise(sig);
  _exit(128 + sig);
}

bool process_alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// Our direct children (restic, mostly), from /proc: run_process does not expose their ids.
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == getpid() && state != 'Z')
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// A restic left running after we are gone would commit a snapshot read partly after the
// services were resumed; SIGINT makes restic abort without one and remove its lock.
void terminate_children() {
  auto pids = children();
  for (pid_t p : pids) kill(p, SIGINT);
  for (int i = 0; i < 100 && !children().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

Interrupts& Interrupts::install() {
  static Interrupts* instance = new Interrupts();
  static std::mutex mu;
  static pid_t watching = 0;
  std::lock_guard<std::mutex> lock(mu);
  // A forked child inherits the blocked mask but not the watcher thread: start its own.
  if (watching != getpid()) {
    sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watch, instance).detach();
    watching = getpid();
  }
  return *instance;
}

int Interrupts::add(std::function<void()> cleanup) {
  std::lock_guard<std::mutex> lock(mu_);
  cleanups_.emplace_back(next_, std::move(cleanup));
  return next_++;
}

void Interrupts::remove(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  cleanups_.erase(std::remove_if(cleanups_.begin(), cleanups_.end(), [&](const auto& c) { return c.first == id; }),
                  cleanups_.end());
}

void Interrupts::run_all() {
  terminate_children();
  std::vector<std::pair<int, std::function<void()>>> todo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    todo.swap(cleanups_);
  }
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
    try {
      it->second();
    } catch (...) {
      // Best effort: the other cleanups must still run.
    }
  }
}

QuiesceGuard::QuiesceGuard(engine::Client client, std::string journal_dir, std::function<void(const std::string&)> say)
    : client_(std::move(client)), journal_dir_(std::move(journal_dir)), say_(std::move(say)) {
  interrupt_id_ = Interrupts::install().add([this] { resume_all(); });
}

QuiesceGuard::~QuiesceGuard() {
  Interrupts::install().remove(interrupt_id_);
  try {
    resume_all();
  } catch (...) {
  }
}

void QuiesceGuard::journal_add(const Action& a) {
  if (journal_dir_.empty()) return;
  std::error_code ec;
  fs::create_directories(journal_dir_, ec);
  std::ofstream out(fs::path(journal_dir_) / a.id);
  out << getpid() << " " << (a.stopped ? "stop" : "pause") << "\n";
  if (!out) throw EnvError("cannot write the quiesce journal in " + journal_dir_ + " (is the state directory writable?)");
}

void QuiesceGuard::journal_remove(const Action& a) {
  if (journal_dir_.empty()) return;
  std::error_code ec;
  fs::remove(fs::path(journal_dir_) / a.id, ec);
}

void QuiesceGuard::pause(const std::string& id, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  Action a{id, what, false};
  // Journal first: if we die between the two steps, recovery unpauses a running container,
  // which is harmless; the other order could leave a paused container nobody knows about.
  journal_add(a);
  try {
    client_.pause_container(id);
  } catch (...) {
    journal_remove(a);
    throw;
  }
  actions_.push_back(a);
  if (say_) say_("paused " + what);
}

void QuiesceGuard::stop(const std::string& id, const std::string& what, int timeout_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Action a{id, what, true};
  journal_add(a);
  actions_.push_back(a);  // even a failed stop may have stopped it: start it again in any case
  client_.stop_container(id, timeout_seconds);
  if (say_) say_("stopped " + what);
}

std::vector<std::string> QuiesceGuard::resume_all() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> problems;
  while (!actions_.empty()) {
    Action a = actions_.back();
    actions_.pop_back();
    try {
      if (a.stopped) client_.start_container(a.id);
      else client_.unpause_container(a.id);
      journal_remove(a);
      if (say_) say_((a.stopped ? "started " : "resumed ") + a.what);
    } catch (const std::exception& e) {
      // An unpause of a container that is no longer paused (someone else resumed it) is fine.
      bool fine = false;
      try {
        auto info = client_.inspect_container(a.id);
        fine = info["State"].value("Running", false) && !info["State"].value("Paused", false);
      } catch (...) {
      }
      if (fine) {
        journal_remove(a);
        continue;
      }
      problems.push_back("could not " + std::string(a.stopped ? "start " : "unpause ") + a.what + ": " + e.what());
    }
  }
  return problems;
}

std::vector<std::string> recover_quiesced(const engine::Client& client, const std::string& journal_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (journal_dir.empty() || !fs::is_directory(journal_dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(journal_dir, ec)) {
    std::ifstream in(entry.path());
    long pid = 0;
    std::string how;
    in >> pid >> how;
    if (process_alive(static_cast<pid_t>(pid))) continue;
    std::string id = entry.path().filename().string();
    try {
      auto info = client.find_container(id);
      if (info) {
        const auto& st = (*info)["State"];
        if (how == "pause" && st.value("Paused", false)) client.unpause_container(id);
        else if (how == "stop" && !st.value("Running", false)) client.start_container(id);
        out.push_back("resumed container " + info->value("Name", id) + " left " +
                      (how == "stop" ? "stopped" : "paused") + " by an interrupted slipway (pid " +
                      std::to_string(pid) + ")");
      }
      fs::remove(entry.path(), ec);
    } catch (const std::exception& e) {
      out.push_back("could not resume container " + id + ": " + e.what());
    }
  }
  return out;
}

}  // namespace slipway::backup
