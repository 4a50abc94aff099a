// Disk use of a stack's backup repository, for the status page: the directory's size for a
// local repository (a walk of its files: cheap, no restic run, no password), else
// `restic stats --mode raw-data --json` (one restic run, which opens the repository: ~1 s).
// Cached per stack, a local figure for 10 min, a remote one for 6 h; a failure is kept as the
// figure's error, never thrown.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "compose/loader.h"

namespace slipway::agent {

// The bytes of every regular file below `dir` (symbolic links not followed); nullopt when it
// cannot be read.
std::optional<uint64_t> directory_bytes(const std::string& dir);

class RepositoryUsage {
 public:
  // {"repository": "/srv/backup" (credentials masked), "bytes": N, "how": "directory" |
  // "restic stats", "measured": T} or {"repository", "error"}; null when no repository is set.
  nlohmann::json of(const compose::Project& project, int64_t now);

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<int64_t, nlohmann::json>> cached_;  // stack -> (expires, figure)
};

}  // namespace slipway::agent
