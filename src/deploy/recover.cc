#include "deploy/recover.h"

#include <algorithm>
#include <map>

#include "apply/observe.h"
#include "deploy/edge_switch.h"
#include "deploy/generation.h"
#include "plan/labels.h"
#include "plan/naming.h"
#include "util/clock.h"

namespace slipway::deploy {
namespace {

using plan::ObservedContainer;

bool is_aside(const ObservedContainer& c) {
  const std::string suffix = plan::aside_name("");
  return c.name.size() > suffix.size() && c.name.compare(c.name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string canonical_of_aside(const std::string& name) {
  return name.substr(0, name.size() - plan::aside_name("").size());
}

// The containers of `service` of the newest generation below `below` (those G replaced).
std::vector<ObservedContainer> predecessors(const std::vector<ObservedContainer>& all, const std::string& service,
                                            int below) {
  int best = -1;
  for (const auto& c : all)
    if (c.service == service && generation_of(c).value_or(0) < below)
      best = std::max(best, generation_of(c).value_or(0));
  std::vector<ObservedContainer> out;
  for (const auto& c : all)
    if (c.service == service && generation_of(c).value_or(0) == best && best >= 0) out.push_back(c);
  return out;
}

// Routes that name G's containers go back to the predecessors' containers (running by now).
void reroute(const engine::Engine& engine, const compose::Project& project, const edge::Routing& routing,
             const std::vector<ObservedContainer>& all, const std::vector<std::string>& crashed_names, int g) {
  auto admin = running_edge(engine, project.name);
  if (!admin) return;
  auto naming = routes_naming(*admin, crashed_names);
  edge::UpstreamMap back;
  for (const auto& route : routing.routes) {
    if (std::find(naming.begin(), naming.end(), route.id) == naming.end()) continue;
    for (const auto& c : predecessors(all, route.service, g))
      if (!is_aside(c)) back[route.id].push_back(c.name + ":" + std::to_string(route.port));
  }
  // Every route back in one change: each change is a reload of the edge (edge/admin.h).
  if (!back.empty()) admin->apply_routes(routing, back, true);
}

void undo_generation(const engine::Engine& engine, const compose::Project& project, const edge::Routing& routing,
                     apply::Replacer& replacer, GenerationRecord& r) {
  auto all = apply::observe_containers(engine, project.name);
  std::vector<ObservedContainer> crashed;
  std::vector<std::string> crashed_names;
  for (const auto& c : all)
    if (generation_of(c) == r.number && !c.oneoff) {
      crashed.push_back(c);
      crashed_names.push_back(c.name);
    }
  // A container_name service: G's container holds the name the old one needs back.
  for (const auto& c : all) {
    if (!is_aside(c)) continue;
    for (const auto& x : crashed)
      if (x.name == canonical_of_aside(c.name)) remove_with_files(engine, replacer, x.id);
    engine.rename_container(c.id, canonical_of_aside(c.name));
  }
  all = apply::observe_containers(engine, project.name);
  for (const auto& service : r.services)
    for (const auto& c : predecessors(all, service, r.number))
      if (!c.running()) engine.start_container(c.id);
  reroute(engine, project, routing, all, crashed_names, r.number);
  for (const auto& c : crashed) remove_with_files(engine, replacer, c.id);
  r.status = status::kInterrupted;
  r.finished = utc_now();
  r.detail = "interrupted (" + r.detail + "); undone by the next run";
  r.gates.push_back(
      {"recovery", true, "generation " + std::to_string(r.number) + " removed, the previous one restored"});
}

// Stopped containers of generations older than the newest running one of their service.
void remove_leftovers(const engine::Engine& engine, const compose::Project& project, apply::Replacer& replacer) {
  auto all = apply::observe_containers(engine, project.name);
  std::map<std::string, int> newest_running;
  for (const auto& c : all)
    if (c.running() && !c.oneoff)
      newest_running[c.service] = std::max(newest_running[c.service], generation_of(c).value_or(0));
  for (const auto& c : all) {
    auto it = newest_running.find(c.service);
    if (c.oneoff || c.running() || it == newest_running.end()) continue;
    if (c.labels.count(plan::label::kRole) && c.labels.at(plan::label::kRole) != "service") continue;
    if (generation_of(c).value_or(0) < it->second) remove_with_files(engine, replacer, c.id);
  }
}

}  // namespace

void remove_with_files(const engine::Engine& engine, apply::Replacer& replacer, const std::string& id,
                       int stop_timeout) {
  std::string files_dir;
  try {
    engine::json c = engine.inspect_container(id);
    const auto& labels = c["Config"].value("Labels", engine::json::object());
    if (labels.is_object()) files_dir = labels.value(plan::label::kFilesDir, "");
    if (c["State"].value("Running", false)) engine.stop_container(id, stop_timeout);
  } catch (const engine::EngineError& e) {
    if (!e.not_found()) throw;
    return;
  }
  replacer.discard({id, files_dir});
}

int recover(const engine::Engine& engine, const compose::Project& project, const edge::Routing& routing,
            GenerationStore& store, const apply::FilesPlace& files, const Say& say) {
  apply::Replacer replacer(engine, project, files, say);
  int undone = 0;
  for (auto& r : store.list(project.name)) {
    if (!r.unfinished()) continue;
    say("generation " + std::to_string(r.number) + " was interrupted (" + r.detail +
        "): restoring the generation before it");
    undo_generation(engine, project, routing, replacer, r);
    store.save(r);
    ++undone;
  }
  remove_leftovers(engine, project, replacer);
  return undone;
}

}  // namespace slipway::deploy
