#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <set>

#include "util/error.h"

extern char** environ;

namespace slipway {
namespace {

// Closes on scope exit so every error path leaves no descriptor behind.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw EnvError(std::string("cannot create a pipe: ") + std::strerror(errno));
  read_end.fd = p[0];
  write_end.fd = p[1];
}

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// posix_spawnp reports a missing program only through the child's exit status on some libcs,
// so look it up ourselves first to give a clear message.
std::string find_program(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) return is_executable_file(program) ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = end > start ? dirs.substr(start, end - start) : std::string(".");
    std::string candidate = dir + "/" + program;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    if (extra.count(name)) continue;
    env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

// should_stop's escalation: stop_signal once, SIGKILL after the grace period.
struct StopState {
  bool signalled = false;
  bool killed = false;
  std::chrono::steady_clock::time_point since;
};

void stop_when_asked(pid_t pid, const SubprocessOptions& options, StopState& stop) {
  if (stop.killed) return;
  if (!stop.signalled) {
    if (!options.should_stop()) return;
    ::kill(pid, options.stop_signal);
    stop.signalled = true;
    stop.since = std::chrono::steady_clock::now();
  } else if (std::chrono::steady_clock::now() - stop.since > std::chrono::seconds(options.stop_grace_seconds)) {
    ::kill(pid, SIGKILL);
    stop.killed = true;
  }
}

}  // namespace

bool program_exists(const std::string& program) { return !find_program(program).empty(); }

SubprocessResult run_process(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  if (argv.empty()) throw EnvError("run_process: empty command");
  std::string program = find_program(argv[0]);
  if (program.empty()) throw EnvError(argv[0] + " not found (install it, e.g. run scripts/setup)");

  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (options.stdin_data) make_pipe(in_r, in_w);
  if (options.capture_stdout || options.on_stdout) make_pipe(out_r, out_w);
  if (options.capture_stderr || options.on_stderr) make_pipe(err_r, err_w);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in_r.fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  } else {
    // A child must never wait on our terminal's input unless it was asked to.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (out_w.fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  if (err_w.fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
  if (!options.working_directory.empty()) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory.c_str());
#else
    posix_spawn_file_actions_destroy(&actions);
    throw EnvError("run_process: working_directory is not supported on this C library");
#endif
  }

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with default signal handling even if we ignore SIGPIPE.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> env = build_environment(options.extra_env);
  std::vector<char*> cenv;
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT && !options.working_directory.empty())
      throw EnvError("cannot start " + argv[0] + ": directory " + options.working_directory + " does not exist");
    throw EnvError("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();

  SubprocessResult result;
  const std::string& input = options.stdin_data ? *options.stdin_data : std::string();
  size_t written = 0;
  if (in_w.fd >= 0) {
    ::fcntl(in_w.fd, F_SETFL, ::fcntl(in_w.fd, F_GETFL) | O_NONBLOCK);
    if (input.empty()) in_w.reset();
  }

  char buf[65536];
  StopState stop;
  // A callback that throws must not leave the child running or unreaped.
  struct Reaper {
    pid_t pid;
    int signal;
    bool armed = true;
    ~Reaper() {
      if (!armed) return;
      ::kill(pid, signal);
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  } reaper{pid, options.stop_signal};
  while (in_w.fd >= 0 || out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in_w.fd >= 0) {
      idx_in = n;
      fds[n++] = {in_w.fd, POLLOUT, 0};
    }
    if (out_r.fd >= 0) {
      idx_out = n;
      fds[n++] = {out_r.fd, POLLIN, 0};
    }
    if (err_r.fd >= 0) {
      idx_err = n;
      fds[n++] = {err_r.fd, POLLIN, 0};
    }
    int ready = ::poll(fds, n, options.should_stop ? 100 : -1);
    if (options.should_stop) stop_when_asked(pid, options, stop);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (idx_in >= 0 && fds[idx_in].revents) {
      if (fds[idx_in].revents & (POLLERR | POLLHUP)) {
        in_w.reset();  // the child closed its stdin; the rest of the input is not wanted
      } else {
        // MSG_NOSIGNAL does not apply to pipes; write() to a closed pipe raises SIGPIPE, so
        // block it for this write only.
        sigset_t pipe_set, old_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
        ssize_t w = ::write(in_w.fd, input.data() + written, input.size() - written);
        int saved = errno;
        if (w < 0 && saved == EPIPE) {
          timespec zero{0, 0};
          sigtimedwait(&pipe_set, nullptr, &zero);  // drop the pending SIGPIPE
        }
        pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && saved != EAGAIN && saved != EINTR) || written >= input.size()) in_w.reset();
      }
    }
    auto drain = [&](int idx, Fd& fd, bool capture, const std::function<void(const std::string&)>& cb,
                     std::string& sink) {
      if (idx < 0 || !fds[idx].revents) return;
      ssize_t r = ::read(fd.fd, buf, sizeof buf);
      if (r > 0) {
        std::string chunk(buf, static_cast<size_t>(r));
        if (cb) cb(chunk);
        if (capture) sink += chunk;
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        fd.reset();
      }
    };
    drain(idx_out, out_r, options.capture_stdout, options.on_stdout, result.out);
    drain(idx_err, err_r, options.capture_stderr, options.on_stderr, result.err);
  }

  reaper.armed = false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw EnvError("waiting for " + argv[0] + ": " + std::strerror(errno));
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

}  // namespace slipway
