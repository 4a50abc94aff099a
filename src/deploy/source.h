// Where a generation came from: the git commit of the stack directory and who deployed it.
#pragma once

#include <string>

namespace slipway::deploy {

struct SourceInfo {
  std::string commit;  // "" when `dir` is not in a git work tree (or git is missing)
  bool dirty = false;  // uncommitted changes (tracked or untracked files)
  std::string user;    // $SUDO_USER, else $USER, else the uid
};

SourceInfo source_info(const std::string& dir);

}  // namespace slipway::deploy
