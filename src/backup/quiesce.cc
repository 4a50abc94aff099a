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
#include <limits>
#include <thread>

#include "util/parse.h"

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

// Our direct children (restic, mostly), from /proc: run_process does not expose their ids.
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const auto& e = *it;
    auto pid = parse_int(e.path().filename().string(), 1, std::numeric_limits<pid_t>::max());
    if (!pid) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == getpid() && state != 'Z')
      out.push_back(static_cast<pid_t>(*pid));
  }
  return out;
}

// The NUL-separated arguments of a process ("" when it is gone).
std::vector<std::string> arguments_of(const fs::path& proc_dir) {
  std::ifstream in(proc_dir / "cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> out;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    out.push_back(all.substr(start, end - start));
    start = end + 1;
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
  std::lock_guard<std::mutex> critical(critical_);  // a critical step finishes first
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

QuiesceGuard::QuiesceGuard(const engine::Engine& client, Journal* journal, std::function<void(const std::string&)> say)
    : client_(client.share()), journal_(journal), say_(std::move(say)) {
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
  if (journal_) journal_->update([&](JournalRecord& r) { r.quiesced.push_back(a); });
}

void QuiesceGuard::journal_remove(const Action& a) {
  if (!journal_) return;
  try {
    journal_->update([&](JournalRecord& r) {
      for (auto it = r.quiesced.begin(); it != r.quiesced.end(); ++it)
        if (it->id == a.id) {
          r.quiesced.erase(it);
          break;
        }
    });
  } catch (const std::exception&) {
    // The container runs; a stale entry only makes recovery check it once more.
  }
}

void QuiesceGuard::pause(const std::string& id, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  Action a{id, what, false};
  // Journal first: if we die between the two steps, recovery unpauses a running container,
  // which is harmless; the other order could leave a paused container nobody knows about.
  journal_add(a);
  try {
    client_->pause_container(id);
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
  client_->stop_container(id, timeout_seconds);
  if (say_) say_("stopped " + what);
}

std::vector<std::string> QuiesceGuard::resume_all() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> problems;
  while (!actions_.empty()) {
    Action a = actions_.back();
    actions_.pop_back();
    try {
      if (a.stopped)
        client_->start_container(a.id);
      else
        client_->unpause_container(a.id);
      journal_remove(a);
      if (say_) say_((a.stopped ? "started " : "resumed ") + a.what);
    } catch (const std::exception& e) {
      // An unpause of a container that is no longer paused (someone else resumed it) is fine.
      bool fine = false;
      try {
        auto info = client_->inspect_container(a.id);
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

std::string resume_quiesced(const engine::Engine& client, const QuiescedRecord& q) {
  auto info = client.find_container(q.id);
  if (!info) return "";
  const auto& st = (*info)["State"];
  std::string name = q.what.empty() ? info->value("Name", q.id) : q.what;
  if (st.value("Paused", false)) {
    client.unpause_container(q.id);
    return "resumed " + name + " (left paused)";
  }
  if (q.stopped && !st.value("Running", false)) {
    client.start_container(q.id);
    return "started " + name + " (left stopped)";
  }
  return "";
}

int stop_orphaned_programs(const std::vector<std::string>& markers, int grace_ms) {
  if (markers.empty()) return 0;
  auto matching = [&] {
    std::vector<pid_t> out;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
      const auto& e = *it;
      auto pid = parse_int(e.path().filename().string(), 1, std::numeric_limits<pid_t>::max());
      if (!pid || *pid == getpid()) continue;
      bool hit = false;
      for (const auto& arg : arguments_of(e.path()))
        for (const auto& m : markers) hit = hit || (!m.empty() && arg.rfind(m, 0) == 0);
      if (hit) out.push_back(static_cast<pid_t>(*pid));
    }
    return out;
  };
  auto pids = matching();
  for (pid_t p : pids) kill(p, SIGINT);
  for (int waited = 0; waited < grace_ms && !matching().empty(); waited += 50)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (pid_t p : matching()) kill(p, SIGKILL);
  for (int i = 0; i < 40 && !matching().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return static_cast<int>(pids.size());
}

}  // namespace slipway::backup
