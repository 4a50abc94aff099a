#include "server/rebuild.h"

#include <algorithm>
#include <cstdio>

#include "apply/image_build.h"
#include "apply/observe.h"
#include "backup/restore.h"
#include "backup/settings.h"
#include "compose/model.h"
#include "deploy/deployer.h"
#include "deploy/gates.h"
#include "edge/image.h"
#include "engine/base_image.h"
#include "server/boot_generation.h"
#include "server/rebuild_progress.h"
#include "update/stack.h"
#include "util/clock.h"
#include "util/error.h"

namespace slipway::server {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// A phase failed: the rebuild stops there.
struct PhaseFailure {
  std::string message;
};

class Rebuild {
 public:
  Rebuild(const engine::Engine& engine, const compose::Project& project, backup::Restic& restic,
          deploy::GenerationStore& store, const RebuildOptions& o)
      : engine_(engine), project_(project), restic_(restic), store_(store), o_(o) {}

  RebuildResult run();

 private:
  void say(const std::string& m) const {
    if (o_.say) o_.say(m);
  }
  template <class F>
  void phase(const std::string& name, F&& body) {
    say("== " + name);
    auto t0 = Clock::now();
    std::string detail = body();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    result_.phases.push_back({name, s, detail});
    say(name + ": " + detail + " (" + seconds_text(s) + ")");
  }
  std::string base();
  std::string build();
  std::string restore(bool load_dumps);
  std::string deploy();
  std::string checks();
  bool has_dumps() const;

