// engine::FakeEngine — an in-memory engine::Engine for unit tests (as ninja's
// FakeCommandRunner and LevelDB's fault-injecting SpecialEnv are theirs).
//
// It keeps the semantics apply and backup rely on, with the real engine's statuses:
//   - containers: create (409 when the name is in use, 404 for a missing image or network,
//     400 for a bind mount whose source does not exist), start/stop/kill/restart/pause,
//     rename (409 for a name in use; 400 "Renaming a container with the same name as its
//     current name"), remove (409 while running unless forced; anonymous volumes with
//     `volumes`), inspect/list by ID, ID prefix or name, with label/name/id filters; state,
//     exit codes and health, which a test sets (on_start, set_health, set_exited);
//   - networks (create/inspect/list/remove/connect/disconnect), volumes, images
//     (inspect/list/tag/remove; build_image gives an ID derived from the context and options);
//   - exec with scripted results, put/get archive (files kept per container, reported by
//     container_changes), logs from set_logs;
//   - a log of every call.
// Faults: fail_at(n, ...) makes the n-th state-changing call throw (EngineError with a chosen
// status, or EnvError) without doing anything; die_at(n) makes the n-th state-changing call
// and every call after it throw the "cannot reach the engine" EnvError, so no rollback can
// reach the engine — a model of slipway being killed before its n-th request. revive() ends it.
//
// Starting a container checks that each bind-mount source exists on the local filesystem
// (tests point those at temporary directories), so "the host rebooted and a tmpfs is empty"
// is modelled by removing the files.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace slipway::engine {

class FakeEngine : public Engine {
 public:
  // One container as the fake keeps it. Tests may read and change it through on_start or
  // container().
  struct Container {
    std::string id;
    std::string name;  // without '/'
    std::string image_id;
    std::string image_ref;  // as given in the create body
    json body;              // the create request
    Labels labels;
    std::string status = "created";  // created, running, paused, exited
    int exit_code = 0;
    bool ever_started = false;
    std::string health;                        // "", starting, healthy, unhealthy ("" when no healthcheck)
    std::map<std::string, json> networks;      // network name -> endpoint settings
    std::vector<json> mounts;                  // inspect's Mounts
    std::map<std::string, std::string> files;  // absolute path -> content (put_archive)
    std::vector<json> changes;                 // more GET /changes entries (add_change)
    std::string logs;
  };

  FakeEngine();

  // --- test controls ---
  // Adds an image tagged `reference` (":latest" added when it has no tag) with these config
  // labels. Returns its ID.
  std::string add_image(const std::string& reference, const Labels& labels = {});
  // References pull_image succeeds for (others fail like a registry that cannot be reached).
  void allow_pull(const std::string& reference);
  // Called when a container starts (after its state became running), e.g. to set its health
  // or make it exit. By default a container with a healthcheck turns healthy.
  void on_start(std::function<void(Container&)> hook);
  void set_health(const std::string& id_or_name, const std::string& health);
  void set_exited(const std::string& id_or_name, int exit_code);
  void set_logs(const std::string& id_or_name, const std::string& text);
  // Adds an entry to what GET /containers/{id}/changes reports (kind 0 changed, 1 added,
  // 2 deleted), beside the files put_archive added.
  void add_change(const std::string& id_or_name, const std::string& path, int kind);
  // Answers exec calls (default: exit code 0, no output).
  void on_exec(std::function<ExecResult(const Container&, const ExecOptions&)> hook);

  // The n-th state-changing call (1-based, counted from now on) throws EngineError(status,
  // message) — or, with env_error, EnvError(message) — and changes nothing.
  void fail_at(int n, long status = 500, const std::string& message = "injected failure", bool env_error = false);
  // The n-th state-changing call and every call after it throw the unreachable-engine
  // EnvError and change nothing.
  void die_at(int n);
  void revive();  // clears faults; the engine answers again
  bool dead() const;
  // State-changing calls made so far (the ones that counted, including a failed one).
  int state_changes() const;
  // Every call, e.g. "create_container web-1", "inspect_container web-1" ("!" marks a
  // state-changing one: "!create_container web-1").
  std::vector<std::string> calls() const;
  void clear_calls();

  // Snapshots for assertions.
  std::vector<Container> containers() const;
  std::optional<Container> container(const std::string& id_or_name) const;
  std::vector<std::string> network_names() const;
  std::vector<std::string> volume_names() const;

