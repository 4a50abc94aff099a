#include "edge/edge.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <set>

#include "edge/container.h"
#include "edge/image.h"
#include "util/state_dir.h"

namespace slipway::edge {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string label_of(const json& container, const char* key) {
  const json& labels = container["Config"]["Labels"];
  return labels.is_object() ? labels.value(key, "") : "";
}

// The root (0700, ours) and the project's directory in it (the caddy user's, or open to all when
// slipway is not root and cannot give it away: the root's mode is then the only gate).
std::string prepare_admin_dir(const std::string& root, const std::string& project) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw EnvError("cannot create the edge's admin directory " + root + ": " + ec.message());
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw EnvError("the edge's admin directory " + root + " is not a directory");
  if (st.st_uid != ::geteuid())
    throw EnvError("the edge's admin directory " + root + " belongs to uid " + std::to_string(st.st_uid) +
                   ", not to the user running slipway (remove it, or set SLIPWAY_STATE_DIR)");
  if (::chmod(root.c_str(), 0700) != 0)
    throw EnvError("cannot restrict " + root + " to its owner: " + std::strerror(errno));
  std::string dir = root + "/" + project;
  fs::create_directories(dir, ec);
  if (ec) throw EnvError("cannot create the edge's admin directory " + dir + ": " + ec.message());
  bool root_user = ::geteuid() == 0;
  if (root_user && ::chown(dir.c_str(), kEdgeUid, kEdgeUid) != 0)
    throw EnvError("cannot hand " + dir + " to the edge's user: " + std::strerror(errno));
  if (::chmod(dir.c_str(), root_user ? 0700 : 0777) != 0)
    throw EnvError("cannot set the mode of " + dir + ": " + std::strerror(errno));
  std::string socket = dir + "/" + kAdminSocketName;
  if (socket.size() >= sizeof(sockaddr_un{}.sun_path))
    throw EnvError("the edge's admin socket path " + socket + " is longer than a unix socket allows (" +
                   std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                   " bytes); set SLIPWAY_STATE_DIR to a shorter directory");
  return dir;
}

std::string socket_of(const json& container) {
  const json& mounts = container["Mounts"];
  if (mounts.is_array())
    for (const auto& m : mounts)
      if (m.value("Destination", "") == kAdminDirInContainer) return m.value("Source", "") + "/" + kAdminSocketName;
  return "";
}

// Joins the networks the edge lacks, leaves the ones no longer wanted.
void reconcile_networks(const engine::Engine& engine, const json& container, const std::vector<std::string>& wanted) {
  std::set<std::string> have;
  const json& nets = container["NetworkSettings"]["Networks"];
  if (nets.is_object())
    for (const auto& [name, _] : nets.items()) have.insert(name);
  std::string id = container["Id"];
  for (const auto& n : wanted)
    if (!have.count(n)) engine.connect_network(n, id);
  for (const auto& n : have)
    if (std::find(wanted.begin(), wanted.end(), n) == wanted.end()) engine.disconnect_network(n, id, true);
}

std::string create_and_start(const engine::Engine& engine, const plan::ContainerSpec& spec,
                             const EdgeOptions& options) {
  std::string id = engine.create_container(spec.name, spec.body);
  try {
    for (const auto& n : spec.extra_networks) engine.connect_network(n.network, id, n.endpoint);
    engine.start_container(id);
  } catch (const EnvError& e) {
    try {
      engine.remove_container(id, true);
    } catch (const std::exception&) {
    }
    std::string why = e.what();
    if (why.find("already allocated") != std::string::npos || why.find("address already in use") != std::string::npos)
      throw EnvError("the edge of " + options.project + " cannot publish its ports: " + why +
                     " (free the port, or choose others with x-slipway.edge.http / .https)");
    throw EnvError("starting the edge of " + options.project + ": " + why);
  }
  return id;
}

// Throws when the container stopped (with its last log lines), so a crash does not wait out
// the whole readiness timeout.
void check_running(const engine::Engine& engine, const std::string& id) {
  json c = engine.inspect_container(id);
  const json& state = c["State"];
  if (state.value("Running", false) && !state.value("Restarting", false)) return;
  engine::LogsOptions logs;
  logs.tail = "15";
  engine::Output out = engine.logs(id, logs);
  throw EnvError("the edge container " + c.value("Name", id) + " stopped (exit code " +
                 std::to_string(state.value("ExitCode", -1)) + "); its last output:\n" + out.out + out.err);
}

}  // namespace