  const engine::Engine& engine_;
  const compose::Project& project_;
  backup::Restic& restic_;
  deploy::GenerationStore& store_;
  const RebuildOptions& o_;
  RebuildResult result_;
  RebuildProgressFile progress_file_{o_.state_dir, project_.name};
  RebuildProgress progress_;
};

std::string Rebuild::base() {
  std::vector<std::string> made;
  for (const auto& image : debian_bases_needed(project_)) {
    if (engine_.find_image(image)) continue;
    say("making " + image + " from Debian's packages (mmdebstrap, about a minute)");
    engine::BaseImageOptions bo;
    bo.image = image;
    engine::make_debian_base(engine_, bo);
    made.push_back(image);
  }
  if (made.empty()) return "every base image is there";
  std::string list;
  for (const auto& m : made) list += (list.empty() ? "" : ", ") + m;
  return "made " + list;
}

std::string Rebuild::build() {
  std::vector<plan::BuildRequest> requests;
  for (const auto& b : update::stack_builds(project_, {})) requests.push_back(b.request);
  apply::ServiceBuildOptions bo;
  bo.on_output = o_.build_output;
  auto done = apply::build_services(engine_, requests, bo);
  size_t built = 0;
  for (const auto& r : done) built += r.up_to_date ? 0 : 1;
  std::string detail = std::to_string(built) + " image(s) built, " + std::to_string(done.size() - built) +
                       " up to date";
  if (!deploy::routing_of(project_).empty()) {
    engine::BuildOutput out;
    if (o_.build_output) out = [this](const std::string& line) { o_.build_output("edge", line); };
    edge::EdgeImage e = edge::ensure_edge_image(engine_, out);
    detail += "; edge image " + e.tag + (e.built ? " built" : " present");
  }
  return detail;
}

bool Rebuild::has_dumps() const {
  Location where{project_.config_files.empty() ? std::string() : project_.config_files.front()};
  for (const auto& sb : backup::parse_service_backups(compose::Model(project_), where))
    if (!sb.restore.empty()) return true;
  return false;
}

std::string Rebuild::restore(bool load_dumps) {
  backup::RestoreOptions ro;
  ro.load_dumps = load_dumps;
  ro.journal_dir = o_.journal_dir;
  ro.say = o_.say;
  backup::RestoreResult r = backup::restore_live(project_, engine_, restic_, o_.snapshot, ro);
  result_.snapshot = r.run;
  std::string detail = "snapshot " + r.run + ":";
  for (const auto& v : r.restored) detail += " " + v;
  for (const auto& d : r.dumps_loaded) detail += " dump:" + d;
  return detail;
}

std::string Rebuild::deploy() {
  deploy::DeployRunOptions d;
  d.checks = false;  // its own phase, after the data is back
  d.watch = std::chrono::seconds(0);
  d.health_timeout = o_.health_timeout;
  d.edge = o_.edge;
  d.files = o_.files;
  d.kind = "rebuild";
  d.say = [this](const std::string& m) { say("  " + m); };
  deploy::DeployOutcome r = deploy::run_deploy(engine_, project_, store_, d);
  result_.generation = r.generation;
  if (!r.ok) throw PhaseFailure{"deploy failed: " + r.message};
  if (r.nothing) {
    // An interrupted rebuild's deploy had finished before it was recorded here: what runs is
    // the generation it deployed.
    auto deployed = last_deployed(store_.list(project_.name, 1000));
    result_.generation = deployed ? deployed->number : 0;
  }
  return "generation " + std::to_string(result_.generation) + " is live";
}

std::string Rebuild::checks() {
  deploy::ChecksGateOptions c;
  for (const auto& ct : apply::observe_containers(engine_, project_.name))
    if (ct.running() && !ct.oneoff && !ct.edge() && !c.targets.count(ct.service)) c.targets[ct.service] = ct.id;
  c.progress = [this](const std::string& line) { say("  " + line); };
  deploy::GateOutcome g = deploy::run_checks_gate(engine_, project_, c);
  if (!g.ok) throw PhaseFailure{"checks failed (generation " + std::to_string(result_.generation) + " runs): " + g.detail};
  return g.detail;
}

RebuildResult Rebuild::run() {
  auto t0 = o_.started.value_or(Clock::now());
  const std::string engine_id = engine_.info().value("ID", "");
  std::optional<RebuildProgress> previous = progress_file_.load();
  if (previous && previous->engine != engine_id) {
    say("forgetting the unfinished rebuild of " + project_.name + " begun " + previous->started +
        " on another engine");
    previous.reset();
  }
  if (!apply::observe_containers(engine_, project_.name).empty()) {
    // Containers of the stack are the unfinished rebuild's own only while every generation
    // recorded is one it deployed.
    std::vector<deploy::GenerationRecord> records = store_.list(project_.name, 1000);
    bool own = previous && !records.empty() &&
               std::all_of(records.begin(), records.end(),
                           [](const deploy::GenerationRecord& r) { return r.kind == "rebuild"; });
    if (!own)
      throw UserError("the engine already has containers of " + project_.name +
                      "; rebuild is for an engine that does not run the stack (here use `slipway restore` and "
                      "`slipway deploy`)");
  }
  if (previous) {
    progress_ = *previous;
    say("resuming the unfinished rebuild of " + project_.name + " begun " + progress_.started +
        (progress_.restored.empty() ? "" : "; snapshot " + progress_.restored + " is restored") +
        (progress_.deployed ? "; generation " + std::to_string(progress_.deployed) + " is deployed" : ""));
  } else {
    progress_.started = utc_now();
    progress_.engine = engine_id;
    progress_file_.save(progress_);  // before the first change: what follows is the rebuild's own
  }
  const bool dumps = has_dumps();
  auto restore_phase = [&](bool load_dumps) {
    phase("restore", [&] {
      if (!progress_.restored.empty()) {
        result_.snapshot = progress_.restored;
        return "snapshot " + progress_.restored + ", restored by the unfinished rebuild";
      }
      std::string detail = restore(load_dumps);
      progress_.restored = result_.snapshot;
      progress_file_.save(progress_);
      return detail;
    });
  };
  try {
    phase("base", [&] { return base(); });
    phase("build", [&] { return build(); });
    if (!dumps) restore_phase(false);
    phase("deploy", [&] {
      // (Deployed, unless its containers have gone since: then deploy again.)
      if (progress_.deployed && !apply::observe_containers(engine_, project_.name).empty()) {
        result_.generation = progress_.deployed;
        return "generation " + std::to_string(progress_.deployed) + ", deployed by the unfinished rebuild";
      }
      std::string detail = deploy();
      progress_.deployed = result_.generation;
      progress_file_.save(progress_);
      return detail;
    });
    if (dumps) restore_phase(true);
    phase("checks", [&] { return checks(); });
    result_.ok = true;
    progress_file_.remove();
  } catch (const PhaseFailure& f) {
    result_.message = f.message;
  } catch (const UserError&) {
    // A bad snapshot id or stack setting changes nothing: no progress worth resuming.
    if (!previous && progress_.restored.empty() && !progress_.deployed) progress_file_.remove();
    throw;
  }
  result_.total_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result_;
}

}  // namespace

double RebuildResult::phases_seconds() const {
  double sum = 0;
  for (const auto& p : phases) sum += p.seconds;
  return sum;
}

std::string RebuildResult::timing_line() const {
  std::string out;
  for (const auto& p : phases) out += p.phase + " " + seconds_text(p.seconds) + ", ";
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f %%", total_seconds > 0 ? 100.0 * overhead_seconds() / total_seconds : 0.0);
  return out + "overhead " + seconds_text(overhead_seconds()) + " (" + pct + " of " + seconds_text(total_seconds) + ")";
}

std::vector<std::string> debian_bases_needed(const compose::Project& project) {
  std::vector<std::string> out;
  auto add = [&](const std::string& image) {
    if (image.rfind("debian:", 0) == 0 && std::find(out.begin(), out.end(), image) == out.end()) out.push_back(image);
  };
  for (const auto& b : update::stack_builds(project, {}))
    for (const auto& image : apply::base_images_of(b.request)) add(image);
  if (!deploy::routing_of(project).empty()) add(edge::kEdgeBaseImage);
  return out;
}

RebuildResult rebuild(const engine::Engine& engine, const compose::Project& project, backup::Restic& restic,
                      deploy::GenerationStore& store, const RebuildOptions& options) {
  return Rebuild(engine, project, restic, store, options).run();
}

}  // namespace slipway::server