  // Swarm: every task of service `name` reports `state` ("running" by default; "failed",
  // "rejected", "pending", ...) in list_tasks.
  void set_task_state(const std::string& service_name, const std::string& state);
  // Services as created/updated (their current spec), for assertions.
  std::vector<std::string> service_names() const;
  // Images as the fake holds them: IDs (save_images/load_images carry them between fakes).
  std::vector<std::string> image_ids() const;

  // --- Engine ---
  const std::string& address() const override { return address_; }
  std::string api_version() const override { return "1.41"; }
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
  void logs(const std::string& id, const LogsOptions& options, const OutputSink& sink) const override;
  ExecResult exec(const std::string& id, const ExecOptions& options) const override;
  void get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const override;
  void put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const override;
  std::string create_network(const json& body) const override;
  json inspect_network(const std::string& id) const override;
  json list_networks(const Filters& filters = {}) const override;
  void remove_network(const std::string& id) const override;
  void connect_network(const std::string& network, const std::string& container,
                       const json& endpoint = nullptr) const override;
  void disconnect_network(const std::string& network, const std::string& container, bool force = false) const override;
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
  std::shared_ptr<const Engine> share() const override;

  using Engine::get_archive;
  using Engine::logs;
  using Engine::put_archive;

 private:
  struct Image {
    std::string id;
    std::set<std::string> tags;  // "repo:tag"
    Labels labels;
  };
  struct Network {
    std::string id;
    std::string name;
    json body;
    Labels labels;
  };
  struct Volume {
    std::string name;
    std::string driver = "local";
    Labels labels;
    json options;
  };
  struct Faults {
    int fail_at = 0;
    long status = 500;
    std::string message;
    bool env_error = false;
    int die_at = 0;
    bool dead = false;
  };

  // Swarm mode (fake_engine_swarm.cc): one node, this engine, the manager.
  struct Service {
    std::string id;
    std::string name;
    json spec;
    std::uint64_t version = 1;
    std::string created_at;
    std::uint64_t previous_version = 0;  // 0: never updated
  };
  struct Secret {
    std::string id;
    std::string name;
    Labels labels;
  };
  json service_json(const Service& s) const;
  Service* find_service_entry(const std::string& id_or_name) const;

  mutable std::recursive_mutex mutex_;
  std::string address_ = "fake://engine";
  mutable int counter_ = 0;        // for IDs
  mutable int state_changes_ = 0;  // counted since the last fault was set
  mutable Faults faults_;
  mutable std::vector<std::string> calls_;
  mutable std::vector<Container> containers_;
  mutable std::vector<Image> images_;
  mutable std::vector<Network> networks_;
  mutable std::vector<Volume> volumes_;
  mutable std::string swarm_node_id_;  // empty: not part of a swarm
  mutable std::vector<Service> services_;
  mutable std::vector<Secret> secrets_;
  mutable std::map<std::string, std::string> task_states_;  // service name -> forced task state
  std::set<std::string> pullable_;
  std::function<void(Container&)> on_start_;
  std::function<ExecResult(const Container&, const ExecOptions&)> on_exec_;

  // The "label" filter of `filters` holds for `labels`.
  static bool matches_labels(const Labels& labels, const Filters& filters);
  // Logs the call; for a state-changing one, counts it and throws an injected fault.
  void enter(const std::string& call, bool changes_state) const;
  std::string new_id(const std::string& kind) const;
  Container* container_entry(const std::string& id_or_name) const;
  Container& container_or_404(const std::string& id_or_name) const;
  Image* find_image_entry(const std::string& name) const;
  Network* find_network_entry(const std::string& id_or_name) const;
  Volume* find_volume_entry(const std::string& name) const;
  Volume& ensure_volume(const std::string& name) const;
  void attach_mounts(Container& c) const;
  json container_json(const Container& c) const;
  json container_summary(const Container& c) const;
  json network_json(const Network& n) const;
  json volume_json(const Volume& v) const;
  json image_json(const Image& i) const;
  std::string store_image(const std::string& id, const std::vector<std::string>& tags, const Labels& labels) const;
};

// "repo" -> "repo:latest"; "repo:tag" and "repo@digest" unchanged.
std::string normalize_reference(const std::string& reference);

}  // namespace slipway::engine
