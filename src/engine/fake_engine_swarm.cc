// FakeEngine, part: swarm mode (services, tasks, nodes, secrets) and image export
// (fake_engine.h). One node — this engine — that is the manager; every service's tasks run on
// it, one per replica, in the state set_task_state gives (running by default).
#include <algorithm>

#include "engine/fake_engine.h"

namespace slipway::engine {
namespace {

bool any_equal(const std::string& value, const Filters& filters, const std::string& key) {
  auto it = filters.find(key);
  return it == filters.end() || std::find(it->second.begin(), it->second.end(), value) != it->second.end();
}

Labels labels_of(const json& spec) {
  Labels out;
  if (spec.contains("Labels") && spec["Labels"].is_object())
    for (const auto& [k, v] : spec["Labels"].items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

void require_swarm(const std::string& node_id, const std::string& what) {
  if (node_id.empty())
    throw EngineError(503,
                      "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to "
                      "connect this node to swarm and try again.",
                      what);
}

}  // namespace

void FakeEngine::set_task_state(const std::string& service_name, const std::string& state) {
  std::lock_guard lock(mutex_);
  task_states_[service_name] = state;
}

std::vector<std::string> FakeEngine::service_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& s : services_) out.push_back(s.name);
  return out;
}

std::vector<std::string> FakeEngine::image_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& i : images_) out.push_back(i.id);
  return out;
}

std::string FakeEngine::swarm_init(const json& body) const {
  std::lock_guard lock(mutex_);
  enter("swarm_init", true);
  if (!swarm_node_id_.empty())
    throw EngineError(503, "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm "
                      "and join another one.", "swarm init");
  swarm_node_id_ = new_id("node").substr(0, 25);
  return swarm_node_id_;
}

void FakeEngine::swarm_join(const json& body) const {
  std::lock_guard lock(mutex_);
  enter("swarm_join", true);
  if (!swarm_node_id_.empty())
    throw EngineError(503, "This node is already part of a swarm.", "swarm join");
  swarm_node_id_ = new_id("node").substr(0, 25);
}

void FakeEngine::swarm_leave(bool force) const {
  std::lock_guard lock(mutex_);
  enter("swarm_leave", true);
  swarm_node_id_.clear();
  services_.clear();
  secrets_.clear();
}

json FakeEngine::inspect_swarm() const {
  std::lock_guard lock(mutex_);
  enter("inspect_swarm", false);
  require_swarm(swarm_node_id_, "inspect swarm");
  return {{"ID", "fake-swarm"},
          {"JoinTokens", {{"Worker", "SWMTKN-1-fake-worker"}, {"Manager", "SWMTKN-1-fake-manager"}}},
          {"Version", {{"Index", 1}}}};
}

json FakeEngine::list_nodes(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_nodes", false);
  require_swarm(swarm_node_id_, "list nodes");
  return json::array({{{"ID", swarm_node_id_},
                       {"Spec", {{"Role", "manager"}, {"Availability", "active"}}},
                       {"Description", {{"Hostname", "fake"}}},
                       {"Status", {{"State", "ready"}}}}});
}

FakeEngine::Service* FakeEngine::find_service_entry(const std::string& id_or_name) const {
  for (auto& s : services_)
    if (s.id == id_or_name || s.name == id_or_name) return &s;
  return nullptr;
}

json FakeEngine::service_json(const Service& s) const {
  return {{"ID", s.id}, {"Version", {{"Index", s.version}}}, {"CreatedAt", s.created_at}, {"Spec", s.spec}};
}

std::string FakeEngine::create_service(const json& spec) const {
  std::lock_guard lock(mutex_);
  std::string name = spec.value("Name", "");
  enter("create_service " + name, true);
  require_swarm(swarm_node_id_, "create service " + name);
  if (name.empty()) name = new_id("service-name").substr(0, 12);
  if (find_service_entry(name))
    throw EngineError(409, "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service " +
                               name + " already exists", "create service " + name);
  std::string image = spec.value(json::json_pointer("/TaskTemplate/ContainerSpec/Image"), std::string());
  if (image.empty()) throw EngineError(400, "ContainerSpec: image reference must be provided", "create service " + name);
  Service s{new_id("service").substr(0, 25), name, spec, 1, "fake-time-" + std::to_string(counter_), 0};
  s.spec["Name"] = name;
  services_.push_back(s);
  return s.id;
}

json FakeEngine::inspect_service(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("inspect_service " + id, false);
  require_swarm(swarm_node_id_, "inspect service " + id);
  if (Service* s = find_service_entry(id)) return service_json(*s);
  throw EngineError(404, "service " + id + " not found", "inspect service " + id);
}

