#include "apply/apply.h"

#include <optional>
#include <set>
#include <thread>

#include "apply/image_build.h"
#include "apply/observe.h"
#include "plan/config_hash.h"

namespace slipway::apply {

using json = nlohmann::json;
using plan::Action;
using plan::ActionType;

namespace {

// Removing what is already gone is done: another client (or `docker rm`) may have been first.
template <typename F>
void unless_gone(F&& remove) {
  try {
    remove();
  } catch (const engine::EngineError& e) {
    if (!e.not_found()) throw;
  }
}

class Runner {
 public:
  Runner(const engine::Engine& client, const compose::Project& project, const ApplyOptions& options)
      : client_(client),
        project_(project),
        options_(options),
        replacer_(client, project, files_place(options), [this](const std::string& m) { warn(m); }) {}

  static FilesPlace files_place(const ApplyOptions& options) {
    FilesPlace f = options.files;
    if (f.root.empty()) f.root = default_files_root();
    return f;
  }

  void run(const Action& a) {
    switch (a.type) {
      case ActionType::build_image:
        return build(a);
      case ActionType::pull_image:
        client_.pull_image(a.image, options_.build_output);
        return;
      case ActionType::remove_container:
        return remove(a);
      case ActionType::create_network:
        try {
          client_.create_network(a.body);
        } catch (const engine::EngineError& e) {
          if (!e.conflict()) throw;  // created meanwhile: fine
        }
        return;
      case ActionType::create_volume:
        client_.create_volume(a.body);
        return;
      case ActionType::create_container:
        replacer_.create(new_container(a));
        return;
      case ActionType::recreate_container:
        return recreate(a);
      case ActionType::rename_container:
        client_.rename_container(a.id, a.name);
        return;
      case ActionType::start_container:
        // After a reboot the tmpfs is empty: put the files back before the start needs them.
        replacer_.rewrite_files(a.files_dir, a.files);
        client_.start_container(a.id);
        return;
      case ActionType::wait_container:
        return wait(a);
      case ActionType::remove_network:
        return unless_gone([&] { client_.remove_network(a.name); });
      case ActionType::remove_volume:
        return unless_gone([&] { client_.remove_volume(a.name); });
    }
  }

  // Removes the files directories no container of the project references any more (left by
  // removed containers or by a run killed between writing files and creating the container).
  // Skipped when the engine cannot say which are referenced.
  void sweep() noexcept {
    try {
      std::set<std::string> referenced;
      for (const auto& c : observe_containers(client_, project_.name))
        if (!c.files_dir.empty()) referenced.insert(c.files_dir);
      FilesPlace place = files_place(options_);
      sweep_files_dirs(place.root, project_.name, referenced);
    } catch (const std::exception&) {
    }
  }

 private:
  const engine::Engine& client_;
  const compose::Project& project_;
  const ApplyOptions& options_;
  Replacer replacer_;

  void warn(const std::string& message) const {
    if (options_.warn) options_.warn(message);
  }

  void build(const Action& a) {
    // The same build as `slipway build` (same request, so the same context hash).
    ServiceBuildOptions bo;
    if (options_.build_output)
      bo.on_output = [this](const std::string&, const std::string& line) { options_.build_output(line); };
    ServiceBuildResult r = build_service(client_, *a.build_request, bo);
    if (r.up_to_date && options_.info)
      options_.info(a.service + ": image " + r.image + " is up to date (same context, options and base images), kept");
  }

  void remove(const Action& a) {
    unless_gone([&] {
      client_.stop_container(a.id, a.stop_timeout);
      client_.remove_container(a.id, true, a.remove_volumes);
    });
    replacer_.remove_files(a.files_dir);
  }

  // The final request: the image ID is known now (after a build or pull).
  NewContainer new_container(const Action& a) {
    NewContainer c;
    c.name = a.name;
    c.body = a.container->body;
    c.extra_networks = a.container->extra_networks;
    c.files = a.container->files;
    if (a.image_id.empty()) {
      std::string id = client_.inspect_image(a.image).value("Id", "");
      c.body["Image"] = id;
      c.body["Labels"][plan::label::kImage] = id;
      c.body["Labels"][plan::label::kConfigHash] = plan::config_hash(a.service_spec, id);
    }
    return c;
  }

  void recreate(const Action& a) {
    NewContainer c = new_container(a);
    // Planned before a build that turned out to give the same image: nothing to change.
    if (a.image_id.empty() && a.reason == "new image") {
      auto old = client_.find_container(a.id);
      if (old && (*old)["State"].value("Running", false) && (*old)["Config"].contains("Labels") &&
          (*old)["Config"]["Labels"].value(plan::label::kConfigHash, "") == c.body["Labels"][plan::label::kConfigHash])
        return;
    }
    replacer_.replace(a.id, c, a.stop_timeout);
  }

