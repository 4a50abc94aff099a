#include "deploy/source.h"

#include <unistd.h>

#include <cstdlib>

#include "util/subprocess.h"

namespace slipway::deploy {

SourceInfo source_info(const std::string& dir) {
  SourceInfo s;
  if (const char* u = std::getenv("SUDO_USER"); u && *u)
    s.user = u;
  else if (const char* u2 = std::getenv("USER"); u2 && *u2)
    s.user = u2;
  else
    s.user = "uid " + std::to_string(::getuid());
  // Push to deploy (server/push_repo.h) writes a pushed commit's files into a directory with
  // no .git of its own, before the branch moves; it names the commit here.
  if (const char* c = std::getenv("SLIPWAY_SOURCE_COMMIT"); c && *c) {
    s.commit = c;
    return s;
  }
  if (!program_exists("git")) return s;
  SubprocessOptions o;
  o.working_directory = dir;
  auto head = run_process({"git", "rev-parse", "--verify", "HEAD"}, o);
  if (head.exit_code != 0) return s;
  s.commit = head.out.substr(0, head.out.find('\n'));
  auto status = run_process({"git", "status", "--porcelain", "--", "."}, o);
  s.dirty = status.exit_code != 0 || !status.out.empty();
  return s;
}

}  // namespace slipway::deploy
