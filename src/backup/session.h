// What every backup command starts with: the loaded stack, its backup settings, a restic
// wrapper for its repository, the engine client and the state directory. Opening a session
// also installs the signal watcher (quiesce.h) and recovers what an earlier, killed slipway
// left half done on this stack (recover.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backup/restic.h"
#include "backup/settings.h"
#include "compose/loader.h"
#include "engine/client.h"

namespace slipway::backup {

struct Session {
  compose::Project project;
  RepositorySettings settings;
  std::unique_ptr<Restic> restic;
  std::unique_ptr<engine::Client> client;  // null when the command needs no engine
  std::string state_dir;

  std::string journal_dir() const;
};

// `warn` receives recovery notes such as "recovered an interrupted backup of ...".
Session open_session(const compose::LoadOptions& load, const std::string& engine_host, bool need_engine,
                     const std::function<void(const std::string&)>& warn);

// The restic configuration for a stack: x-slipway.backup first, then restic's own environment.
ResticConfig restic_config(const RepositorySettings& settings);

}  // namespace slipway::backup