std::string edge_admin_root() { return state_directory() + "/edge"; }

EdgeInstance start_edge(const engine::Engine& engine, const EdgeOptions& options) {
  EdgeInstance inst;
  EdgeImage image = ensure_edge_image(engine, options.on_build_output);
  inst.image = image.tag;
  inst.image_built = image.built;
  std::string dir =
      prepare_admin_dir(options.admin_root.empty() ? edge_admin_root() : options.admin_root, options.project);
  inst.socket_path = dir + "/" + kAdminSocketName;
  inst.front_socket_path = dir + "/" + kFrontAdminSocketName;
  bool new_volume = !engine.find_volume(edge_volume_name(options.project));
  if (new_volume) engine.create_volume(edge_volume_body(options.project, options.extra_labels));

  EdgeSpecInput in{options.project, image.tag, options.settings,    options.networks,
                   options.publish, dir,       options.extra_labels};
  in.migrate_queued = kernel_migrates_queued_connections(engine.info().value("KernelVersion", ""));
  plan::ContainerSpec spec = edge_container_spec(in);
  inst.container_name = spec.name;
  auto existing = engine.find_container(spec.name);
  if (existing && label_of(*existing, plan::label::kConfigHash) == spec.body["Labels"][plan::label::kConfigHash]) {
    inst.container_id = (*existing)["Id"];
    reconcile_networks(engine, *existing, options.networks);
    if (!(*existing)["State"].value("Running", false)) engine.start_container(inst.container_id);
  } else {
    if (existing) {
      engine.stop_container((*existing)["Id"], kEdgeStopTimeout);  // open requests finish first
      engine.remove_container((*existing)["Id"], true);
    }
    try {
      inst.container_id = create_and_start(engine, spec, options);
    } catch (const EnvError&) {
      // Leave nothing behind that this call made (the container is already gone).
      if (new_volume) try {
          engine.remove_volume(edge_volume_name(options.project));
        } catch (const std::exception&) {
        }
      throw;
    }
    inst.created = true;
  }
  inst.admin().wait_ready(options.ready_timeout, [&] { check_running(engine, inst.container_id); });
  return inst;
}

std::optional<EdgeInstance> find_edge(const engine::Engine& engine, const std::string& project) {
  json list = engine.list_containers(engine::label_filters(edge_selector(project)), true);
  if (!list.is_array() || list.empty()) return std::nullopt;
  json c = engine.inspect_container(list[0]["Id"]);
  EdgeInstance inst;
  inst.container_id = c["Id"];
  inst.container_name = c.value("Name", "");
  if (!inst.container_name.empty() && inst.container_name[0] == '/') inst.container_name.erase(0, 1);
  inst.image = c["Config"].value("Image", "");
  inst.socket_path = socket_of(c);
  if (!inst.socket_path.empty())
    inst.front_socket_path = (fs::path(inst.socket_path).parent_path() / kFrontAdminSocketName).string();
  return inst;
}

void remove_edge(const engine::Engine& engine, const std::string& project, bool remove_volume,
                 const std::string& admin_root) {
  std::set<std::string> dirs;
  dirs.insert((admin_root.empty() ? edge_admin_root() : admin_root) + "/" + project);
  json list = engine.list_containers(engine::label_filters(edge_selector(project)), true);
  for (const auto& summary : list) {
    if (auto c = engine.find_container(summary["Id"])) {
      std::string socket = socket_of(*c);
      if (!socket.empty()) dirs.insert(fs::path(socket).parent_path().string());
      engine.remove_container((*c)["Id"], true);
    }
  }
  if (remove_volume && engine.find_volume(edge_volume_name(project))) engine.remove_volume(edge_volume_name(project));
  for (const auto& dir : dirs) {
    // Only ever a directory this file made: <root>/<project>.
    if (fs::path(dir).filename() != project) continue;
    std::error_code ec;
    fs::remove(fs::path(dir) / kAdminSocketName, ec);
    fs::remove(fs::path(dir) / kFrontAdminSocketName, ec);
    fs::remove(dir, ec);
  }
}

}  // namespace slipway::edge
