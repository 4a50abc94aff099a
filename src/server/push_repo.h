// Push to deploy: a bare git repository on the server whose pre-receive hook deploys what is
// pushed (docs/server.md, "Push to deploy").
//
// `slipway serve-repo REPO --stack DIR` makes REPO (git init --bare) and writes its
// hooks/pre-receive, a two-line script that execs `slipway receive-hook` — the work is done
// here, in C++, with argv vectors. For a push to the deploy branch the hook writes the pushed
// commit's files into the stack directory (git read-tree -u, through an index of its own, so
// the directory needs no .git), runs `slipway deploy --build` there with its output going to
// the pusher, and exits 1 when the deploy fails: git then rejects the whole push, the branch
// keeps its old commit and the previous commit's files are written back (the running
// generation was never touched — a failed gate leaves it serving). pre-receive, not
// post-receive, because only pre-receive can still refuse the push.
//
// Git keeps a pushed commit's objects in a quarantine directory until pre-receive accepts
// it; the hook's environment (GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH, …) lets the
// git commands run here see them. Refs cannot change inside the quarantine, so the commit is
// handed to the deploy's history as SLIPWAY_SOURCE_COMMIT (deploy/source.h).
#pragma once

#include <functional>
#include <istream>
#include <string>

namespace slipway::server {

struct ServeRepoOptions {
  std::string repo;            // the bare repository to create (or to update, when it exists)
  std::string stack;           // the stack's directory the server runs
  std::string branch = "main"; // pushes to this branch deploy; others are kept, not deployed
  std::string slipway_binary;  // absolute; what the hook execs
};

struct ServeRepoResult {
  std::string repo, stack, branch;
  bool created = false;  // false: an existing repository got its hook and settings again
};

// Throws UserError for a REPO that exists and is not a bare repository, a bad branch name or a
// stack path that is not a directory; EnvError when git is missing or fails.
ServeRepoResult serve_repo(const ServeRepoOptions& options);

struct ReceiveOptions {
  std::string slipway_binary;  // runs `deploy` in the stack directory
  std::istream* updates;       // the hook's stdin: "OLD NEW REF" per line
  std::function<void(const std::string&)> say;
};

// The pre-receive hook, run by git with the repository as working directory. Returns 0 to
// accept the push, 1 to reject it.
int receive_hook(const ReceiveOptions& options);

// The hook file's text: exec the given slipway binary's receive-hook.
std::string hook_script(const std::string& slipway_binary);

}  // namespace slipway::server
