// What the engine runs for one project, as the planner needs it. Filled by apply/observe from
// the engine's labels (the truth about what runs); built by hand in unit tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plan/labels.h"

namespace slipway::plan {

struct ObservedContainer {
  std::string id;
  std::string name;         // without the leading '/'
  std::string service;      // com.docker.compose.service
  int number = 0;           // com.docker.compose.container-number
  std::string config_hash;  // com.docker.compose.config-hash
  std::string image_id;     // the image the container was created from
  std::string state;        // created, running, paused, restarting, exited, dead, removing
  std::string health;       // "", starting, healthy, unhealthy
  int exit_code = 0;
  bool oneoff = false;
  Labels labels;
  // Keyed fingerprints (HMAC-SHA256, per-host key) of the secret/config files inside, by target
  // path: from the io.slipway.secrets-digest label, or, for a container created without it,
  // read from inside when the observer was asked to look (never the contents themselves).
  std::map<std::string, std::string> file_digests;
  // The host directory holding the container's secret/config files (io.slipway.files-dir;
  // apply/secret_files.h), empty for containers without any or made by an older slipway.
  std::string files_dir;

  bool running() const { return state == "running" || state == "restarting" || state == "paused"; }
  // The stack's edge proxy (io.slipway.role=edge): labelled with the project but no service of
  // the model, and never an orphan: the edge layer starts and removes it (src/edge, src/deploy).
  bool edge() const {
    auto it = labels.find(label::kRole);
    return it != labels.end() && it->second == "edge";
  }
};

struct ObservedNetwork {
  std::string id;
  std::string name;
  Labels labels;
};

struct ObservedVolume {
  std::string name;
  Labels labels;
};

struct Observed {
  std::vector<ObservedContainer> containers;  // the project's containers (by project label)
  std::vector<ObservedNetwork> networks;      // the networks the model names (by name) + labelled ones
  std::vector<ObservedVolume> volumes;        // the volumes the model names (by name) + labelled ones
  std::map<std::string, std::string> images;  // image reference -> image ID, for the model's images

  const ObservedNetwork* network(const std::string& name) const;
  const ObservedVolume* volume(const std::string& name) const;
};

}  // namespace slipway::plan
