// What a stack's data is (pure): the named volumes its services mount, minus those marked
// `x-slipway: {backup: false}`, plus bind mounts opted in with `x-slipway: {backup: true}`.
// Configuration is not data: other bind mounts, anonymous volumes, tmpfs mounts and volumes
// mounted as tmpfs (driver_opts type: tmpfs) are never backed up, and neither is anything inside the stack's repository
// (an opted-in bind mount there is refused).
#pragma once

#include <string>
#include <vector>

#include "compose/loader.h"
#include "util/error.h"

namespace slipway::backup {

struct DataItem {
  enum Kind { volume, bind } kind = volume;
  std::string key;   // volume: the key under top-level `volumes:`; bind: the absolute source path
  std::string name;  // volume: the engine's volume name (e.g. "demo_dbdata"); bind: the source path
  bool external = false;
  std::vector<std::string> services;  // services mounting it, in model order
  std::vector<std::string> writers;   // those mounting it read-write
};

// Data of the project, volumes first (by key), then binds (by path). `where` locates errors.
std::vector<DataItem> select_data(const compose::Project& project, const Location& where = {});

}  // namespace slipway::backup
