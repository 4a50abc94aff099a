// FakeEngine: test controls, faults, and containers. Images, networks, volumes and archives
// are in fake_engine_objects.cc.
#include "engine/fake_engine.h"

#include <algorithm>
#include <filesystem>

#include "util/sha256.h"

namespace slipway::engine {

std::string normalize_reference(const std::string& reference) {
  if (reference.find('@') != std::string::npos) return reference;
  size_t colon = reference.rfind(':');
  bool has_tag = colon != std::string::npos && reference.find('/', colon) == std::string::npos;
  return has_tag ? reference : reference + ":latest";
}

FakeEngine::FakeEngine() {
  on_start_ = [](Container& c) {
    if (!c.health.empty()) c.health = "healthy";
  };
  on_exec_ = [](const Container&, const ExecOptions&) { return ExecResult{0, "", ""}; };
}

// --- controls and faults ------------------------------------------------------------------

void FakeEngine::allow_pull(const std::string& reference) {
  std::lock_guard lock(mutex_);
  pullable_.insert(normalize_reference(reference));
}

void FakeEngine::on_start(std::function<void(Container&)> hook) {
  std::lock_guard lock(mutex_);
  on_start_ = std::move(hook);
}

void FakeEngine::on_exec(std::function<ExecResult(const Container&, const ExecOptions&)> hook) {
  std::lock_guard lock(mutex_);
  on_exec_ = std::move(hook);
}

void FakeEngine::set_health(const std::string& id_or_name, const std::string& health) {
  std::lock_guard lock(mutex_);
  container_or_404(id_or_name).health = health;
}

void FakeEngine::set_exited(const std::string& id_or_name, int exit_code) {
  std::lock_guard lock(mutex_);
  Container& c = container_or_404(id_or_name);
  c.status = "exited";
  c.exit_code = exit_code;
}

void FakeEngine::set_logs(const std::string& id_or_name, const std::string& text) {
  std::lock_guard lock(mutex_);
  container_or_404(id_or_name).logs = text;
}

void FakeEngine::add_change(const std::string& id_or_name, const std::string& path, int kind) {
  std::lock_guard lock(mutex_);
  container_or_404(id_or_name).changes.push_back({{"Path", path}, {"Kind", kind}});
}

void FakeEngine::fail_at(int n, long status, const std::string& message, bool env_error) {
  std::lock_guard lock(mutex_);
  faults_ = Faults{};
  faults_.fail_at = n;
  faults_.status = status;
  faults_.message = message;
  faults_.env_error = env_error;
  state_changes_ = 0;
}

void FakeEngine::die_at(int n) {
  std::lock_guard lock(mutex_);
  faults_ = Faults{};
  faults_.die_at = n;
  state_changes_ = 0;
}

void FakeEngine::revive() {
  std::lock_guard lock(mutex_);
  faults_ = Faults{};
}

bool FakeEngine::dead() const {
  std::lock_guard lock(mutex_);
  return faults_.dead;
}

int FakeEngine::state_changes() const {
  std::lock_guard lock(mutex_);
  return state_changes_;
}

std::vector<std::string> FakeEngine::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void FakeEngine::clear_calls() {
  std::lock_guard lock(mutex_);
  calls_.clear();
}

std::vector<FakeEngine::Container> FakeEngine::containers() const {
  std::lock_guard lock(mutex_);
  return containers_;
}

std::optional<FakeEngine::Container> FakeEngine::container(const std::string& id_or_name) const {
  std::lock_guard lock(mutex_);
  if (Container* c = container_entry(id_or_name)) return *c;
  return std::nullopt;
}

void FakeEngine::enter(const std::string& call, bool changes_state) const {
  calls_.push_back((changes_state ? "!" : "") + call);
  auto unreachable = [&] {
    return EnvError("cannot reach the container engine at " + address_ +
                    ": the fake engine died (fault injection) (is dockerd running? set DOCKER_HOST or -H)");
  };
  if (faults_.dead) throw unreachable();
  if (!changes_state) return;
  int n = ++state_changes_;
  if (faults_.die_at > 0 && n >= faults_.die_at) {
    faults_.dead = true;
    throw unreachable();
  }
  if (faults_.fail_at == n) {
    if (faults_.env_error) throw EnvError(faults_.message);
    throw EngineError(faults_.status, faults_.message, call);
  }
}

std::string FakeEngine::new_id(const std::string& kind) const {
  return sha256_hex(kind + ":" + std::to_string(++counter_));
}

// --- containers ---------------------------------------------------------------------------

FakeEngine::Container* FakeEngine::container_entry(const std::string& id_or_name) const {
  std::string key = !id_or_name.empty() && id_or_name[0] == '/' ? id_or_name.substr(1) : id_or_name;
  if (key.empty()) return nullptr;
  for (auto& c : containers_)
    if (c.id == key || c.name == key) return &c;
  Container* prefix = nullptr;
  for (auto& c : containers_)
    if (c.id.rfind(key, 0) == 0) {
      if (prefix) return nullptr;  // ambiguous
      prefix = &c;
    }
  return prefix;
}

FakeEngine::Container& FakeEngine::container_or_404(const std::string& id_or_name) const {
  if (Container* c = container_entry(id_or_name)) return *c;
  throw EngineError(404, "No such container: " + id_or_name, "container " + id_or_name);
}

// HostConfig's Binds and Mounts as inspect reports them; named volumes are created as the
// engine does, anonymous ones get a random 64-hex name.
void FakeEngine::attach_mounts(Container& c) const {
  const json& host = c.body.contains("HostConfig") ? c.body["HostConfig"] : json::object();
  if (host.contains("Binds") && host["Binds"].is_array())
    for (const auto& b : host["Binds"]) {
      std::string s = b.get<std::string>();
      size_t a = s.find(':');
      size_t z = s.find(':', a + 1);
      c.mounts.push_back({{"Type", "bind"},
                          {"Source", s.substr(0, a)},
                          {"Destination", s.substr(a + 1, z == std::string::npos ? std::string::npos : z - a - 1)},
                          {"RW", s.find(":ro", a) == std::string::npos}});
    }
  if (host.contains("Mounts") && host["Mounts"].is_array())
    for (const auto& m : host["Mounts"]) {
      std::string type = m.value("Type", "volume");
      json mount = {{"Type", type}, {"Destination", m.value("Target", "")}, {"RW", !m.value("ReadOnly", false)}};
      if (type == "bind") {
        std::string source = m.value("Source", "");
        if (!std::filesystem::exists(source))
          throw EngineError(400, "invalid mount config for type \"bind\": bind source path does not exist: " + source,
                            "create container " + c.name);
        mount["Source"] = source;
      } else if (type == "volume") {
        std::string name = m.value("Source", "");
        if (name.empty()) name = new_id("volume");
        ensure_volume(name);
        mount["Name"] = name;
      }
      c.mounts.push_back(mount);
    }
}

std::string FakeEngine::create_container(const std::string& name, const json& body) const {
  std::lock_guard lock(mutex_);
  enter("create_container " + name, true);
  if (!name.empty() && container_entry(name) && container_entry(name)->name == name)
    throw EngineError(409, "Conflict. The container name \"/" + name + "\" is already in use",
                      "create container " + name);
  Container c;
  c.id = new_id("container");
  c.name = name.empty() ? "fake_" + c.id.substr(0, 8) : name;
  c.body = body;
  c.image_ref = body.value("Image", "");
  Image* image = find_image_entry(c.image_ref);
  if (!image) throw EngineError(404, "No such image: " + c.image_ref, "create container " + name);
  c.image_id = image->id;
  c.labels = image->labels;
  if (body.contains("Labels") && body["Labels"].is_object())
    for (const auto& [k, v] : body["Labels"].items()) c.labels[k] = v.get<std::string>();
  if (body.contains("Healthcheck") && body["Healthcheck"].is_object() &&
      !(body["Healthcheck"].contains("Test") && body["Healthcheck"]["Test"] == json::array({"NONE"})))
    c.health = "starting";
  if (body.contains("NetworkingConfig") && body["NetworkingConfig"].contains("EndpointsConfig"))
    for (const auto& [net, ep] : body["NetworkingConfig"]["EndpointsConfig"].items()) {
      if (!find_network_entry(net)) throw EngineError(404, "network " + net + " not found", "create container " + name);
      c.networks[find_network_entry(net)->name] = ep;
    }
  attach_mounts(c);
  containers_.push_back(c);
  return c.id;
}

void FakeEngine::start_container(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("start_container " + id, true);
  Container& c = container_or_404(id);
  if (c.status == "running" || c.status == "paused") return;
  for (const auto& m : c.mounts)
    if (m.value("Type", "") == "bind" && !std::filesystem::exists(m.value("Source", "")))
      throw EngineError(
          500,
          "error while creating mount source path '" + m.value("Source", "") + "': mkdir: no such file or directory",
          "start container " + id);
  c.status = "running";
  c.exit_code = 0;
  c.ever_started = true;
  if (!c.health.empty()) c.health = "starting";
  if (on_start_) on_start_(c);
}

void FakeEngine::stop_container(const std::string& id, int) const {
  std::lock_guard lock(mutex_);
  enter("stop_container " + id, true);
  Container& c = container_or_404(id);
  if (c.status != "running" && c.status != "paused") return;
  c.status = "exited";
  c.exit_code = 0;
}

void FakeEngine::kill_container(const std::string& id, const std::string&) const {
  std::lock_guard lock(mutex_);
  enter("kill_container " + id, true);
  Container& c = container_or_404(id);
  if (c.status != "running") throw EngineError(409, "Container " + id + " is not running", "kill container " + id);
  c.status = "exited";
  c.exit_code = 137;
}

void FakeEngine::restart_container(const std::string& id, int) const {
  std::lock_guard lock(mutex_);
  enter("restart_container " + id, true);
  Container& c = container_or_404(id);
  c.status = "running";
  c.ever_started = true;
  if (on_start_) on_start_(c);
}

void FakeEngine::remove_container(const std::string& id, bool force, bool volumes) const {
  std::lock_guard lock(mutex_);
  enter("remove_container " + id, true);
  Container& c = container_or_404(id);
  if ((c.status == "running" || c.status == "paused") && !force)
    throw EngineError(409, "You cannot remove a running container " + c.id + ". Stop the container before removing",
                      "remove container " + id);
  std::vector<std::string> anonymous;
  for (const auto& m : c.mounts)
    if (m.value("Type", "") == "volume" && m.value("Name", "").size() == 64) anonymous.push_back(m["Name"]);
  std::string cid = c.id;
  std::erase_if(containers_, [&](const Container& x) { return x.id == cid; });
  if (volumes)
    for (const auto& v : anonymous) {
      bool used = false;
      for (const auto& other : containers_)
        for (const auto& m : other.mounts)
          if (m.value("Name", "") == v) used = true;
      if (!used) std::erase_if(volumes_, [&](const Volume& x) { return x.name == v; });
    }
}

json FakeEngine::container_json(const Container& c) const {
  json state = {{"Status", c.status},
                {"Running", c.status == "running" || c.status == "paused"},
                {"Paused", c.status == "paused"},
                {"Restarting", false},
                {"ExitCode", c.exit_code},
                {"Pid", c.status == "running" ? 4242 : 0},
                {"StartedAt", c.ever_started ? "2024-01-01T00:00:00Z" : "0001-01-01T00:00:00Z"}};
  if (!c.health.empty()) state["Health"] = {{"Status", c.health}, {"FailingStreak", 0}, {"Log", json::array()}};
  json config = json::object();
  for (const char* k : {"Env", "Cmd", "Entrypoint", "User", "WorkingDir", "Healthcheck", "Tty", "OpenStdin"})
    if (c.body.contains(k)) config[k] = c.body[k];
  config["Image"] = c.image_ref;
  config["Labels"] = c.labels;
  json networks = json::object();
  for (const auto& [n, ep] : c.networks) {
    json e = ep.is_object() ? ep : json::object();
    if (Network* net = find_network_entry(n)) e["NetworkID"] = net->id;
    networks[n] = e;
  }
  return {{"Id", c.id},          {"Name", "/" + c.name},
          {"Image", c.image_id}, {"State", state},
          {"Config", config},    {"HostConfig", c.body.contains("HostConfig") ? c.body["HostConfig"] : json::object()},
          {"Mounts", c.mounts},  {"NetworkSettings", {{"Networks", networks}}}};
}

json FakeEngine::container_summary(const Container& c) const {
  std::string status = c.status == "running"  ? "Up 1 second"
                       : c.status == "paused" ? "Up 1 second (Paused)"
                       : c.status == "exited" ? "Exited (" + std::to_string(c.exit_code) + ") 1 second ago"
                                              : "Created";
  if (c.status == "running" && !c.health.empty())
    status += c.health == "starting" ? " (health: starting)" : " (" + c.health + ")";
  json networks = json::object();
  for (const auto& [n, ep] : c.networks) networks[n] = ep.is_object() ? ep : json::object();
  return {{"Id", c.id},           {"Names", json::array({"/" + c.name})},
          {"Image", c.image_ref}, {"ImageID", c.image_id},
          {"Labels", c.labels},   {"State", c.status},
          {"Status", status},     {"Ports", json::array()},
          {"Mounts", c.mounts},   {"NetworkSettings", {{"Networks", networks}}}};
}

json FakeEngine::inspect_container(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("inspect_container " + id, false);
  return container_json(container_or_404(id));
}

namespace {

// Docker's label filter: "k" (present) or "k=v" (equal); every one must match.
bool labels_match(const Labels& labels, const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    size_t eq = w.find('=');
    auto it = labels.find(w.substr(0, eq));
    if (it == labels.end()) return false;
    if (eq != std::string::npos && it->second != w.substr(eq + 1)) return false;
  }
  return true;
}

bool any_contains(const std::string& text, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted)
    if (text.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

bool FakeEngine::matches_labels(const Labels& labels, const Filters& filters) {
  auto it = filters.find("label");
  return it == filters.end() || labels_match(labels, it->second);
}

json FakeEngine::list_containers(const Filters& filters, bool all) const {
  std::lock_guard lock(mutex_);
  enter("list_containers", false);
  json out = json::array();
  for (const auto& c : containers_) {
    if (!all && c.status != "running" && c.status != "paused") continue;
    if (!matches_labels(c.labels, filters)) continue;
    if (filters.count("name") && !any_contains(c.name, filters.at("name"))) continue;
    if (filters.count("id") && !any_contains(c.id, filters.at("id"))) continue;
    if (filters.count("status") &&
        std::find(filters.at("status").begin(), filters.at("status").end(), c.status) == filters.at("status").end())
      continue;
    out.push_back(container_summary(c));
  }
  return out;
}

int FakeEngine::wait_container(const std::string& id, const std::string&) const {
  std::lock_guard lock(mutex_);
  enter("wait_container " + id, false);
  Container& c = container_or_404(id);
  if (c.status == "running" || c.status == "paused")
    throw EngineError(500, "fake engine: waiting for a running container would block", "wait container " + id);
  return c.exit_code;
}

void FakeEngine::rename_container(const std::string& id, const std::string& new_name) const {
  std::lock_guard lock(mutex_);
  enter("rename_container " + id + " " + new_name, true);
  Container& c = container_or_404(id);
  if (c.name == new_name)
    throw EngineError(400, "Renaming a container with the same name as its current name", "rename container " + id);
  for (const auto& other : containers_)
    if (other.name == new_name)
      throw EngineError(409,
                        "Error when allocating new name: Conflict. The container name \"/" + new_name +
                            "\" is already in use by container \"" + other.id + "\"",
                        "rename container " + id);
  c.name = new_name;
}

void FakeEngine::pause_container(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("pause_container " + id, true);
  Container& c = container_or_404(id);
  if (c.status != "running") throw EngineError(409, "Container " + id + " is not running", "pause container " + id);
  c.status = "paused";
}

void FakeEngine::unpause_container(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("unpause_container " + id, true);
  Container& c = container_or_404(id);
  if (c.status != "paused") throw EngineError(409, "Container " + id + " is not paused", "unpause container " + id);
  c.status = "running";
}

void FakeEngine::logs(const std::string& id, const LogsOptions& options, const OutputSink& sink) const {
  std::string text;
  {
    std::lock_guard lock(mutex_);
    enter("logs " + id, false);
    text = container_or_404(id).logs;
  }
  if (!text.empty() && options.stdout_) sink(StreamKind::out, text);
}

ExecResult FakeEngine::exec(const std::string& id, const ExecOptions& options) const {
  std::lock_guard lock(mutex_);
  std::string cmd;
  for (const auto& a : options.cmd) cmd += (cmd.empty() ? "" : " ") + a;
  enter("exec " + id + " " + cmd, true);
  Container& c = container_or_404(id);
  if (c.status != "running") throw EngineError(409, "Container " + c.id + " is not running", "exec in container " + id);
  ExecResult r = on_exec_(c, options);
  if (options.on_output) {
    if (!r.out.empty()) options.on_output(StreamKind::out, r.out);
    if (!r.err.empty()) options.on_output(StreamKind::err, r.err);
  }
  return r;
}

std::shared_ptr<const Engine> FakeEngine::share() const {
  return std::shared_ptr<const Engine>(this, [](const Engine*) {});  // the test owns the fake
}

}  // namespace slipway::engine
