#include "backup/live.h"

#include "apply/observe.h"

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "util/error.h"

namespace slipway::backup {

LiveStack observe_stack(const engine::Client& client, const std::string& project) {
  LiveStack live;
  auto list = client.list_containers(apply::project_containers_filter(project), true);
  long newest = -1;
  for (const auto& c : list) {
    const auto& labels = c.contains("Labels") && c["Labels"].is_object() ? c["Labels"] : engine::json::object();
    if (labels.value("com.docker.compose.oneoff", "False") == "True") continue;
    std::string service = labels.value("com.docker.compose.service", "");
    if (service.empty()) continue;
    std::string id = c.value("Id", "");
    std::string state = c.value("State", "");
    auto& sc = live.services[service];
    sc.all.push_back(id);
    if (state == "running" || state == "paused" || state == "restarting") {
      sc.running.push_back(id);
      if (!live.images.count(service)) live.images[service] = c.value("ImageID", "");
    }
    std::string gen = labels.value("io.slipway.generation", "");
    try {
      long g = gen.empty() ? -1 : std::stol(gen);
      if (g > newest) {
        newest = g;
        live.generation = gen;
      }
    } catch (const std::exception&) {
    }
  }
  return live;
}

void wait_healthy(const engine::Client& client, const std::string& project, int timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    std::string waiting;
    auto list = client.list_containers(apply::project_containers_filter(project), true);
    for (const auto& c : list) {
      auto info = client.inspect_container(c.value("Id", ""));
      const auto& st = info["State"];
      std::string service = info["Config"]["Labels"].value("com.docker.compose.service", info.value("Name", ""));
      if (!st.contains("Health") || !st["Health"].is_object()) continue;
      std::string h = st["Health"].value("Status", "");
      if (!st.value("Running", false))
        throw EnvError("service " + service + " exited while slipway waited for it to become healthy");
      if (h == "unhealthy") throw EnvError("service " + service + " is unhealthy");
      if (h != "healthy") waiting = service;
    }
    if (waiting.empty()) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw EnvError("service " + waiting + " did not become healthy within " + std::to_string(timeout_seconds) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::string data_directory(const engine::Client& client, const DataItem& item) {
  std::string dir;
  if (item.kind == DataItem::bind) {
    dir = item.name;
  } else {
    auto v = client.find_volume(item.name);
    if (!v)
      throw EnvError("volume " + item.name + " does not exist (start the stack with `slipway up`, or restore into it)");
    std::string driver = v->value("Driver", "local");
    if (driver != "local")
      throw EnvError("volume " + item.name + " uses the " + driver +
                     " driver; slipway backs up only local volumes (back that storage up where it lives)");
    dir = v->value("Mountpoint", "");
  }
  struct stat st;
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw EnvError("cannot reach the data of " + item.name + " at " + (dir.empty() ? "(no mountpoint)" : dir) +
                   " (slipway reads volumes in place: run it as root on the engine's host)");
  return dir;
}

}  // namespace slipway::backup
