// One service of the canonical model -> the Engine API's ContainerCreate request.
//
// Every key of the service is either translated, handled elsewhere (build, depends_on, scale:
// the planner) or rejected with a UserError naming it: an option slipway does not implement
// is never silently dropped, because a container that quietly lacks a limit or a mount is
// worse than one that does not start.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/model.h"
#include "plan/labels.h"
#include "util/error.h"

namespace slipway::plan {

using ojson = nlohmann::ordered_json;

// A secret or config file the container gets. apply writes it, with this owner and mode, to
// a root-only tmpfs and bind-mounts it read-only at `target` (apply/secret_files.h).
struct FileInjection {
  std::string kind;                    // "secret" or "config"
  std::string name;                    // key in the model's secrets/configs
  std::string target;                  // absolute path inside the container
  std::string source_file;             // absolute host path, or empty
  std::string environment;             // else: the variable holding the content
  std::optional<std::string> content;  // else: inline content (configs only; not secret)
  int uid = 0;
  int gid = 0;
  int mode = 0444;

  bool operator==(const FileInjection&) const = default;
};

// A network the container joins after create: API versions before 1.44 accept only one
// endpoint in the create request.
struct NetworkAttachment {
  std::string network;      // engine network name
  nlohmann::json endpoint;  // EndpointSettings
};

struct ContainerSpec {
  std::string name;                               // container name
  nlohmann::json body;                            // ContainerCreate body (Config + HostConfig + NetworkingConfig)
  std::vector<NetworkAttachment> extra_networks;  // joined after create, before start
  std::vector<FileInjection> files;               // bind-mounted from slipway's tmpfs
  std::string platform;                           // create?platform=
  int stop_timeout = 10;                          // seconds, for stop before remove
};

struct CreateContext {
  std::string project;
  std::string service;
  int number = 1;
  std::string image;  // what to run: an image ID (preferred) or reference
  Labels labels;      // extra labels (compose + io.slipway ones) merged over the service's
  std::string api_version = "1.41";
  Location where;  // for error messages (the first config file)
};

// Throws UserError for an unsupported or malformed option ("services.web.gpus: ...").
ContainerSpec container_spec(const compose::Model& model, const CreateContext& context);
// The same for a bare model JSON (tests, and callers that hold no Project): a copy of `model`
// is viewed as the project context.project.
ContainerSpec container_spec(const ojson& model, const CreateContext& context);

// Keys of a service the create body does not read because the planner handles them.
bool planner_key(const std::string& key);

// The stop timeout in seconds from stop_grace_period (default 10).
int stop_timeout_seconds(const ojson& spec);

// API version comparison: "1.41" < "1.44".
bool api_at_least(const std::string& have, const std::string& need);

}  // namespace slipway::plan
