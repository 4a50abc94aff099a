#include "deploy/pre_backup.h"

#include <cstdlib>

#include "backup/backup.h"
#include "compose/model.h"
#include "backup/journal.h"
#include "backup/session.h"
#include "backup/settings.h"
#include "backup/state.h"

namespace slipway::deploy {
namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

bool has_dump(const compose::Project& project, const std::string& service, const Location& where) {
  for (const auto& b : backup::parse_service_backups(project.model, where))
    if (b.service == service && b.dump) return true;
  return false;
}

}  // namespace

std::optional<std::string> backup_before_stop(const engine::Engine& engine, const compose::Project& project,
                                              const std::string& service, const Say& say) {
  Location where{project.config_files.empty() ? std::string() : project.config_files.front(), 0, 0};
  backup::RepositorySettings settings = backup::parse_repository_settings(project.model, project.working_dir, where);
  if (settings.repository.empty() && !env_set("RESTIC_REPOSITORY") && !env_set("RESTIC_REPOSITORY_FILE"))
    return std::nullopt;
  std::vector<std::string> volumes = compose::Model(project).service(service).writable_volumes();
  bool dump = has_dump(project, service, where);
  if (volumes.empty() && !dump) return std::nullopt;
  backup::Restic restic(backup::restic_config(settings));
  backup::BackupOptions bo;
  bo.reason = "pre-deploy";
  bo.only = volumes;
  bo.hooks = false;  // no quiesce or pre/post of other services: the service stops right after
  if (dump) bo.dumps = {service};
  bo.journal_dir = backup::journal_directory(backup::state_directory());
  bo.say = say;
  say(service + ": backing up its data before it is stopped (stop-first)");
  backup::BackupResult r = backup::run_backup(project, engine, restic, bo);
  return r.run;
}

}  // namespace slipway::deploy
