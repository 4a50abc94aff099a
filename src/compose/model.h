// compose::Model — the typed, read-only view of a loaded project that every later layer (plan,
// apply, checks, backup, cli) reads instead of subscripting the JSON model.
//
// The project model (Project::model) is the canonical `docker compose config` JSON. A Model and
// the views it hands out (Service, Mount, Resource, ...) hold pointers into that JSON and copy
// nothing, so they are cheap to make and to pass by value — and they are only valid while the
// Project they were made from is alive and unchanged (a view of a temporary dangles).
//
// What the canonical form guarantees, and the views rely on: services, networks, volumes,
// secrets and configs are objects keyed by name; ports and volumes are in their long form;
// depends_on is a mapping with condition and required filled in; every network and volume
// definition carries its engine name in `name:`; durations are Go duration strings. A view of a
// project loaded without normalization (`config --no-normalize`) still never crashes: a value of
// an unexpected type reads as absent.
//
// Errors: asking for a service that does not exist throws UserError (exit 2) naming it and the
// services there are; the accessors never throw otherwise. Absent values read as empty strings,
// empty lists, nullopt or false, as each accessor documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"

namespace slipway::compose {

using ojson = nlohmann::ordered_json;

// A service's `depends_on` entry (canonical: every implicit dependency, links, volumes_from and
// `service:` namespaces, is listed too).
struct Dependency {
  std::string service;
  std::string condition = "service_started";  // or service_healthy, service_completed_successfully
  bool required = true;                       // false: skipped when the service is not loaded
  bool restart = false;                       // restart this service when the dependency is recreated
};

// One entry of a service's `volumes:` (long form).
class Mount {
 public:
  explicit Mount(const ojson& spec) : spec_(&spec) {}
  const ojson& spec() const { return *spec_; }
  std::string type() const;    // "volume", "bind", "tmpfs", "image", "npipe", "cluster"
  std::string source() const;  // volume key, absolute host path, or "" (anonymous volume, tmpfs)
  std::string target() const;  // path in the container
  bool read_only() const;
  // The mount's own `x-slipway` object (e.g. {backup: true}); nullptr when absent.
  const ojson* x_slipway() const;

 private:
  const ojson* spec_;
};

// One entry of a service's `secrets:` or `configs:`.
struct FileReference {
  std::string source;  // key of the top-level secret/config
  std::string target;  // as written; "" when not given (see Service::secrets for the defaults)
  std::optional<std::string> uid, gid;
  std::optional<int> mode;  // file mode bits (0440), when given
};

// One entry of a service's `ports:` (long form; a range is already one entry per port).
struct Port {
  std::string host_ip;    // "" = all addresses
  int target = 0;         // container port
  std::string published;  // "" = not published; "8080" or a host range "8000-8010"
  std::string protocol;   // tcp, udp, sctp
  std::string mode;       // ingress or host
};

// A service's `build:` section.
struct Build {
  const ojson* spec = nullptr;  // the whole section (args, target, labels, ...)
  std::string context;          // absolute directory, or a remote URL as written
  std::string dockerfile;       // "Dockerfile" unless set; "" when dockerfile_inline is used
};

class Service {
 public:
  Service(std::string name, const ojson& spec) : name_(std::move(name)), spec_(&spec) {}

  const std::string& name() const { return name_; }
  // The whole canonical definition, for the fields no accessor covers (the container translation
  // reads every key).
  const ojson& spec() const { return *spec_; }

  // `image:` as written; "" when the service only builds.
  std::string image() const;
  // The image reference the service runs: `image:`, else the one its build makes,
  // "<project>-<service>" (Compose's name for a built image).
  std::string image_reference(const std::string& project) const;
  std::optional<Build> build() const;
  std::string pull_policy() const;  // "" when not set; "missing" for if_not_present

  // How many containers the service wants: `scale`, else deploy.replicas, else 1. UserError
  // when negative, or above 1 with a container_name.
  int replicas() const;
  std::string container_name() const;  // "" when not set
  // The name of its container `number` (1-based): container_name, else "<project>-<service>-<n>".
  std::string container_name(const std::string& project, int number) const;

  // depends_on in model order (sorted by name in the canonical form).
  std::vector<Dependency> depends_on() const;
  // Services this one needs started first: depends_on, `service:` network/ipc/pid namespaces,
  // volumes_from (not `container:`), links. Sorted, unique.
  std::vector<std::string> dependencies() const;
  // The services whose container this one's container refers to by identity at create time:
  // `service:` network/ipc/pid namespaces and volumes_from (not `container:`). Recreating one of
  // them means recreating this one. Sorted, unique.
  std::vector<std::string> identity_dependencies() const;

