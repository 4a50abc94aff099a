#include "server/push_repo.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "util/error.h"
#include "util/ssh_target.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway::server {
namespace {

namespace fs = std::filesystem;

const std::string kZero(40, '0');
// git's well-known empty tree: what a first push that failed leaves in the stack directory.
const std::string kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

SubprocessResult git(const std::vector<std::string>& args, const SubprocessOptions& o = {}) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, o);
}

void git_or_throw(const std::vector<std::string>& args, const SubprocessOptions& o = {}) {
  auto r = git(args, o);
  if (r.exit_code != 0) {
    std::string what;
    for (const auto& a : args) what += " " + a;
    throw EnvError("git" + what + " failed: " + first_line(r.err.empty() ? r.out : r.err));
  }
}

void write_hook(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".slipway-tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) throw EnvError("cannot write " + tmp.string());
  }
  fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  fs::rename(tmp, path);  // a push arriving meanwhile sees the old hook or the new, never half
}

// Git's variables from the hook's environment, removed from ours so the deploy (and what it
// runs) sees a plain environment; the git commands here get them back explicitly.
std::map<std::string, std::string> take_git_environment() {
  std::map<std::string, std::string> env;
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("GIT_", 0) != 0) continue;
    auto eq = kv.find('=');
    env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    names.push_back(kv.substr(0, eq));
  }
  for (const auto& n : names) ::unsetenv(n.c_str());
  return env;
}

class HookRepo {
 public:
  HookRepo() : dir_(fs::current_path().string()), env_(take_git_environment()) {
    env_["GIT_DIR"] = dir_;
    stack_ = config("slipway.stack");
    branch_ = config("slipway.branch");
    if (stack_.empty())
      throw UserError(dir_ + ": slipway.stack is not set (make the repository with `slipway serve-repo`)");
    if (branch_.empty()) branch_ = "main";
  }
  const std::string& stack() const { return stack_; }
  const std::string& branch() const { return branch_; }

  // The stack directory's files become `commit`'s; files of the previous commit that it does
  // not have are removed, files git never tracked (.env, secrets) are left alone.
  void write_tree(const std::string& commit) {
    SubprocessOptions o;
    o.extra_env = env_;
    o.extra_env["GIT_WORK_TREE"] = stack_;
    o.extra_env["GIT_INDEX_FILE"] = dir_ + "/slipway-stack.index";
    git_or_throw({"read-tree", "--reset", "-u", commit}, o);
  }

 private:
  std::string config(const std::string& key) {
    SubprocessOptions o;
    o.extra_env = env_;
    return first_line(git({"config", "--get", key}, o).out);
  }
  std::string dir_;
  std::map<std::string, std::string> env_;
  std::string stack_, branch_;
};

// One push at a time per repository: the second waits for the first one's deploy.
class PushLock {
 public:
  PushLock(const std::string& path, const std::function<void(const std::string&)>& say) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw EnvError("cannot open " + path);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      say("another push is deploying; waiting for it");
      ::flock(fd_, LOCK_EX);
    }
  }
  ~PushLock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

bool deploy_commit(HookRepo& repo, const ReceiveOptions& o, const std::string& old_commit,
                   const std::string& new_commit) {
  o.say("slipway: deploying " + new_commit.substr(0, 12) + " in " + repo.stack());
  fs::create_directories(repo.stack());
  repo.write_tree(new_commit);
  SubprocessOptions run;
  run.working_directory = repo.stack();
  run.capture_stdout = false;  // the hook's output goes to the pusher as it happens
  run.capture_stderr = false;
  run.stdin_data = std::string();  // the rest of git's ref list is not the deploy's input
  run.extra_env["SLIPWAY_SOURCE_COMMIT"] = new_commit;
  // --build: a push that changes a Dockerfile or its context must rebuild (unchanged images
  // are up to date and cost nothing).
  auto r = run_process({o.slipway_binary, "deploy", "--build"}, run);
  if (r.exit_code == 0) {
    o.say("slipway: " + new_commit.substr(0, 12) + " is deployed");
    return true;
  }
  repo.write_tree(old_commit == kZero ? kEmptyTree : old_commit);
  o.say("slipway: the deploy failed (exit " + std::to_string(r.exit_code) + "): the push is rejected, " +
        (old_commit == kZero ? std::string("the stack directory is empty again")
                             : "the stack directory holds " + old_commit.substr(0, 12) + " again") +
        " and the running generation is unchanged");
  return false;
}

}  // namespace

std::string hook_script(const std::string& slipway_binary) {
  return "#!/bin/sh\n"
         "# Written by `slipway serve-repo`: deploy what is pushed, reject the push when the deploy fails.\n"
         "exec " +
         shell_quote(slipway_binary) + " receive-hook\n";
}

ServeRepoResult serve_repo(const ServeRepoOptions& options) {
  ServeRepoResult r;
  r.repo = fs::absolute(options.repo).lexically_normal().string();
  r.stack = fs::absolute(options.stack).lexically_normal().string();
  r.branch = options.branch;
  while (r.repo.size() > 1 && r.repo.back() == '/') r.repo.pop_back();
  while (r.stack.size() > 1 && r.stack.back() == '/') r.stack.pop_back();
  if (!program_exists("git")) throw EnvError("git not found (install git)");
  if (git({"check-ref-format", "--branch", r.branch}).exit_code != 0)
    throw UserError("--branch '" + r.branch + "': not a valid branch name");
  if (r.stack == r.repo) throw UserError("--stack: must differ from the repository (" + r.repo + ")");
  if (fs::exists(r.stack) && !fs::is_directory(r.stack))
    throw UserError(Location{r.stack, 0, 0}, "--stack: not a directory");
  if (fs::exists(r.repo)) {
    auto bare = git({"-C", r.repo, "rev-parse", "--is-bare-repository"});
    if (bare.exit_code != 0 || first_line(bare.out) != "true")
      throw UserError(Location{r.repo, 0, 0},
                      "exists and is not a bare git repository (choose a new path, e.g. " + r.repo + ".git)");
  } else {
    git_or_throw({"init", "--quiet", "--bare", "--initial-branch=" + r.branch, r.repo});
    r.created = true;
  }
  git_or_throw({"-C", r.repo, "config", "slipway.stack", r.stack});
  git_or_throw({"-C", r.repo, "config", "slipway.branch", r.branch});
  fs::create_directories(r.stack);
  write_hook(fs::path(r.repo) / "hooks" / "pre-receive", hook_script(options.slipway_binary));
  return r;
}

int receive_hook(const ReceiveOptions& options) {
  HookRepo repo;
  PushLock lock(fs::current_path().string() + "/slipway-deploy.lock", options.say);
  const std::string deploy_ref = "refs/heads/" + repo.branch();
  std::string line;
  bool ok = true;
  while (ok && std::getline(*options.updates, line)) {
    std::istringstream words(line);
    std::string old_commit, new_commit, ref;
    if (!(words >> old_commit >> new_commit >> ref)) continue;
    if (ref != deploy_ref) {
      options.say("slipway: " + ref + " is kept, not deployed (pushes to " + repo.branch() + " deploy)");
      continue;
    }
    if (new_commit == kZero) {
      options.say("slipway: refusing to delete " + repo.branch() + ", the branch the server deploys");
      ok = false;
      continue;
    }
    ok = deploy_commit(repo, options, old_commit, new_commit);
  }
  return ok ? 0 : 1;
}

}  // namespace slipway::server