void FakeEngine::update_service(const std::string& id, std::uint64_t version, const json& spec) const {
  std::lock_guard lock(mutex_);
  enter("update_service " + id, true);
  require_swarm(swarm_node_id_, "update service " + id);
  Service* s = find_service_entry(id);
  if (!s) throw EngineError(404, "service " + id + " not found", "update service " + id);
  if (version != s->version)
    throw EngineError(500, "rpc error: code = Unknown desc = update out of sequence", "update service " + id);
  s->previous_version = s->version;
  s->version += 1;
  s->spec = spec;
  s->spec["Name"] = s->name;
}

void FakeEngine::remove_service(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("remove_service " + id, true);
  require_swarm(swarm_node_id_, "remove service " + id);
  Service* s = find_service_entry(id);
  if (!s) throw EngineError(404, "service " + id + " not found", "remove service " + id);
  std::string sid = s->id;
  std::erase_if(services_, [&](const Service& x) { return x.id == sid; });
}

json FakeEngine::list_services(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_services", false);
  require_swarm(swarm_node_id_, "list services");
  json out = json::array();
  for (const auto& s : services_)
    if (matches_labels(labels_of(s.spec), filters) && any_equal(s.name, filters, "name") &&
        any_equal(s.id, filters, "id"))
      out.push_back(service_json(s));
  return out;
}

json FakeEngine::list_tasks(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_tasks", false);
  require_swarm(swarm_node_id_, "list tasks");
  json out = json::array();
  for (const auto& s : services_) {
    if (filters.count("service") && !any_equal(s.id, filters, "service") && !any_equal(s.name, filters, "service"))
      continue;
    const json& mode = s.spec.value("Mode", json::object());
    int replicas = mode.contains("Global") ? 1 : mode.value(json::json_pointer("/Replicated/Replicas"), 1);
    auto forced = task_states_.find(s.name);
    std::string state = forced == task_states_.end() ? "running" : forced->second;
    for (int slot = 1; slot <= replicas; ++slot) {
      json task = {{"ID", s.id + "." + std::to_string(slot)},
                   {"ServiceID", s.id},
                   {"Slot", slot},
                   {"NodeID", swarm_node_id_},
                   {"DesiredState", "running"},
                   {"Spec", s.spec.value("TaskTemplate", json::object())},
                   {"Status", {{"State", state}}},
                   {"Version", {{"Index", s.version}}}};
      if (!any_equal("running", filters, "desired-state")) continue;
      if (!any_equal(swarm_node_id_, filters, "node")) continue;
      out.push_back(task);
    }
  }
  return out;
}

std::string FakeEngine::create_secret(const json& spec) const {
  std::lock_guard lock(mutex_);
  std::string name = spec.value("Name", "");
  enter("create_secret " + name, true);
  require_swarm(swarm_node_id_, "create secret " + name);
  for (const auto& s : secrets_)
    if (s.name == name) throw EngineError(409, "secret " + name + " already exists", "create secret " + name);
  Secret s{new_id("secret").substr(0, 25), name, labels_of(spec)};
  secrets_.push_back(s);
  return s.id;
}

void FakeEngine::remove_secret(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("remove_secret " + id, true);
  require_swarm(swarm_node_id_, "remove secret " + id);
  auto n = std::erase_if(secrets_, [&](const Secret& s) { return s.id == id || s.name == id; });
  if (n == 0) throw EngineError(404, "secret " + id + " not found", "remove secret " + id);
}

json FakeEngine::list_secrets(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_secrets", false);
  require_swarm(swarm_node_id_, "list secrets");
  json out = json::array();
  for (const auto& s : secrets_)
    if (matches_labels(s.labels, filters) && any_equal(s.name, filters, "name"))
      out.push_back({{"ID", s.id}, {"Spec", {{"Name", s.name}, {"Labels", s.labels}}}});
  return out;
}

void FakeEngine::save_images(const std::vector<std::string>& names, const ChunkSink& sink) const {
  std::string archive;
  {
    std::lock_guard lock(mutex_);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
    enter("save_images " + list, false);
    // Not a tar: a marker only another FakeEngine's load_images understands.
    json saved = json::array();
    for (const auto& n : names) {
      Image* i = find_image_entry(n);
      if (!i) throw EngineError(404, "reference does not exist", "export images " + list);
      saved.push_back(image_json(*i));
    }
    archive = json{{"fake_saved_images", saved}}.dump();
  }
  sink(archive.data(), archive.size());
}

}  // namespace slipway::engine
