// engine::Engine — the container engine as slipway sees it: typed calls to the Docker Engine API
// (and Podman's Docker-compatible API), as an interface.
//
// This is slipway's seam to the engine (as ninja's CommandRunner and LevelDB's Env are theirs):
// apply, backup, checks and the CLI take a `const Engine&`. Production code passes the real
// client (engine/client.h, libcurl over the socket); unit tests pass the in-memory fake
// (engine/fake_engine.h), which can also fail or "die" at a chosen request.
//
// Results are the engine's own JSON (nlohmann::json) where the shape is large and stable
// (inspect, list), small structs where slipway needs a few fields. Long operations (build,
// logs, events, exec) stream through callbacks.
//
// Errors:
//   - the engine cannot be reached: EnvError "cannot reach the container engine at ADDRESS:
//     REASON (is dockerd running? set DOCKER_HOST or -H)"
//   - the engine answers with an error status: EngineError carrying the status and the
//     engine's own "message" (status() == 404 for missing objects, 409 for conflicts).
//   - a build fails inside the builder: BuildError with the builder's error text.
// Implementations are safe to use from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/transport.h"
#include "util/error.h"

namespace slipway::engine {

using json = nlohmann::json;

// The newest API version slipway knows; newer engines are spoken to in this version.
inline constexpr const char* kNewestApiVersion = "1.47";
// The oldest version slipway supports (Debian bookworm's docker.io 20.10).
inline constexpr const char* kOldestApiVersion = "1.41";

// The engine answered with an error status. what() is "<context>: <engine message>".
class EngineError : public EnvError {
 public:
  EngineError(long status, std::string engine_message, const std::string& context);
  long status() const { return status_; }
  // The engine's own "message" field (or the raw body when it was not JSON).
  const std::string& engine_message() const { return engine_message_; }
  bool not_found() const { return status_ == 404; }
  bool conflict() const { return status_ == 409; }
  bool not_modified() const { return status_ == 304; }

 private:
  long status_;
  std::string engine_message_;
};

// A build failed inside the builder (the HTTP status was 200; the error came in the stream).
// status() is 0. output() holds the builder's output up to the failure.
class BuildError : public EngineError {
 public:
  BuildError(std::string builder_message, std::string output, const std::string& context);
  const std::string& output() const { return output_; }

 private:
  std::string output_;
};

// filters=... for list and events calls: key -> values, e.g. {"label", {"a=b", "c"}}.
using Filters = std::map<std::string, std::vector<std::string>>;
using Labels = std::map<std::string, std::string>;

// {"label": ["k=v", ...]} from a label map (an empty value matches any value: "k").
Filters label_filters(const Labels& labels);

// --- build ---------------------------------------------------------------------------------

struct BuildOptions {
  std::string dockerfile = "Dockerfile";  // path inside the context
  std::vector<std::string> tags;          // t=... (each "repo:tag")
  // buildargs; a nullopt value means "declared without a value" and is left out.
  std::map<std::string, std::optional<std::string>> build_args;
  std::string target;
  Labels labels;
  bool no_cache = false;
  bool pull = false;                     // no registry here; kept for completeness
  std::string network_mode;              // networkmode for RUN steps ("" = engine default)
  std::vector<std::string> extra_hosts;  // "host:ip"
  std::string platform;
  std::vector<std::string> cache_from;
  long long shm_size = 0;  // bytes; 0 = default
};

// One line of builder output (the "stream" text split into lines, or a "status" message).
using BuildOutput = std::function<void(const std::string& line)>;

// --- containers ----------------------------------------------------------------------------

enum class StreamKind { out, err };
// A chunk of container output; false stops following.
using OutputSink = std::function<bool(StreamKind stream, const std::string& data)>;

struct LogsOptions {
  bool follow = false;
  bool stdout_ = true;
  bool stderr_ = true;
  bool timestamps = false;
  std::string tail = "all";  // "all" or a number of lines
  std::string since;         // unix timestamp or RFC 3339; empty = from the start
};

struct Output {
  std::string out;
  std::string err;
};

struct ExecOptions {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string user;
  std::string working_dir;
  bool tty = false;
  bool privileged = false;
  std::optional<std::string> stdin_data;  // written to the process's stdin, then closed
  OutputSink on_output;                   // optional live output (still captured)
};

struct ExecResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// --- events --------------------------------------------------------------------------------

struct EventsOptions {
  Filters filters;
  std::string since;  // unix timestamp; empty = now
  std::string until;  // unix timestamp; empty = follow until the callback returns false
};
// Receives each event object; returning false ends the stream.
using EventSink = std::function<bool(const json& event)>;

// One progress line of a pull (the engine's "status", with the layer "id" when it has one).
using PullOutput = std::function<void(const std::string& line)>;

class Engine {
 public:
  virtual ~Engine() = default;

