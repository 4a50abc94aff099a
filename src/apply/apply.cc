#include "apply/apply.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "apply/tar.h"
#include "engine/image_build.h"
#include "plan/config_hash.h"
#include "apply/host_key.h"
#include "util/hmac.h"

namespace slipway::apply {

using json = nlohmann::json;
using plan::Action;
using plan::ActionType;

// --- signals ----------------------------------------------------------------------------------

namespace {

std::atomic<int> g_signals{0};
int g_depth = 0;
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  // The first signal asks apply to stop between actions; a second one means "now".
  if (g_signals.fetch_add(1) >= 1) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

bool interrupted() { return g_signals.load() > 0; }

SignalGuard::SignalGuard() {
  if (g_depth++ > 0) return;
  g_signals = 0;
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

SignalGuard::~SignalGuard() {
  if (--g_depth > 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

// --- secrets and configs ----------------------------------------------------------------------

std::string file_content(const compose::Project& project, const plan::FileInjection& file) {
  if (file.content) return *file.content;
  if (!file.environment.empty()) {
    auto it = project.environment.find(file.environment);
    if (it != project.environment.end()) return it->second;
    if (const char* v = std::getenv(file.environment.c_str())) return v;
    throw UserError(file.kind + "s." + file.name + ": variable " + file.environment +
                    " is not set (set it, or use file:)");
  }
  std::ifstream in(file.source_file, std::ios::binary);
  if (!in)
    throw UserError(file.kind + "s." + file.name + ": cannot read " + file.source_file +
                    " (create the file or fix the path)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> file_digests(const compose::Project& project) {
  std::map<std::string, std::string> out;
  for (const auto& [section, kind] : {std::pair{"secrets", "secret"}, std::pair{"configs", "config"}}) {
    if (!project.model.contains(section) || !project.model[section].is_object()) continue;
    for (const auto& [name, def] : project.model[section].items()) {
      plan::FileInjection f;
      f.kind = kind;
      f.name = name;
      if (def.contains("file") && def["file"].is_string()) f.source_file = def["file"];
      else if (def.contains("environment") && def["environment"].is_string()) f.environment = def["environment"];
      else if (def.contains("content") && def["content"].is_string()) f.content = def["content"].get<std::string>();
      else continue;
      try {
        out[std::string(kind) + ":" + name] = hmac_sha256_hex(host_key(), file_content(project, f));
      } catch (const UserError&) {
      }
    }
  }
  return out;
}

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

std::string dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

void inject_files(const engine::Client& client, const std::string& id, const compose::Project& project,
                  const std::vector<plan::FileInjection>& files) {
  for (const auto& f : files) {
    std::string content = file_content(project, f);
    std::string parent = dirname(f.target);
    std::string base = f.target.substr(f.target.rfind('/') + 1);
    try {
      client.put_archive(id, parent, make_tar({{base, content, f.mode, f.uid, f.gid}}));
      continue;
    } catch (const engine::EngineError& e) {
      if (!e.not_found()) throw;
    }
    // The directory does not exist in the image (e.g. /run/secrets): create the path.
    std::vector<TarEntry> entries;
    std::string rel = f.target.substr(1);
    for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
      entries.push_back({rel.substr(0, slash + 1), "", 0755, 0, 0});
    entries.push_back({rel, content, f.mode, f.uid, f.gid});
    client.put_archive(id, "/", make_tar(entries));
  }
}

bool covered(const json& host, const std::string& target) {
  if (host.contains("Mounts"))
    for (const auto& m : host["Mounts"])
      if (m.value("Target", "") == target) return true;
  if (host.contains("Binds"))
    for (const auto& b : host["Binds"]) {
      std::string s = b.get<std::string>();
      size_t a = s.find(':');
      if (a != std::string::npos && s.substr(a + 1, s.find(':', a + 1) - a - 1) == target) return true;
    }
  if (host.contains("Tmpfs") && host["Tmpfs"].contains(target)) return true;
  return false;
}

bool anonymous_volume_name(const std::string& name) {
  if (name.size() != 64) return false;
  return name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class Runner {
 public:
  Runner(const engine::Client& client, const compose::Project& project, const ApplyOptions& options)
      : client_(client), project_(project), options_(options) {}

  void run(const Action& a) {
    switch (a.type) {
      case ActionType::build_image: {
        // The same build as `slipway build` (same labels, so the same context hash).
        engine::ServiceBuildOptions bo;
        bo.extra_labels = engine::service_image_labels(project_.name, a.service);
        bo.on_output = options_.build_output;
        engine::build_service(client_, a.service, a.build, a.image, bo);
        return;
      }
      case ActionType::pull_image:
        return pull(a.image);
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
        create(a, prepare(a));
        return;
      case ActionType::recreate_container:
        return recreate(a);
      case ActionType::start_container:
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

 private:
  const engine::Client& client_;
  const compose::Project& project_;
  const ApplyOptions& options_;

  void warn(const std::string& message) const {
    if (options_.warn) options_.warn(message);
  }

  void pull(const std::string& ref) {
    std::string repo = ref, tag;
    size_t at = ref.find('@');
    size_t colon = ref.rfind(':');
    if (at == std::string::npos && colon != std::string::npos && ref.find('/', colon) == std::string::npos) {
      repo = ref.substr(0, colon);
      tag = ref.substr(colon + 1);
    } else if (at == std::string::npos) {
      tag = "latest";
    }
    std::string path = "/images/create?fromImage=" + engine::Client::escape(repo);
    if (!tag.empty()) path += "&tag=" + engine::Client::escape(tag);
    try {
      client_.call("POST", path, nullptr, "pull image " + ref);
    } catch (const engine::EngineError&) {
      throw;
    } catch (const EnvError&) {
      // The pull answers with a stream of progress objects, not one JSON document; whether it
      // worked is decided below by looking for the image.
    }
    if (!client_.find_image(ref))
      throw EnvError("pull image " + ref + ": the engine could not pull it (is the registry reachable? build or load the image instead)");
  }

  void remove(const Action& a) {
    unless_gone([&] {
      client_.stop_container(a.id, a.stop_timeout);
      client_.remove_container(a.id, true, a.remove_volumes);
    });
  }

  // The final request body: the image ID is known now (after a build or pull).
  json prepare(const Action& a) {
    json body = a.container->body;
    if (a.image_id.empty()) {
      std::string id = client_.inspect_image(a.image).value("Id", "");
      body["Image"] = id;
      body["Labels"][plan::label::kImage] = id;
      body["Labels"][plan::label::kConfigHash] = plan::config_hash(a.service_spec, id);
    }
    return body;
  }

  // Creates, connects, fills and starts the new container; on any failure removes it again.
  std::string create(const Action& a, const json& body) {
    std::string id = client_.create_container(a.name, body);
    try {
      for (const auto& n : a.container->extra_networks) client_.connect_network(n.network, id, n.endpoint);
      inject_files(client_, id, project_, a.container->files);
      client_.start_container(id);
    } catch (...) {
      try {
        client_.remove_container(id, true, true);
      } catch (const std::exception& e) {
        warn("could not remove the half-created container " + a.name + ": " + e.what());
      }
      throw;
    }
    return id;
  }

  void recreate(const Action& a) {
    json body = prepare(a);
    auto old = client_.find_container(a.id);
    if (!old) {
      create(a, body);
      return;
    }
    bool was_running = (*old)["State"].value("Running", false);
    // Planned before a build that turned out to give the same image: nothing to change.
    if (a.image_id.empty() && a.reason == "new image" && was_running && (*old)["Config"].contains("Labels") &&
        (*old)["Config"]["Labels"].value(plan::label::kConfigHash, "") == body["Labels"][plan::label::kConfigHash])
      return;
    // Anonymous volumes (an image's VOLUME, `- /data`) hold data too: the new container
    // mounts the old one's, as Compose does, so a recreate keeps them.
    if ((*old).contains("Mounts"))
      for (const auto& m : (*old)["Mounts"]) {
        std::string name = m.value("Name", ""), dest = m.value("Destination", "");
        if (m.value("Type", "") != "volume" || !anonymous_volume_name(name)) continue;
        json& host = body["HostConfig"];
        bool reused = false;
        if (host.contains("Mounts"))
          for (auto& mine : host["Mounts"])
            if (mine.value("Target", "") == dest && mine.value("Type", "") == "volume" && !mine.contains("Source")) {
              mine["Source"] = name;
              reused = true;
            }
        if (!reused && !covered(host, dest))
          host["Mounts"].push_back({{"Type", "volume"}, {"Source", name}, {"Target", dest}});
      }
    std::string parked = a.id.substr(0, 12) + "_" + a.name;
    client_.stop_container(a.id, a.stop_timeout);
    client_.rename_container(a.id, parked);
    try {
      create(a, body);
    } catch (...) {
      // Put the old container back the way it was.
      try {
        client_.rename_container(a.id, a.name);
        if (was_running) client_.start_container(a.id);
      } catch (const std::exception& e) {
        warn("could not restore container " + a.name + " (now named " + parked + "): " + e.what());
      }
      throw;
    }
    client_.remove_container(a.id, true, false);
  }

  void wait(const Action& a) {
    auto deadline = std::chrono::steady_clock::now() + options_.wait_timeout;
    try {
      for (;;) {
        if (interrupted()) throw Interrupted("interrupted while waiting for " + a.name);
        auto c = client_.find_container(a.name);
        if (!c) throw EnvError("container " + a.name + " does not exist (it was removed meanwhile)");
        const json& st = (*c)["State"];
        std::string status = st.value("Status", "");
        int code = st.value("ExitCode", 0);
        if (a.condition == "service_healthy") {
          if (!st.contains("Health") || !st["Health"].is_object())
            throw UserError("services." + a.service + " has no healthcheck, but a dependent waits for it to be healthy (add a healthcheck or use condition: service_started)");
          std::string health = st["Health"].value("Status", "");
          if (health == "healthy") return;
          if (health == "unhealthy") throw EnvError("container " + a.name + " is unhealthy (see `slipway logs " + a.service + "`)");
          if (status == "exited" || status == "dead")
            throw EnvError("container " + a.name + " exited with code " + std::to_string(code) + " before it became healthy");
        } else if (a.condition == "service_completed_successfully") {
          if (status == "exited" || status == "dead") {
            if (code == 0) return;
            throw EnvError("container " + a.name + " exited with code " + std::to_string(code) +
                           " (see `slipway logs " + a.service + "`)");
          }
        } else if (status == "running" || status == "exited") {
          return;
        }
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

}  // namespace

ApplyResult apply(const engine::Client& client, const compose::Project& project, const plan::Plan& plan,
                  const ApplyOptions& options) {
  std::optional<SignalGuard> guard;
  if (options.handle_signals) guard.emplace();
  Runner runner(client, project, options);
  ApplyResult result;
  size_t total = plan.actions.size();
  for (size_t i = 0; i < total; ++i) {
    const Action& a = plan.actions[i];
    if (interrupted())
      throw Interrupted("interrupted after " + std::to_string(result.done) + " of " + std::to_string(total) +
                        " changes; `slipway ps` shows the state, `slipway up` finishes the rest");
    auto start = std::chrono::steady_clock::now();
    if (options.progress) options.progress(a, i, total, false, 0);
    try {
      runner.run(a);
    } catch (const Interrupted&) {
      if (options.progress) options.progress(a, i, total, true, -1);
      throw;
    } catch (const Error& e) {
      if (options.progress) options.progress(a, i, total, true, -1);
      // The failing action was rolled back; say which one and how far the plan got.
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
  return result;
}

}  // namespace slipway::apply
