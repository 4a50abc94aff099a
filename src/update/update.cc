#include "update/update.h"

#include <fstream>
#include <set>
#include <sstream>

#include "apply/image_build.h"
#include "compose/model.h"
#include "deploy/deployer.h"
#include "engine/base_image.h"
#include "plan/build_request.h"
#include "update/gate.h"
#include "update/image_changes.h"
#include "update/migration.h"
#include "update/record.h"
#include "update/suite_upgrade.h"
#include "util/clock.h"
#include "util/error.h"

namespace slipway::update {
namespace {

void say(const UpdateOptions& o, const std::string& m) {
  if (o.say) o.say(m);
}

std::string short_id(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 12);
}

// `slipway base` again for every debian:<suite> in `bases`: same suite, today's packages. With
// --keep-base only the missing ones are made. Returns one line per base made.
std::vector<std::string> make_bases(const engine::Engine& engine, const std::set<std::string>& bases,
                                    const UpdateOptions& o) {
  std::vector<std::string> out;
  for (const auto& base : bases) {
    if (!o.refresh_base && engine.find_image(base)) continue;
    say(o, "making the base image " + base + " (mmdebstrap, about a minute)");
    engine::BaseImageOptions bo;
    bo.image = base;
    engine::BaseImageResult r = engine::make_debian_base(engine, bo);
    out.push_back(base + ": " + (r.previous_image_id.empty() ? "new" : short_id(r.previous_image_id)) + " -> " +
                  short_id(r.image_id));
  }
  return out;
}

std::set<std::string> debian_bases(const std::vector<StackBuild>& builds) {
  std::set<std::string> bases;
  for (const auto& b : builds)
    for (const auto& img : plan::dockerfile_base_images(apply::dockerfile_text_of(b.request), b.request.args))
      if (img.rfind("debian:", 0) == 0) bases.insert(img);
  return bases;
}

// --suite: every build gets its Dockerfile with the FROM lines pointed at debian:<suite>, as an
// inline Dockerfile (the files stay as they are). Returns the rewrites (Dockerfile path ->
// text) for --write. UserError before any change when no build names a debian base.
std::map<std::string, std::string> point_builds_at(std::vector<StackBuild>& builds, UpdateReport& report,
                                                   const UpdateOptions& o) {
  check_target_suite(o.suite, o.distro_info);
  std::map<std::string, std::string> files;
  std::set<std::string> from;
  for (auto& b : builds) {
    if (o.write && !b.request.dockerfile_inline.empty())
      throw UserError("--write: the image " + b.target.image +
                      " is built from a dockerfile_inline of the Compose file; point its FROM at debian:" + o.suite +
                      " there by hand, or run without --write");
    std::vector<int> unresolved;
    FromRewrite rw = point_from_at(apply::dockerfile_text_of(b.request), o.suite, &unresolved);
    if (!unresolved.empty())
      throw UserError(Location{apply::dockerfile_path_of(b.request), unresolved.front(), 1},
                      "FROM names debian through a build argument; set that argument to " + o.suite +
                          " instead of --suite");
    if (rw.replaced.empty()) continue;
    from.insert(rw.replaced.begin(), rw.replaced.end());
    if (b.request.dockerfile_inline.empty()) files[apply::dockerfile_path_of(b.request)] = rw.text;
    b.request.dockerfile_inline = rw.text;
  }
  if (from.empty())
    throw UserError("--suite " + o.suite + ": no image of " + report.stack +
                    " builds FROM debian:<another suite>: nothing to upgrade");
  std::string old;
  for (const auto& f : from) old += (old.empty() ? "" : ", ") + f.substr(7);
  report.suite_change = old + " -> " + o.suite;
  return files;
}

// Builds every image under its candidate tag, without the builder's cache.
std::map<std::string, std::string> build_candidates(const engine::Engine& engine, const std::vector<StackBuild>& builds,
                                                    const UpdateOptions& o) {
  std::vector<plan::BuildRequest> requests;
  std::map<std::string, std::string> candidates;  // image -> candidate tag
  for (const auto& b : builds) {
    plan::BuildRequest r = b.request;
    std::string candidate = retag(b.target.image, kCandidateTag);
    r.tags = {candidate};
    r.no_cache = true;
    requests.push_back(std::move(r));
    candidates[b.target.image] = candidate;
  }
  apply::ServiceBuildOptions bo;
  bo.no_cache = true;
  bo.on_output = o.build_output;
  say(o, "rebuilding " + std::to_string(requests.size()) + " image(s) without the build cache");
  apply::build_services(engine, requests, bo, o.jobs);
  return candidates;
}

// Named volumes the services mount ("service:volume"): their data outlives the image.
std::vector<std::string> data_volumes(const compose::Project& project, const std::vector<std::string>& services) {
  compose::Model model(project);
  std::vector<std::string> out;
  for (const auto& s : services)
    for (const auto& m : model.service(s).mounts())
      if (m.type() == "volume" && !m.source().empty()) out.push_back(s + ":" + m.source());
  return out;
}

// What was built and tested: service -> candidate tag, in the order of the builds.
struct Tested {
  std::vector<std::string> services;
  std::map<std::string, std::string> candidate_of;  // service -> candidate tag
  std::map<std::string, std::string> ids;           // service -> candidate image ID
};

// The reason a green update is not deployed, or "".
std::string hold_reason(const UpdateOptions& o, const UpdateReport& r) {
  for (const auto& im : r.images)
    if (!im.migrations.empty())
      return "not deployed: a package needs a data migration (see above); migrate the data, then deploy by hand "
             "(`slipway deploy`)";
  if (!o.suite.empty() && !o.write)
    return "not deployed: the Dockerfiles still name the old suite; run again with --write to rewrite them and deploy";
  if (!o.deploy) return "not deployed (--no-deploy): the tested images are tagged :" + std::string(kCandidateTag);
  return "";
}

// Green: the generation switch of `slipway deploy` with the candidates' image IDs; the tags the
// stack runs move to them once they are live.
void go_live(const engine::Engine& engine, const compose::Project& project, deploy::GenerationStore& store,
             const std::vector<StackBuild>& builds, const Tested& t, const std::string& tests,
             const UpdateOptions& o, UpdateResult& res) {
  deploy::DeployRunOptions d;
  d.services = t.services;
  d.images = t.ids;
  d.kind = kUpdateKind;
  d.prior_gates = {{"test", true, tests}};
  d.watch = o.watch;
  d.say = [&o](const std::string& m) { say(o, m); };
  deploy::DeployOutcome out = deploy::run_deploy(engine, project, store, d);
  res.report.generation = out.generation;
  if (!out.ok) {
    res.report.outcome = "not deployed: generation " + std::to_string(out.generation) + " " + out.status + ": " +
                         out.message.substr(0, out.message.find('\n')) + "; the previous generation serves as before";
    res.exit_code = 1;
    return;
  }
  for (const auto& b : builds) {
    const std::string& target = b.target.image;
    size_t colon = target.rfind(':');
    engine.tag_image(retag(target, kCandidateTag), target.substr(0, colon), target.substr(colon + 1));
    // The candidate tag has done its work; only the stack's own tag (and deploy's keep-tag) stay.
    try {
      engine.remove_image(retag(target, kCandidateTag), false, true);
    } catch (const engine::EngineError&) {
      // already gone: nothing to untag
    }
  }
  res.report.outcome = out.nothing ? "nothing to deploy: the services already run these images"
                                   : "deployed as generation " + std::to_string(out.generation) + " (" + out.message +
                                         ")";
}

}  // namespace