  // The address of the engine (after $DOCKER_HOST resolution), for messages.
  virtual const std::string& address() const = 0;
  // Negotiated (or forced) API version, e.g. "1.41"; negotiates on first call.
  virtual std::string api_version() const = 0;

  // --- system ---
  // GET /_ping: throws the "cannot reach" EnvError when no engine answers.
  virtual void ping() const = 0;
  virtual json version() const = 0;  // GET /version
  virtual json info() const = 0;     // GET /info

  // --- images ---
  virtual json inspect_image(const std::string& name) const = 0;                      // 404 -> EngineError
  virtual json list_images(const Filters& filters = {}, bool all = false) const = 0;  // array
  // Returns the engine's list of deleted/untagged entries.
  virtual json remove_image(const std::string& name, bool force = false, bool no_prune = false) const = 0;
  virtual void tag_image(const std::string& source, const std::string& repo, const std::string& tag) const = 0;
  // POST /build with the tar context from `context`. Returns the image ID ("sha256:...").
  // Throws BuildError when the builder reports an error.
  virtual std::string build_image(const BodyReader& context, const BuildOptions& options,
                                  const BuildOutput& on_output = nullptr) const = 0;
  // POST /images/create?fromImage=REF: pulls `reference` ("repo[:tag]" or "repo@digest";
  // ":latest" when neither), reading the progress stream. Returns the image ID. Throws
  // EnvError naming the reference when the stream reports an error or no image results.
  virtual std::string pull_image(const std::string& reference, const PullOutput& on_output = nullptr) const = 0;
  // POST /images/create?fromSrc=- : a root filesystem tar becomes image repo:tag. `changes` are
  // Dockerfile instructions applied on import (e.g. "LABEL a=b", "CMD [\"bash\"]").
  // Returns the image ID.
  virtual std::string import_image(const BodyReader& tar, const std::string& repo, const std::string& tag,
                                   const std::vector<std::string>& changes = {},
                                   const std::string& message = "") const = 0;
  // POST /images/load (a `docker save` tar). Returns the engine's output lines.
  virtual std::vector<std::string> load_images(const BodyReader& tar) const = 0;

  // --- containers ---
  // POST /containers/create?name=NAME with `body` (Config fields + HostConfig +
  // NetworkingConfig). Returns the new container's ID. Name in use -> EngineError 409.
  virtual std::string create_container(const std::string& name, const json& body) const = 0;
  virtual void start_container(const std::string& id) const = 0;  // already started: no error
  // Stops (SIGTERM, then SIGKILL after timeout_seconds); already stopped: no error.
  virtual void stop_container(const std::string& id, int timeout_seconds = 10) const = 0;
  virtual void kill_container(const std::string& id, const std::string& signal = "SIGKILL") const = 0;
  virtual void restart_container(const std::string& id, int timeout_seconds = 10) const = 0;
  virtual void remove_container(const std::string& id, bool force = false, bool volumes = false) const = 0;
  virtual json inspect_container(const std::string& id) const = 0;
  // GET /containers/{id}/changes: what changed in the container's writable layer since it was
  // created, [{"Path": "/etc/motd", "Kind": 0|1|2}] (changed, added, deleted); mounts are not
  // part of it, the mount points the engine created are. null when nothing changed.
  virtual json container_changes(const std::string& id) const = 0;
  // GET /containers/json (all=true includes stopped ones). Array of summaries.
  virtual json list_containers(const Filters& filters = {}, bool all = true) const = 0;
  // Blocks until the container leaves the running state; returns its exit code.
  // condition: "not-running" (default), "next-exit" or "removed".
  virtual int wait_container(const std::string& id, const std::string& condition = "not-running") const = 0;
  virtual void rename_container(const std::string& id, const std::string& new_name) const = 0;
  virtual void pause_container(const std::string& id) const = 0;
  virtual void unpause_container(const std::string& id) const = 0;
  // Streams logs to `sink` (demultiplexed when the container has no TTY; a TTY container's
  // output is all StreamKind::out).
  virtual void logs(const std::string& id, const LogsOptions& options, const OutputSink& sink) const = 0;
  // Runs a command in a running container and waits for it.
  virtual ExecResult exec(const std::string& id, const ExecOptions& options) const = 0;
  // GET /containers/{id}/archive?path=PATH: a tar of that file or directory, in chunks.
  virtual void get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const = 0;
  // PUT /containers/{id}/archive?path=DIR: extracts the tar into DIR (which must exist).
  virtual void put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const = 0;

