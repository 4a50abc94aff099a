// What of a stack the engine runs right now, as backups need it: the containers per service
// (by Compose's labels), their images and generation, and where each data item lives on disk.
//
// slipway reads and replaces volume data in place: with the engine's local driver a volume is
// the directory its inspect calls Mountpoint, on the engine's host. That is what makes backups
// as fast as plain restic on the same directory, and it needs slipway to run as root on that
// host (a remote engine is not supported for backups).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backup/data.h"
#include "engine/engine.h"

namespace slipway::backup {

struct ServiceContainers {
  std::vector<std::string> running;  // ids of running (or paused) containers
  std::vector<std::string> all;      // every container id, also stopped ones
};

struct LiveStack {
  std::map<std::string, ServiceContainers> services;
  std::map<std::string, std::string> images;  // service -> image id of a running container
  std::string generation;                     // the newest io.slipway.generation among them
};

// Containers labelled com.docker.compose.project=<project> (one-off containers excluded).
LiveStack observe_stack(const engine::Engine& client, const std::string& project);

// Waits until every running container of the project that has a healthcheck reports healthy.
// Throws EnvError naming the service when one turns unhealthy, exits, or the time runs out.
void wait_healthy(const engine::Engine& client, const std::string& project, int timeout_seconds = 300);

// The host directory holding a data item. Throws EnvError when the volume does not exist, is
// not on the local driver, or its directory is not reachable from here.
std::string data_directory(const engine::Engine& client, const DataItem& item);

}  // namespace slipway::backup
