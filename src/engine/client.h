// engine::Client — typed calls to the Docker Engine API (and Podman's Docker-compatible API).
//
// The client negotiates the API version on first use: it asks the engine which version it
// speaks (GET /version) and uses min(engine's ApiVersion, kNewestApiVersion), so the same
// binary works against Debian's Docker 20.10 (1.41) and current Docker (1.44+) alike. Every
// path below is then prefixed with "/v1.xx".
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
// A Client is cheap to copy (it shares its transport) and safe to use from several threads.
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

// The newest API version this client knows; newer engines are spoken to in this version.
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

struct ClientOptions {
  // "unix:///path", "tcp://host:port" or an absolute socket path. Empty: $DOCKER_HOST, else
  // unix:///var/run/docker.sock, else Podman's socket ($XDG_RUNTIME_DIR/podman/podman.sock,
  // /run/podman/podman.sock) when only that exists.
  std::string host;
  // Force an API version ("1.41") instead of negotiating; empty = negotiate.
  std::string api_version;
  // For non-streaming calls (inspect, create, ...). Streams (build, logs, events, wait,
  // exec, import) have no overall limit.
  long timeout_seconds = 120;
  long connect_timeout_seconds = 5;
};

// --- build ---------------------------------------------------------------------------------

struct BuildOptions {
  std::string dockerfile = "Dockerfile";  // path inside the context
  std::vector<std::string> tags;          // t=... (each "repo:tag")
  // buildargs; a nullopt value means "declared without a value" and is left out.
  std::map<std::string, std::optional<std::string>> build_args;
  std::string target;
  Labels labels;
  bool no_cache = false;
  bool pull = false;             // no registry here; kept for completeness
  std::string network_mode;      // networkmode for RUN steps ("" = engine default)
  std::vector<std::string> extra_hosts;  // "host:ip"
  std::string platform;
  std::vector<std::string> cache_from;
  long long shm_size = 0;        // bytes; 0 = default
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
  std::string since;          // unix timestamp or RFC 3339; empty = from the start
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

class Client {
 public:
  explicit Client(ClientOptions options = {});

  // The address the client talks to (after $DOCKER_HOST resolution), for messages.
  const std::string& address() const;
  // Negotiated (or forced) API version, e.g. "1.41"; negotiates on first call.
  std::string api_version() const;

  // --- system ---
  // GET /_ping: throws the "cannot reach" EnvError when no engine answers.
  void ping() const;
  json version() const;  // GET /version
  json info() const;     // GET /info

  // --- images ---
  json inspect_image(const std::string& name) const;                 // 404 -> EngineError
  std::optional<json> find_image(const std::string& name) const;     // nullopt when missing
  json list_images(const Filters& filters = {}, bool all = false) const;  // array
  // Returns the engine's list of deleted/untagged entries.
  json remove_image(const std::string& name, bool force = false, bool no_prune = false) const;
  void tag_image(const std::string& source, const std::string& repo, const std::string& tag) const;
  // POST /build with the tar context from `context`. Returns the image ID ("sha256:...").
  // Throws BuildError when the builder reports an error.
  std::string build_image(const BodyReader& context, const BuildOptions& options,
                          const BuildOutput& on_output = nullptr) const;
  // POST /images/create?fromSrc=- : a root filesystem tar becomes image repo:tag. `changes` are
  // Dockerfile instructions applied on import (e.g. "LABEL a=b", "CMD [\"bash\"]").
  // Returns the image ID.
  std::string import_image(const BodyReader& tar, const std::string& repo, const std::string& tag,
                           const std::vector<std::string>& changes = {},
                           const std::string& message = "") const;
  // POST /images/load (a `docker save` tar). Returns the engine's output lines.
  std::vector<std::string> load_images(const BodyReader& tar) const;

  // --- containers ---
  // POST /containers/create?name=NAME with `body` (Config fields + HostConfig +
  // NetworkingConfig). Returns the new container's ID. Name in use -> EngineError 409.
  std::string create_container(const std::string& name, const json& body) const;
  void start_container(const std::string& id) const;  // already started: no error
  // Stops (SIGTERM, then SIGKILL after timeout_seconds); already stopped: no error.
  void stop_container(const std::string& id, int timeout_seconds = 10) const;
  void kill_container(const std::string& id, const std::string& signal = "SIGKILL") const;
  void restart_container(const std::string& id, int timeout_seconds = 10) const;
  void remove_container(const std::string& id, bool force = false, bool volumes = false) const;
  json inspect_container(const std::string& id) const;
  std::optional<json> find_container(const std::string& id) const;
  // GET /containers/json (all=true includes stopped ones). Array of summaries.
  json list_containers(const Filters& filters = {}, bool all = true) const;
  // Blocks until the container leaves the running state; returns its exit code.
  // condition: "not-running" (default), "next-exit" or "removed".
  int wait_container(const std::string& id, const std::string& condition = "not-running") const;
  void rename_container(const std::string& id, const std::string& new_name) const;
  void pause_container(const std::string& id) const;
  void unpause_container(const std::string& id) const;
  // Streams logs to `sink` (demultiplexed when the container has no TTY; a TTY container's
  // output is all StreamKind::out).
  void logs(const std::string& id, const LogsOptions& options, const OutputSink& sink) const;
  // Collects logs (follow is ignored).
  Output logs(const std::string& id, const LogsOptions& options = {}) const;
  // Runs a command in a running container and waits for it.
  ExecResult exec(const std::string& id, const ExecOptions& options) const;
  // GET /containers/{id}/archive?path=PATH: a tar of that file or directory.
  std::string get_archive(const std::string& id, const std::string& path) const;
  void get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const;
  // PUT /containers/{id}/archive?path=DIR: extracts the tar into DIR (which must exist).
  void put_archive(const std::string& id, const std::string& dir, const std::string& tar) const;
  void put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const;

  // --- networks ---
  // POST /networks/create with `body` ({"Name":..., "Driver":..., "Labels":{...}, ...}).
  // Returns the network ID.
  std::string create_network(const json& body) const;
  json inspect_network(const std::string& id) const;
  std::optional<json> find_network(const std::string& id) const;
  json list_networks(const Filters& filters = {}) const;
  void remove_network(const std::string& id) const;
  // `endpoint` is an EndpointSettings object ({"Aliases": [...]}); null for none.
  void connect_network(const std::string& network, const std::string& container,
                       const json& endpoint = nullptr) const;
  void disconnect_network(const std::string& network, const std::string& container,
                          bool force = false) const;

  // --- volumes ---
  // POST /volumes/create with `body` ({"Name":..., "Driver":..., "Labels":{...}}). Returns
  // the volume object.
  json create_volume(const json& body) const;
  json inspect_volume(const std::string& name) const;
  std::optional<json> find_volume(const std::string& name) const;
  json list_volumes(const Filters& filters = {}) const;  // array (the "Volumes" field)
  void remove_volume(const std::string& name, bool force = false) const;

  // --- events ---
  void events(const EventsOptions& options, const EventSink& sink) const;

  // --- escape hatch ---
  // Any API call: `path` without the version prefix ("/containers/json?all=1"). Error
  // statuses throw EngineError with `what` as context. Returns the parsed body (null when
  // empty).
  json call(const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& what = "") const;

  // URL-encodes one query component.
  static std::string escape(const std::string& s);

 private:
  struct State;
  std::shared_ptr<State> state_;

  Response send(Request request, const ChunkSink& sink = nullptr) const;
  std::string versioned(const std::string& path) const;
};

}  // namespace slipway::engine
