// slipway's snapshots as restic sees them (pure).
//
// One `slipway backup` makes several restic snapshots, one per data volume, bind mount and
// dump, so that plain restic can list, diff and restore each on its own, and restic's own
// parent detection (host + path) keeps incremental backups fast. Every part carries tags:
//   slipway                    marks slipway's snapshots
//   run=<id>                   the slipway snapshot it belongs to (8 hex digits)
//   parts=<n>                  how many restic snapshots that slipway snapshot has
//   stack=<name>               also the restic host
//   reason=backup|safety       safety: taken by `slipway restore` just before replacing data
//   volume=<key> | bind=<path> | dump=<service>   what this part holds
//   bytes=<n>                  dumps only: the size the dump had, to detect a truncated one
//   generation=<n>             the running generation, when known
//   image=<service>@<image id> the images the services ran
// A slipway snapshot is complete when all its parts are present; an interrupted backup leaves
// an incomplete one, which is listed as such and never restored.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backup/restic.h"

namespace slipway::backup {

struct Part {
  std::string kind;  // "volume", "bind" or "dump"
  std::string name;  // volume key, bind path or service
  Snapshot snapshot;
};

struct StackSnapshot {
  std::string run;
  std::string time;  // of the earliest part
  std::string stack;
  std::string reason;
  std::string generation;
  int expected_parts = 0;
  std::vector<Part> parts;
  std::map<std::string, std::string> images;  // service -> image id

  bool complete() const { return expected_parts > 0 && static_cast<int>(parts.size()) >= expected_parts; }
  const Part* part(const std::string& kind, const std::string& name) const;
};

// Groups slipway's restic snapshots (others are ignored) by run, oldest first.
std::vector<StackSnapshot> group_snapshots(const std::vector<Snapshot>& snapshots);

// Finds a snapshot by run id prefix or a part's restic id prefix; "" or "latest" is the newest
// complete snapshot taken by `backup` (not a safety one). Throws UserError when none matches or
// the match is ambiguous or incomplete.
const StackSnapshot& find_snapshot(const std::vector<StackSnapshot>& list, const std::string& id);

// A fresh run id.
std::string new_run_id();

// Tags every part of a run carries.
std::vector<std::string> run_tags(const std::string& run, int parts, const std::string& stack,
                                  const std::string& reason, const std::string& generation,
                                  const std::map<std::string, std::string>& images);

}  // namespace slipway::backup
