#include "backup/session.h"

#include "backup/quiesce.h"
#include "backup/state.h"

namespace slipway::backup {

ResticConfig restic_config(const RepositorySettings& settings) {
  ResticConfig c;
  c.repository = settings.repository;
  c.password_file = settings.password_file;
  return c;
}

Session open_session(const compose::LoadOptions& load, const std::string& engine_host, bool need_engine,
                     const std::function<void(const std::string&)>& warn) {
  // Before any thread exists, so that every thread inherits the blocked signals.
  Interrupts::install();
  Session s;
  s.project = compose::load(load);
  Location where{s.project.config_files.empty() ? std::string() : s.project.config_files.front()};
  s.settings = parse_repository_settings(s.project.model, s.project.working_dir, where);
  s.restic = std::make_unique<Restic>(restic_config(s.settings));
  s.state_dir = state_directory();
  if (need_engine) {
    engine::ClientOptions o;
    o.host = engine_host;
    s.client = std::make_unique<engine::Client>(o);
    s.client->ping();
    for (const auto& line : recover_quiesced(*s.client, s.journal_dir()))
      if (warn) warn(line);
  }
  return s;
}

}  // namespace slipway::backup
