// engine::Client — the real engine: the Engine interface (engine/engine.h) spoken over the
// engine's socket with libcurl (engine/transport.h).
//
// The client negotiates the API version on first use: it asks the engine which version it
// speaks (GET /version) and uses min(engine's ApiVersion, kNewestApiVersion), so the same
// binary works against Debian's Docker 20.10 (1.41) and current Docker (1.44+) alike. Every
// path is then prefixed with "/v1.xx".
//
// A Client is cheap to copy (it shares its transport) and safe to use from several threads.
#pragma once

#include <memory>
#include <string>

#include "engine/engine.h"

namespace slipway::engine {

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

class Client final : public Engine {
 public:
  explicit Client(ClientOptions options = {});

  const std::string& address() const override;
  std::string api_version() const override;

  void ping() const override;
  json version() const override;
  json info() const override;

  json inspect_image(const std::string& name) const override;
  json list_images(const Filters& filters = {}, bool all = false) const override;
  json remove_image(const std::string& name, bool force = false, bool no_prune = false) const override;
  void tag_image(const std::string& source, const std::string& repo, const std::string& tag) const override;
  std::string build_image(const BodyReader& context, const BuildOptions& options,
                          const BuildOutput& on_output = nullptr) const override;
  std::string pull_image(const std::string& reference, const PullOutput& on_output = nullptr) const override;
  std::string import_image(const BodyReader& tar, const std::string& repo, const std::string& tag,
                           const std::vector<std::string>& changes = {},
                           const std::string& message = "") const override;
  std::vector<std::string> load_images(const BodyReader& tar) const override;

  std::string create_container(const std::string& name, const json& body) const override;
  void start_container(const std::string& id) const override;
  void stop_container(const std::string& id, int timeout_seconds = 10) const override;
  void kill_container(const std::string& id, const std::string& signal = "SIGKILL") const override;
  void restart_container(const std::string& id, int timeout_seconds = 10) const override;
  void remove_container(const std::string& id, bool force = false, bool volumes = false) const override;
  json inspect_container(const std::string& id) const override;
  json container_changes(const std::string& id) const override;
  json list_containers(const Filters& filters = {}, bool all = true) const override;
  int wait_container(const std::string& id, const std::string& condition = "not-running") const override;
  void rename_container(const std::string& id, const std::string& new_name) const override;
  void pause_container(const std::string& id) const override;
  void unpause_container(const std::string& id) const override;
  using Engine::logs;
  void logs(const std::string& id, const LogsOptions& options, const OutputSink& sink) const override;
  ExecResult exec(const std::string& id, const ExecOptions& options) const override;
  using Engine::get_archive;
  void get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const override;
  using Engine::put_archive;
  void put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const override;

  std::string create_network(const json& body) const override;
  json inspect_network(const std::string& id) const override;
  json list_networks(const Filters& filters = {}) const override;
  void remove_network(const std::string& id) const override;
  void connect_network(const std::string& network, const std::string& container,
                       const json& endpoint = nullptr) const override;
  void disconnect_network(const std::string& network, const std::string& container,
                          bool force = false) const override;

  json create_volume(const json& body) const override;
  json inspect_volume(const std::string& name) const override;
  json list_volumes(const Filters& filters = {}) const override;
  void remove_volume(const std::string& name, bool force = false) const override;

  std::string swarm_init(const json& body) const override;
  void swarm_join(const json& body) const override;
  void swarm_leave(bool force = false) const override;
  json inspect_swarm() const override;
  json list_nodes(const Filters& filters = {}) const override;
  std::string create_service(const json& spec) const override;
  json inspect_service(const std::string& id_or_name) const override;
  void update_service(const std::string& id, std::uint64_t version, const json& spec) const override;
  void remove_service(const std::string& id_or_name) const override;
  json list_services(const Filters& filters = {}) const override;
  json list_tasks(const Filters& filters = {}) const override;
  std::string create_secret(const json& spec) const override;
  void remove_secret(const std::string& id_or_name) const override;
  json list_secrets(const Filters& filters = {}) const override;
  void save_images(const std::vector<std::string>& names, const ChunkSink& sink) const override;

  void events(const EventsOptions& options, const EventSink& sink) const override;

  json call(const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& what = "") const override;

  std::shared_ptr<const Engine> share() const override { return std::make_shared<Client>(*this); }

  // URL-encodes one query component.
  static std::string escape(const std::string& s);

 private:
  struct State;
  std::shared_ptr<State> state_;

  Response send(Request request, const ChunkSink& sink = nullptr) const;
  std::string versioned(const std::string& path) const;
};

}  // namespace slipway::engine