std::string retag(const std::string& image, const std::string& tag) {
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  std::string repo =
      colon != std::string::npos && (slash == std::string::npos || colon > slash) ? image.substr(0, colon) : image;
  return repo + ":" + tag;
}

UpdateResult run_update(const engine::Engine& engine, const compose::Project& project, deploy::GenerationStore& store,
                        const UpdateOptions& o) {
  UpdateResult res;
  UpdateReport& report = res.report;
  report.stack = project.name;
  report.started = utc_now();
  std::vector<StackBuild> builds = stack_builds(project, o.services);
  if (builds.empty()) throw UserError("no service of " + project.name + " has a build section: nothing to update");
  if (o.write && o.suite.empty()) throw UserError("--write rewrites FROM lines for --suite: give --suite SUITE");
  std::map<std::string, std::string> rewrites;
  if (!o.suite.empty()) rewrites = point_builds_at(builds, report, o);
  remove_stale_probes(engine);

  std::vector<ImageBefore> before;
  for (const auto& b : builds) {
    say(o, "probing " + b.target.image + " (installed packages, apt-get update)");
    before.push_back(probe_before(engine, b.target.image, o.probe));
  }
  report.bases = make_bases(engine, debian_bases(builds), o);
  std::map<std::string, std::string> candidates = build_candidates(engine, builds, o);
  Tested t;
  bool changed = false;
  for (size_t i = 0; i < builds.size(); ++i) {
    const std::string& candidate = candidates[builds[i].target.image];
    say(o, "comparing " + builds[i].target.image + " with the rebuilt image");
    report.images.push_back(probe_after(engine, builds[i], before[i], candidate, o.probe));
    ImageChanges& im = report.images.back();
    im.migrations = data_migrations(im.packages, data_volumes(project, builds[i].target.services));
    changed = changed || !im.packages.empty() || !im.package_manager;
    std::string id = engine.inspect_image(candidate).value("Id", "");
    for (const auto& s : builds[i].target.services) {
      t.candidate_of[s] = candidate;
      t.ids[s] = id;
      t.services.push_back(s);
    }
  }
  if (!changed) {
    report.gate = "not run (no package changed)";
    report.outcome = "nothing to deploy: every image already had today's packages";
    return res;
  }
  GateOptions go;
  go.say = o.say;
  GateResult gate = run_gate(engine, with_images(project, t.candidate_of), go);
  report.failing_checks = gate.failures;
  std::string tests = std::to_string(gate.checks) + " check(s), " + std::to_string(gate.failed) + " failed";
  report.gate = (gate.passed ? "passed: " : "failed: ") + tests;
  if (!gate.passed) {
    report.outcome = "not deployed: the running services are untouched (the rejected images stay tagged :" +
                     std::string(kCandidateTag) + " for inspection)";
    std::string first = gate.failures.empty() ? tests : gate.failures.front();
    report.generation =
        record_undeployed(engine, project, store, {deploy::status::kFailed, t.ids, {{"test", false, first}},
                                                   "test gate failed: " + tests});
    res.exit_code = 1;
    return res;
  }
  if (o.write)
    for (const auto& [path, text] : rewrites) {
      write_dockerfile(path, text);
      report.rewritten.push_back(path);
    }
  if (std::string hold = hold_reason(o, report); !hold.empty()) {
    report.outcome = hold;
    report.generation =
        record_undeployed(engine, project, store, {deploy::status::kTested, t.ids, {{"test", true, tests}}, hold});
    return res;
  }
  go_live(engine, project, store, builds, t, tests, o, res);
  return res;
}

}  // namespace slipway::update
