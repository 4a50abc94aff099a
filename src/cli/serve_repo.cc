// `slipway serve-repo REPO [--stack DIR] [--branch main]` (on the server): a bare git
// repository that deploys what is pushed to it; `slipway receive-hook` is what its
// pre-receive hook runs (server/push_repo.h, docs/server.md "Push to deploy").
//
// Named after what the server does with the repository — it serves it to pushes — rather than
// "init" (which reads as making a stack) or "git-init".
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/self_path.h"
#include "server/push_repo.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct ServeRepoFlags {
  std::string repo;
  std::string stack;
  std::string branch = "main";
};

// REPO.git deploys into REPO (the usual pairing, /srv/app.git -> /srv/app).
std::string default_stack(const std::string& repo) {
  std::string r = repo;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r.size() > 4 && r.compare(r.size() - 4, 4, ".git") == 0) return r.substr(0, r.size() - 4);
  throw UserError("serve-repo " + repo + ": give --stack DIR (the directory the server runs), or name the repository "
                  "DIR.git to deploy into DIR");
}

int run_serve_repo(const GlobalOptions& global, const ServeRepoFlags& f) {
  server::ServeRepoOptions o;
  o.repo = f.repo;
  o.stack = f.stack.empty() ? default_stack(f.repo) : f.stack;
  o.branch = f.branch;
  o.slipway_binary = self_path();
  auto r = server::serve_repo(o);
  if (global.json) {
    std::cout << nlohmann::json{{"repo", r.repo}, {"stack", r.stack}, {"branch", r.branch}, {"created", r.created}}.dump(2)
              << "\n";
    return 0;
  }
  std::cerr << (r.created ? "created " : "updated ") << r.repo << ": pushes to " << r.branch << " deploy into "
            << r.stack << "\n"
            << "on your laptop: slipway remote add NAME ssh://USER@HOST" << r.repo << " && slipway push NAME\n";
  return 0;
}

int run_receive_hook() {
  server::ReceiveOptions o;
  o.slipway_binary = self_path();
  o.updates = &std::cin;
  o.say = [](const std::string& line) { std::cerr << line << std::endl; };
  return server::receive_hook(o);
}

void setup_serve_repo(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<ServeRepoFlags>();
  CLI::App* sub = app.add_subcommand("serve-repo", "Make a git repository on the server that deploys what is pushed");
  sub->footer(
      "Creates a bare repository (or updates an existing one's hook) whose pre-receive hook writes the pushed\n"
      "commit into the stack directory and runs `slipway deploy --build` there, its output going to the pusher.\n"
      "A failed deploy rejects the push: the branch keeps its old commit, the directory its old files, and the\n"
      "running generation keeps serving. Pushes to other branches are stored, not deployed.\n"
      "Example: slipway serve-repo /srv/app.git   (deploys into /srv/app)");
  sub->add_option("repo", f->repo, "The bare repository to create, e.g. /srv/app.git")->required();
  sub->add_option("--stack", f->stack, "The stack's directory the server runs (default: REPO without .git)");
  sub->add_option("--branch", f->branch, "The branch whose pushes deploy");
  sub->add_flag("--json", global.json, "Print what was made as JSON");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_serve_repo(global, *f); }; });
}

void setup_receive_hook(CLI::App& app, GlobalOptions&, std::function<int()>& run) {
  CLI::App* sub = app.add_subcommand(
      "receive-hook", "What a serve-repo repository's pre-receive hook runs (reads git's ref updates on stdin)");
  sub->group("");  // not for people: git runs it
  sub->callback([&run] { run = [] { return run_receive_hook(); }; });
}

const bool registered = register_command({"serve-repo", 80, setup_serve_repo}) &&
                        register_command({"receive-hook", 81, setup_receive_hook});

}  // namespace
}  // namespace slipway::cli