  // One poll of a wait: true when `a`'s condition holds; throws when it never will.
  bool condition_met(const Action& a) {
    auto c = client_.find_container(a.name);
    if (!c) throw EnvError("container " + a.name + " does not exist (it was removed meanwhile)");
    const json& st = (*c)["State"];
    std::string status = st.value("Status", "");
    int code = st.value("ExitCode", 0);
    bool ended = status == "exited" || status == "dead";
    if (a.condition == "service_healthy") {
      if (!st.contains("Health") || !st["Health"].is_object())
        throw UserError("services." + a.service +
                        " has no healthcheck, but a dependent waits for it to be healthy (add a healthcheck or use "
                        "condition: service_started)");
      std::string health = st["Health"].value("Status", "");
      if (health == "healthy") return true;
      if (health == "unhealthy")
        throw EnvError("container " + a.name + " is unhealthy (see `slipway logs " + a.service + "`)");
      if (ended)
        throw EnvError("container " + a.name + " exited with code " + std::to_string(code) +
                       " before it became healthy");
      return false;
    }
    if (a.condition == "service_completed_successfully") {
      if (ended && code != 0)
        throw EnvError("container " + a.name + " exited with code " + std::to_string(code) + " (see `slipway logs " +
                       a.service + "`)");
      return ended;
    }
    return status == "running" || status == "exited";
  }

  void wait(const Action& a) {
    auto deadline = std::chrono::steady_clock::now() + options_.wait_timeout;
    try {
      while (!condition_met(a)) {
        if (interrupted()) throw Interrupted(interrupting_signal(), "interrupted while waiting for " + a.name);
        if (std::chrono::steady_clock::now() > deadline)
          throw EnvError("container " + a.name + " did not become " +
                         (a.condition == "service_healthy" ? "healthy" : "complete") + " within " +
                         std::to_string(options_.wait_timeout.count()) + "s");
        std::this_thread::sleep_for(options_.poll_interval);
      }
    } catch (const Interrupted&) {
      throw;
    } catch (const Error& e) {
      if (a.required) throw;
      warn(std::string("optional dependency: ") + e.what());
    }
  }
};

// What an interruption after `done` of `total` actions leaves, for the Interrupted message.
std::string interruption_message(int signal, size_t done, size_t total, const Action* current) {
  std::string m = "interrupted by " + signal_name(signal) + " after " + std::to_string(done) + " of " +
                  std::to_string(total) + " changes";
  if (current)
    m += current->type == ActionType::wait_container ? " (while waiting: \"" + current->describe() + "\")"
                                                     : " (\"" + current->describe() + "\" was undone)";
  return m +
         "; nothing is half-done: every container is its old or its new version (`slipway ps` shows which); "
         "run the same command again to finish";
}

// Runs the plan's builds (when there are several) at once, bounded by the cores, before the
// other actions: independent images need not wait for each other. Returns their indexes.
std::set<size_t> build_concurrently(const engine::Engine& client, const plan::Plan& plan, const ApplyOptions& options) {
  std::vector<size_t> indexes;
  std::vector<plan::BuildRequest> requests;
  for (size_t i = 0; i < plan.actions.size(); ++i)
    if (plan.actions[i].type == ActionType::build_image && plan.actions[i].build_request) {
      indexes.push_back(i);
      requests.push_back(*plan.actions[i].build_request);
    }
  if (indexes.size() < 2) return {};
  ServiceBuildOptions bo;
  if (options.build_output)
    bo.on_output = [&](const std::string& service, const std::string& line) {
      options.build_output(service + " | " + line);
    };
  size_t total = plan.actions.size();
  try {
    build_services(client, requests, bo, 0, nullptr, [&](const ServiceBuildResult& r) {
      for (size_t k = 0; k < requests.size(); ++k)
        if (requests[k].service == r.service && options.progress)
          options.progress(plan.actions[indexes[k]], indexes[k], total, true, r.seconds);
      if (r.up_to_date && options.info)
        options.info(r.service + ": image " + r.image + " is up to date (same context, options and base images), kept");
    });
  } catch (const UserError&) {
    throw;
  } catch (const Error& e) {
    throw EnvError(std::string(e.what()) + " (no container was changed)");
  }
  return {indexes.begin(), indexes.end()};
}

}  // namespace

ApplyResult apply(const engine::Engine& client, const compose::Project& project, const plan::Plan& plan,
                  const ApplyOptions& options) {
  std::optional<SignalGuard> guard;
  if (options.handle_signals) guard.emplace();
  for (const auto& w : file_source_warnings(project, plan))
    if (options.warn) options.warn(w);
  Runner runner(client, project, options);
  ApplyResult result;
  size_t total = plan.actions.size();
  std::set<size_t> built = build_concurrently(client, plan, options);
  result.done += built.size();
  for (size_t i = 0; i < total; ++i) {
    const Action& a = plan.actions[i];
    if (built.count(i)) continue;
    if (interrupted()) {
      runner.sweep();
      throw Interrupted(interrupting_signal(),
                        interruption_message(interrupting_signal(), result.done, total, nullptr));
    }
    auto start = std::chrono::steady_clock::now();
    if (options.progress) options.progress(a, i, total, false, 0);
    try {
      runner.run(a);
    } catch (const Interrupted&) {
      if (options.progress) options.progress(a, i, total, true, -1);
      throw Interrupted(interrupting_signal(), interruption_message(interrupting_signal(), result.done, total, &a));
    } catch (const Error& e) {
      if (options.progress) options.progress(a, i, total, true, -1);
      // The failing action was undone; say which one and how far the plan got.
      std::string what = e.what();
      std::string message = what.rfind(a.describe(), 0) == 0 ? what : a.describe() + ": " + what;
      if (result.done > 0)
        message += " (" + std::to_string(result.done) + " of " + std::to_string(total) +
                   " changes were made; `slipway up` continues from there)";
      if (dynamic_cast<const UserError*>(&e)) throw UserError(message);
      throw EnvError(message);
    }
    ++result.done;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.progress) options.progress(a, i, total, true, seconds);
  }
  runner.sweep();
  return result;
}

}  // namespace slipway::apply