  bool has_healthcheck() const;  // a healthcheck that is not `disable: true` nor test [NONE]
  // `network_mode:` ("" when not set; "service:db", "host", "none", "container:x").
  std::string network_mode() const;
  // Keys of the model networks the service joins, in model order ({} with a network_mode).
  std::vector<std::string> networks() const;
  // The per-network settings (aliases, ipv4_address, priority...) or nullptr.
  const ojson* network_settings(const std::string& key) const;

  std::vector<Mount> mounts() const;  // `volumes:`
  // Keys of the named volumes it mounts read-write, in mount order, once each: the data only this
  // service's container may write (anonymous volumes belong to one container and are left out).
  std::vector<std::string> writable_volumes() const;
  // `secrets:` / `configs:`. A secret's target defaults to /run/secrets/<source> and a relative
  // target is made relative to /run/secrets; a config's defaults to /<source>.
  std::vector<FileReference> secrets() const;
  std::vector<FileReference> configs() const;
  std::vector<Port> ports() const;

  // stop_grace_period in nanoseconds; nullopt when not set (the engine's default, 10 s, applies).
  std::optional<int64_t> stop_grace_period() const;
  std::vector<std::string> profiles() const;
  // The service's `x-slipway` object; nullptr when absent.
  const ojson* x_slipway() const;

 private:
  std::vector<FileReference> file_references(const char* key, bool secret) const;

  std::string name_;
  const ojson* spec_;
};

// A top-level network or volume definition.
class Resource {
 public:
  Resource(std::string key, const ojson& spec) : key_(std::move(key)), spec_(&spec) {}
  const std::string& key() const { return key_; }  // the name services use
  const ojson& spec() const { return *spec_; }
  std::string name() const;  // the engine name (canonical `name:`)
  bool external() const;
  std::string driver() const;                                            // "" = the engine's default
  std::vector<std::pair<std::string, std::string>> driver_opts() const;  // values as text
  std::vector<std::pair<std::string, std::string>> labels() const;       // the user's labels
  const ojson* x_slipway() const;                                        // nullptr when absent

 private:
  std::string key_;
  const ojson* spec_;
};

// A top-level secret or config: where its content comes from (exactly one is set, unless
// external).
class FileObject {
 public:
  FileObject(std::string key, const ojson& spec) : key_(std::move(key)), spec_(&spec) {}
  const std::string& key() const { return key_; }
  const ojson& spec() const { return *spec_; }
  std::string name() const;
  bool external() const;
  std::string file() const;         // absolute path, or ""
  std::string environment() const;  // variable name, or ""
  // Inline content (configs only: the model never keeps a secret's content).
  std::optional<std::string> content() const;

 private:
  std::string key_;
  const ojson* spec_;
};

class Model {
 public:
  // A view of project.model; `project` must outlive the Model and every view from it.
  explicit Model(const Project& project);

  const std::string& project_name() const { return project_->name; }
  const Project& project() const { return *project_; }

  // Service names in model order (sorted by name in the canonical form).
  std::vector<std::string> service_names() const;
  // Service names so that every service comes after what it depends on (Service::dependencies),
  // ties broken by name. Throws UserError on a dependency cycle and on a required dependency on a
  // service that is not in the model; an optional one (required: false) that is absent is
  // skipped, as Compose does.
  std::vector<std::string> dependency_order() const;
  // `selected` plus everything they depend on, transitively, sorted (for `up SERVICE...`).
  // UserError for a selected service that does not exist.
  std::vector<std::string> with_dependencies(const std::vector<std::string>& selected) const;

  bool has_service(const std::string& name) const;
  // UserError "no such service: NAME (services: a, b)" when there is none: exit 2.
  Service service(const std::string& name) const;
  std::vector<Service> services() const;  // in model order

  // Top-level definitions by key, in model order; nullopt when not defined.
  std::vector<Resource> networks() const;
  std::optional<Resource> network(const std::string& key) const;
  std::vector<Resource> volumes() const;
  std::optional<Resource> volume(const std::string& key) const;
  std::vector<FileObject> secrets() const;
  std::optional<FileObject> secret(const std::string& key) const;
  std::vector<FileObject> configs() const;
  std::optional<FileObject> config(const std::string& key) const;

  // The engine name of a network/volume key: its canonical `name:`, else "<project>_<key>"
  // (also for a key that is not defined, e.g. the implicit "default" network).
  std::string network_name(const std::string& key) const;
  std::string volume_name(const std::string& key) const;

  // The top-level `x-slipway` object; nullptr when absent.
  const ojson* x_slipway() const;

 private:
  const ojson* section(const char* key) const;  // an object section of the model, or nullptr

  const Project* project_;
  const ojson* model_;
};

}  // namespace slipway::compose
