// `slipway remote add NAME ssh://USER@HOST/REPO` and `slipway push NAME` (on the laptop): the
// other half of push to deploy (docs/server.md). A remote is an ordinary git remote of the
// stack's repository, so a plain `git push NAME main` does the same as `slipway push NAME`.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "compose/discovery.h"
#include "util/error.h"
#include "util/ssh_target.h"
#include "util/subprocess.h"

namespace slipway::cli {
namespace {

struct RemoteFlags {
  std::string name;
  std::string url;
  std::string branch = "main";
};

// The stack's directory (--project-directory, else here); it must be in a git work tree.
std::string stack_checkout(const GlobalOptions& global) {
  std::string dir = global.project_directory.empty()
                        ? compose::current_directory()
                        : compose::absolute_path(global.project_directory, compose::current_directory());
  if (!program_exists("git")) throw EnvError("git not found (install git)");
  auto top = run_process({"git", "-C", dir, "rev-parse", "--show-toplevel"});
  if (top.exit_code != 0)
    throw UserError(Location{dir, 0, 0}, "not in a git repository (git init, commit the stack, then add the remote)");
  return dir;
}

int run_remote_add(const GlobalOptions& global, const RemoteFlags& f) {
  std::string dir = stack_checkout(global);
  SshTarget target = SshTarget::parse(f.url);
  if (target.path.empty())
    throw UserError("'" + f.url + "': name the repository on the server, e.g. ssh://deploy@host/srv/app.git");
  if (run_process({"git", "-C", dir, "remote", "get-url", f.name}).exit_code == 0)
    throw UserError("remote '" + f.name + "' exists (change it with: git remote set-url " + f.name + " URL)");
  auto r = run_process({"git", "-C", dir, "remote", "add", f.name, f.url});
  if (r.exit_code != 0) throw UserError("remote '" + f.name + "': " + r.err.substr(0, r.err.find('\n')));
  std::cerr << "remote " << f.name << " -> " << f.url << " (slipway push " << f.name << ", or git push " << f.name
            << " main)\n";
  return 0;
}

int run_push(const GlobalOptions& global, const RemoteFlags& f) {
  std::string dir = stack_checkout(global);
  if (run_process({"git", "-C", dir, "remote", "get-url", f.name}).exit_code != 0)
    throw UserError("no remote '" + f.name + "' (slipway remote add " + f.name + " ssh://USER@HOST/PATH.git)");
  if (!run_process({"git", "-C", dir, "status", "--porcelain"}).out.empty())
    std::cerr << "note: uncommitted changes are not pushed; the server deploys the last commit\n";
  // The server's hook streams the deploy's output back (git prints it as "remote: ...").
  SubprocessOptions o;
  o.capture_stdout = false;
  o.capture_stderr = false;
  auto r = run_process({"git", "-C", dir, "push", f.name, "HEAD:refs/heads/" + f.branch}, o);
  if (r.exit_code != 0)
    throw EnvError("the push to " + f.name + " failed or was rejected (the server's deploy output is above; "
                   "what ran before keeps running)");
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  CLI::App* remote = app.add_subcommand("remote", "Remember a server to push to (a git remote of the stack)");
  remote->require_subcommand(1);
  auto add_flags = std::make_shared<RemoteFlags>();
  CLI::App* add = remote->add_subcommand("add", "Add a server's serve-repo repository as a git remote");
  add->add_option("name", add_flags->name, "The remote's name, e.g. prod")->required();
  add->add_option("url", add_flags->url, "ssh://USER@HOST[:PORT]/PATH/TO/REPO.git")->required();
  add->callback([&global, &run, add_flags] { run = [&global, add_flags] { return run_remote_add(global, *add_flags); }; });

  auto push_flags = std::make_shared<RemoteFlags>();
  CLI::App* push = app.add_subcommand("push", "Deploy the last commit on a server: git push, the server deploys");
  push->footer(
      "Runs git push NAME HEAD:BRANCH. The server's hook (slipway serve-repo) deploys the commit and its\n"
      "output appears here; a failed deploy rejects the push (exit 1) and the server keeps what ran.\n"
      "ssh options: ~/.ssh/config, or GIT_SSH_COMMAND as for any git push.");
  push->add_option("name", push_flags->name, "The remote (slipway remote add)")->required();
  push->add_option("--branch", push_flags->branch, "The server's deploy branch");
  push->callback([&global, &run, push_flags] { run = [&global, push_flags] { return run_push(global, *push_flags); }; });
}

const bool registered = register_command({"remote", 82, setup});

}  // namespace
}  // namespace slipway::cli