  // --- networks ---
  // POST /networks/create with `body` ({"Name":..., "Driver":..., "Labels":{...}, ...}).
  // Returns the network ID.
  virtual std::string create_network(const json& body) const = 0;
  virtual json inspect_network(const std::string& id) const = 0;
  virtual json list_networks(const Filters& filters = {}) const = 0;
  virtual void remove_network(const std::string& id) const = 0;
  // `endpoint` is an EndpointSettings object ({"Aliases": [...]}); null for none.
  virtual void connect_network(const std::string& network, const std::string& container,
                               const json& endpoint = nullptr) const = 0;
  virtual void disconnect_network(const std::string& network, const std::string& container,
                                  bool force = false) const = 0;

  // --- volumes ---
  // POST /volumes/create with `body` ({"Name":..., "Driver":..., "Labels":{...}}). Returns
  // the volume object.
  virtual json create_volume(const json& body) const = 0;
  virtual json inspect_volume(const std::string& name) const = 0;
  virtual json list_volumes(const Filters& filters = {}) const = 0;  // array (the "Volumes" field)
  virtual void remove_volume(const std::string& name, bool force = false) const = 0;

  // --- swarm (docs/swarm.md) ---
  // The engine's own JSON in and out, as for containers: a service spec is the API's
  // ServiceSpec object, built by the swarm planner (swarm/service_spec.h).
  // POST /swarm/init with `body` ({"ListenAddr", "AdvertiseAddr", ...}). Returns the node ID.
  virtual std::string swarm_init(const json& body) const = 0;
  // POST /swarm/join with `body` ({"ListenAddr", "AdvertiseAddr", "RemoteAddrs", "JoinToken"}).
  virtual void swarm_join(const json& body) const = 0;
  // POST /swarm/leave; not part of a swarm (503): no error.
  virtual void swarm_leave(bool force = false) const = 0;
  // GET /swarm (JoinTokens, Spec, Version); not a manager or not in a swarm -> EngineError 503.
  virtual json inspect_swarm() const = 0;
  // GET /nodes (array of Node objects: ID, Spec.Role, Status.State "ready"/"down", ...).
  virtual json list_nodes(const Filters& filters = {}) const = 0;
  // POST /services/create with a ServiceSpec. Returns the service ID. Name in use -> 409.
  virtual std::string create_service(const json& spec) const = 0;
  virtual json inspect_service(const std::string& id_or_name) const = 0;  // 404 when missing
  // POST /services/{id}/update?version=V: `version` is Version.Index of the inspect the new
  // spec was made from (an older one -> EngineError, "update out of sequence").
  virtual void update_service(const std::string& id, std::uint64_t version, const json& spec) const = 0;
  virtual void remove_service(const std::string& id_or_name) const = 0;  // 404 when missing
  virtual json list_services(const Filters& filters = {}) const = 0;     // array of Service objects
  // GET /tasks (filters: service, node, label, desired-state). Array of Task objects.
  virtual json list_tasks(const Filters& filters = {}) const = 0;
  // POST /secrets/create with a SecretSpec ({"Name", "Labels", "Data": base64}). Returns the ID.
  virtual std::string create_secret(const json& spec) const = 0;
  virtual void remove_secret(const std::string& id_or_name) const = 0;
  virtual json list_secrets(const Filters& filters = {}) const = 0;

  // --- image transfer ---
  // GET /images/get?names=...: a `docker save` tar of `names` (IDs or references), in chunks,
  // for POST /images/load on another engine (load_images).
  virtual void save_images(const std::vector<std::string>& names, const ChunkSink& sink) const = 0;

  // --- events ---
  virtual void events(const EventsOptions& options, const EventSink& sink) const = 0;

  // --- escape hatch ---
  // Any API call: `path` without the version prefix ("/containers/json?all=1"). Error
  // statuses throw EngineError with `what` as context. Returns the parsed body (null when
  // empty).
  virtual json call(const std::string& method, const std::string& path, const json& body = nullptr,
                    const std::string& what = "") const = 0;

  // A handle on the same engine that may outlive this reference (work abandoned at a timeout
  // keeps using it on its own thread).
  virtual std::shared_ptr<const Engine> share() const = 0;

  // --- conveniences, built on the calls above (not virtual) ---
  std::optional<json> find_image(const std::string& name) const;    // nullopt when missing
  std::optional<json> find_container(const std::string& id) const;  // nullopt when missing
  std::optional<json> find_network(const std::string& id) const;    // nullopt when missing
  std::optional<json> find_volume(const std::string& name) const;   // nullopt when missing
  // Collects logs (follow is ignored).
  Output logs(const std::string& id, const LogsOptions& options = {}) const;
  // The whole archive as one string.
  std::string get_archive(const std::string& id, const std::string& path) const;
  // Uploads a tar held in memory.
  void put_archive(const std::string& id, const std::string& dir, const std::string& tar) const;
};

}  // namespace slipway::engine
