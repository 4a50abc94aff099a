// Backup settings from the stack's `x-slipway` keys (pure; no engine, no restic).
//
// Top level:
//   x-slipway:
//     backup:
//       repository: /srv/backups/restic      # restic path or URL; else $RESTIC_REPOSITORY
//       password_file: /etc/slipway/restic   # relative to the project directory; else $RESTIC_PASSWORD_FILE
//       keep: {last: 7, daily: 7, weekly: 4, monthly: 6}   # default policy for `slipway forget`
// Per service:
//   x-slipway:
//     backup:
//       dump: [pg_dump, -U, app, app]        # or a string (run with sh -c in the container), or
//                                            # {command: ..., filename: db.sql, user: postgres}
//       restore: [psql, -U, app, app]        # optional: loads a dump from stdin (drills, restores)
//       pre: [...]  post: [...]              # commands run in the container around the backup
//       quiesce: pause | stop                # freeze or stop the service while its data is read
// Per volume (top-level volumes:) and per mount (long syntax):
//   x-slipway: {backup: false}  /  x-slipway: {backup: true}
//
// Errors are UserErrors naming the key path, e.g. "services.db.x-slipway.backup.quiesce: ...".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backup/restic.h"
#include "compose/model.h"
#include "util/error.h"

namespace slipway::backup {

enum class Quiesce { none, pause, stop };

struct DumpSpec {
  std::vector<std::string> command;
  std::string filename;  // name of the file in the snapshot, default "<service>.dump"
  std::string user;      // exec user; empty = the container's
};

struct ServiceBackup {
  std::string service;
  std::optional<DumpSpec> dump;
  std::vector<std::string> restore;  // command that reads a dump on stdin
  std::vector<std::string> pre, post;
  Quiesce quiesce = Quiesce::none;
  bool empty() const { return !dump && pre.empty() && post.empty() && quiesce == Quiesce::none; }
};

struct RepositorySettings {
  std::string repository;     // as written (or empty)
  std::string password_file;  // absolute (resolved against the project directory) or empty
  KeepPolicy keep;
};

// `where` is used as the error location (the first compose file).
// The model's own x-slipway.backup (relative paths anchored at the project's working_dir).
RepositorySettings parse_repository_settings(const compose::Model& model, const Location& where = {});
// The same from a bare model JSON (tests), or from the top-level x-slipway object (nullptr: none).
RepositorySettings parse_repository_settings(const nlohmann::ordered_json& model, const std::string& project_dir,
                                             const Location& where = {});
RepositorySettings parse_repository_settings(const nlohmann::ordered_json* x_slipway, const std::string& project_dir,
                                             const Location& where = {});
// Every service's x-slipway.backup (services without one are left out), in model order.
std::vector<ServiceBackup> parse_service_backups(const compose::Model& model, const Location& where = {});
std::vector<ServiceBackup> parse_service_backups(const nlohmann::ordered_json& model, const Location& where = {});

// The value of x-slipway.backup on a volume or mount object: nullopt when not set.
// Throws when it is not a boolean.
std::optional<bool> backup_flag(const nlohmann::ordered_json& object, const std::string& path,
                                const Location& where = {});

const char* quiesce_name(Quiesce q);

}  // namespace slipway::backup
