#include "update/record.h"

#include "apply/observe.h"
#include "deploy/plan_deploy.h"
#include "deploy/source.h"
#include "util/clock.h"
#include "util/sha256.h"

namespace slipway::update {

int record_undeployed(const engine::Engine& engine, const compose::Project& project, deploy::GenerationStore& store,
                      const UndeployedUpdate& u) {
  deploy::SourceInfo src = deploy::source_info(project.working_dir);
  deploy::GenerationRecord r;
  r.stack = project.name;
  r.number = deploy::next_generation(apply::observe(engine, project), store.highest(project.name));
  r.status = u.status;
  r.kind = kUpdateKind;
  r.started = utc_now();
  r.finished = r.started;
  r.user = src.user;
  r.git_commit = src.commit;
  r.git_dirty = src.dirty;
  r.config_hash = sha256_hex(project.model.dump());
  for (const auto& [service, id] : u.images) {
    r.images[service] = id;
    r.services.push_back(service);
  }
  r.gates = u.gates;
  r.detail = u.detail;
  store.save(r);
  return r.number;
}

}  // namespace slipway::update
