#include "backup/session.h"

#include "backup/journal.h"
#include "backup/quiesce.h"
#include "backup/recover.h"
#include "backup/state.h"

namespace slipway::backup {

ResticConfig restic_config(const RepositorySettings& settings) {
  ResticConfig c;
  c.repository = settings.repository;
  c.password_file = settings.password_file;
  return c;
}

std::string Session::journal_dir() const { return journal_directory(state_dir); }

Session open_session(const compose::LoadOptions& load, const std::string& engine_host, bool need_engine,
                     const std::function<void(const std::string&)>& warn) {
  // Before any thread exists, so that every thread inherits the blocked signals.
  Interrupts::install();
  Session s;
  s.project = compose::load(load);
  Location where{s.project.config_files.empty() ? std::string() : s.project.config_files.front()};
  s.settings = parse_repository_settings(compose::Model(s.project), where);
  s.restic = std::make_unique<Restic>(restic_config(s.settings));
  s.state_dir = state_directory();
  engine::ClientOptions o;
  o.host = engine_host;
  if (need_engine) {
    s.client = std::make_unique<engine::Client>(o);
    s.client->ping();
  }
  // Recovery needs the engine only when there is something to recover.
  std::unique_ptr<engine::Client> lazy;
  recover_interrupted(
      [&]() -> const engine::Engine& {
        if (s.client) return *s.client;
        if (!lazy) lazy = std::make_unique<engine::Client>(o);
        return *lazy;
      },
      s.project.name, s.state_dir, warn);
  return s;
}

}  // namespace slipway::backup
