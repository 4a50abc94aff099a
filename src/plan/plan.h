// The planner: desired model + observed state -> the ordered engine changes that make the
// engine run the model. Pure, so `--dry-run` prints exactly what `up` would do and the
// tests assert on plans without an engine.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "plan/build_request.h"
#include "plan/create_body.h"
#include "plan/observed.h"

namespace slipway::plan {

enum class ActionType {
  build_image,         // build `image` from `build` (service's build section)
  pull_image,          // pull `image` from its registry
  remove_container,    // stop (stop_timeout), then remove `id`; orphans, scale-down, down
  create_network,      // POST /networks/create `body`
  create_volume,       // POST /volumes/create `body`
  create_container,    // stage `container` (files, networks), start it, rename it to `name` (apply/replace.h)
  recreate_container,  // stage the new one, stop and set aside `id`, start, rename, remove `id`
  rename_container,    // rename `id` from `from_name` to `name`: finish or undo an interrupted replacement
  start_container,     // start the existing `id`
  wait_container,      // wait until `name` meets `condition` (depends_on)
  remove_network,
  remove_volume,
};

struct Action {
  ActionType type;
  std::string name;                           // the object's engine name (container, network, volume, image)
  std::string service;                        // for container and image actions
  int number = 0;                             // container number
  std::string reason;                         // why, shown in parentheses ("config changed", "orphan")
  std::string id;                             // the existing container's ID (recreate, start, remove)
  nlohmann::json body;                        // create_network / create_volume request
  std::optional<ContainerSpec> container;     // create / recreate
  std::string image;                          // image reference the container runs or the build produces
  std::string image_id;                       // its ID when known; empty when a build/pull in this plan makes it
  bool image_built = false;                   // with an empty image_id: a build (not a pull) makes it
  nlohmann::ordered_json service_spec;        // for the config hash once a build gives the image ID
  std::optional<BuildRequest> build_request;  // build_image: what to build
  std::string condition;        // wait: service_healthy / service_completed_successfully / service_started
  bool required = true;         // wait: a failed optional dependency only warns
  bool remove_volumes = false;  // remove_container: also its anonymous volumes
  int stop_timeout = 10;        // seconds
  std::string from_name;        // rename: the container's current name
  // start: the secret/config files to put back (into files_dir) before it starts, e.g. after
  // a reboot emptied the tmpfs. remove/recreate/start: the existing container's files_dir.
  std::vector<FileInjection> files;
  std::string files_dir;

  // One line for --dry-run and progress, e.g. "recreate container web-app-1 (config changed)".
  std::string describe() const;
};

struct Plan {
  std::vector<Action> actions;
  std::vector<std::string> warnings;  // e.g. orphans left in place

  bool empty() const { return actions.empty(); }
  std::string render() const;  // describe() of each action, one per line
};

struct UpOptions {
  std::vector<std::string> services;  // empty: every service; else these and their dependencies
  bool remove_orphans = false;
  bool force_recreate = false;
  bool no_recreate = false;
  bool build = false;                // rebuild images that have a build section
  std::string role = "service";      // io.slipway.role
  std::string generation;            // io.slipway.generation; empty: the running one, else 1
  std::string api_version = "1.41";  // what the engine speaks (for version-gated options)
  // Keyed fingerprint (apply::file_digests) of each secret/config's current content, by
  // "secret:NAME" / "config:NAME". Recorded in the io.slipway.secrets-digest label of the
  // containers created; when a container's observed fingerprints differ, it is recreated
  // ("secret NAME changed"). Empty: secrets are not compared and no label is written.
  std::map<std::string, std::string> file_digests;
};

// Throws UserError for what the model asks but slipway cannot do (unsupported options,
// missing external networks/volumes, images with neither build nor local copy are pulled).
Plan plan_up(const compose::Project& project, const Observed& observed, const UpOptions& options);

struct DownOptions {
  bool volumes = false;         // -v: named volumes of the model and anonymous ones
  bool remove_orphans = false;  // containers of services no longer in the model
};

Plan plan_down(const compose::Project& project, const Observed& observed, const DownOptions& options);

// The labels every container of the project gets (without the config hash).
Labels container_labels(const compose::Project& project, const std::string& service, int number,
                        const std::string& role, const std::string& generation);

// Request bodies for the model's network/volume `key` (UserError for unsupported options).
nlohmann::json network_body(const compose::Project& project, const std::string& key);
nlohmann::json volume_body(const compose::Project& project, const std::string& key);

}  // namespace slipway::plan
