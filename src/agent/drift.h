// Drift: where what runs differs from what the repository declares, found without changing
// anything (`slipway drift`, the agent's status page). Five kinds:
//   - filesystem:    a running container of the live generation whose own filesystem changed
//                    outside its volumes, binds and tmpfs since it started (someone edited a
//                    file inside it; engine GET /containers/{id}/changes);
//   - hand-started:  a container started by hand from one of the stack's images (`docker run
//                    web:1`, `docker compose run`), which no plan knows about;
//   - undeclared:    containers, volumes and networks carrying the project's label that the
//                    Compose file does not declare (a removed service, a renamed volume);
//   - config:        a container whose config hash (the label apply writes) differs from the one
//                    the repository gives now, or one left half-replaced by an interruption;
//   - missing-image: an image of the live generation (or the tag a service runs) that is gone.
// Each finding says what to do about it.
//
// Observing (observe_drift) is the only part that talks to the engine; judging (classify_drift)
// is pure, so unit tests build DriftFacts by hand or observe a FakeEngine.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "engine/engine.h"
#include "plan/observed.h"

namespace slipway::agent {

// The commands that bring the engine back to the repository: `slipway deploy` for a stack
// deployed by generations (it has generation records), `slipway up` for one started by `up`.
struct Converge {
  bool by_generations = false;
  std::string command() const { return by_generations ? "slipway deploy" : "slipway up"; }
  std::string rebuild() const { return command() + " --build"; }
  // Starts `service` afresh from its image.
  std::string recreate(const std::string& service) const {
    return command() + (by_generations ? " --force " : " --force-recreate ") + service;
  }
  // Removes a container of a service the Compose file no longer declares (deploy leaves such
  // containers alone, and `down --remove-orphans` would stop the whole stack).
  std::string remove_orphan(const std::string& container) const {
    return by_generations ? "docker rm -f " + container : "slipway up --remove-orphans";
  }
};

enum class DriftKind { filesystem, hand_started, undeclared, config, missing_image };
std::string to_string(DriftKind kind);  // "filesystem", "hand-started", ...

struct DriftFinding {
  DriftKind kind;
  std::string object;              // container, volume or network name, or image reference
  std::string detail;              // what differs, one line
  std::string action;              // what to do, one line
  std::vector<std::string> paths;  // filesystem: the changed paths ("C /etc/motd"), at most kMaxPaths
  size_t path_count = 0;           // filesystem: how many changed paths in all
};

struct DriftReport {
  std::string project;
  std::string generation;  // the live generation ("" when nothing runs)
  std::vector<DriftFinding> findings;
  bool clean() const { return findings.empty(); }
  nlohmann::json to_json() const;
};

// A change the engine reports in a container's filesystem (Kind 0 changed, 1 added, 2 deleted).
struct FsChange {
  std::string path;
  int kind = 0;
};

// A container of the project, with what the filesystem check needs.
struct ProjectContainer {
  plan::ObservedContainer c;
  std::vector<std::string> mount_targets;  // volumes, binds, tmpfs (changes below them are data)
  std::vector<FsChange> changes;           // only read for the live generation's running containers
  bool image_present = true;               // its image ID still exists
};

// Any other container on the engine that runs one of the stack's images.
struct OtherContainer {
  std::string id, name, image_id, state;
  plan::Labels labels;
};

// Everything classify_drift judges, as observe_drift reads it from the engine.
struct DriftFacts {
  std::vector<ProjectContainer> containers;     // labelled with the project (project_containers_filter)
  std::vector<OtherContainer> others;           // not the project's, running a stack image
  std::vector<plan::ObservedNetwork> networks;  // labelled with the project
  std::vector<plan::ObservedVolume> volumes;    // labelled with the project
  std::map<std::string, std::string> images;    // each service's image reference -> ID ("" missing)
  std::string generation;                       // the live generation
  Converge converge;                            // set by the caller (the engine does not know)
};

inline constexpr size_t kMaxPaths = 20;

// The live generation: the highest io.slipway.generation among the project's running service
// containers ("" when none runs). Until `deploy` lands this is also what `up` continues.
std::string live_generation(const std::vector<plan::ObservedContainer>& containers);

// Reads the facts: two list calls, one image lookup per service image, and for each running
// container of the live generation an inspect and a changes call. Throws EnvError when the
// engine cannot be reached.
DriftFacts observe_drift(const engine::Engine& client, const compose::Project& project);

// Judges the facts against the project (pure). Findings are ordered by kind, then object.
DriftReport classify_drift(const compose::Project& project, const DriftFacts& facts);

// observe + classify; `converge` names the commands the findings advise.
DriftReport find_drift(const engine::Engine& client, const compose::Project& project, Converge converge = {});

// The human rendering: one block per finding, or "no drift".
std::string render_drift(const DriftReport& report);

}  // namespace slipway::agent
