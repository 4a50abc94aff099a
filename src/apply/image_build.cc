#include "apply/image_build.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/build_context.h"
#include "util/sha256.h"
#include "util/text.h"

namespace slipway::apply {

using json = nlohmann::json;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool looks_like_pull_failure(const std::string& m) {
  std::string l = lower(m);
  for (const char* s : {"pull access denied", "repository does not exist", "registry-1.docker.io", "no such host",
                        "dial tcp", "manifest unknown", "not found: manifest", "connection refused", "i/o timeout",
                        "no such image", "failed to resolve", "unauthorized"})
    if (l.find(s) != std::string::npos) return true;
  return false;
}

engine::BuildOptions engine_options(const plan::BuildRequest& r, const engine::BuildContext& ctx) {
  engine::BuildOptions o;
  o.dockerfile = ctx.dockerfile;
  o.tags = r.tags;
  o.build_args = r.args;
  o.target = r.target;
  o.labels = r.labels;
  o.no_cache = r.no_cache;
  o.pull = r.pull;
  o.network_mode = r.network;
  o.extra_hosts = r.extra_hosts;
  o.platform = r.platform;
  o.cache_from = r.cache_from;
  o.shm_size = r.shm_size;
  return o;
}

std::string dockerfile_text(const engine::BuildContext& ctx) {
  for (const auto& e : ctx.entries)
    if (e.path == ctx.dockerfile) return e.source.empty() ? e.content : read_text(e.source);
  return "";
}

// What decides the image's content: files, options, and the exact base images.
std::string context_hash(const engine::Engine& engine, const engine::BuildContext& ctx, const engine::BuildOptions& o,
                         const std::vector<std::string>& bases) {
  nlohmann::ordered_json key;
  key["context"] = ctx.hash;
  key["dockerfile"] = o.dockerfile;
  nlohmann::ordered_json args = nlohmann::ordered_json::object();
  for (const auto& [k, v] : o.build_args)
    if (v) args[k] = *v;
  key["args"] = args;
  key["target"] = o.target;
  key["labels"] = o.labels;
  key["network"] = o.network_mode;
  key["extra_hosts"] = o.extra_hosts;
  key["platform"] = o.platform;
  key["shm_size"] = o.shm_size;
  nlohmann::ordered_json base_ids = nlohmann::ordered_json::object();
  for (const auto& b : bases) {
    auto img = engine.find_image(b);
    base_ids[b] = img && img->contains("Id") ? (*img)["Id"].get<std::string>() : "";
  }
  key["bases"] = base_ids;
  return sha256_hex(key.dump());
}

// The failed build's error, explained when a base image is missing locally.
[[noreturn]] void explain(const engine::Engine& engine, const engine::BuildError& e, const std::string& service,
                          const std::string& last_step, const std::vector<std::string>& bases) {
  bool at_from = lower(last_step).find(" : from ") != std::string::npos;
  if (at_from || looks_like_pull_failure(e.engine_message())) {
    for (const auto& b : bases) {
      if (engine.find_image(b)) continue;
      std::string how = lower(b).rfind("debian:", 0) == 0
                            ? "create it from Debian's packages with `slipway base " + b + "`"
                            : "load it with `docker load -i FILE.tar` or build it first";
      throw EnvError("service " + service + ": base image " + b +
                     " is not available locally and could not be pulled (no registry reachable); " + how);
    }
  }
  throw engine::BuildError(e.engine_message(), e.output(), "build of service " + service + " failed");
}

}  // namespace

ServiceBuildResult build_service(const engine::Engine& engine, const plan::BuildRequest& request,
                                 const ServiceBuildOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  engine::ContextOptions co;
  co.dockerfile = request.dockerfile;
  co.dockerfile_inline = request.dockerfile_inline;
  engine::BuildContext ctx = engine::scan_context(request.context, co);
  engine::BuildOptions o = engine_options(request, ctx);
  if (options.no_cache) o.no_cache = true;

  ServiceBuildResult result;
  result.service = request.service;
  result.image = o.tags.front();
  result.context_bytes = ctx.total_bytes;
  result.context_files = ctx.entries.size();
  std::vector<std::string> bases = plan::dockerfile_base_images(dockerfile_text(ctx), o.build_args);
  result.context_hash = context_hash(engine, ctx, o, bases);

  if (!o.no_cache) {
    if (auto existing = engine.find_image(result.image)) {
      const json& cfg = (*existing)["Config"];
      if (cfg.is_object() && cfg.contains("Labels") && cfg["Labels"].is_object() &&
          cfg["Labels"].value(kContextHashLabel, "") == result.context_hash) {
        result.up_to_date = true;
        result.image_id = (*existing)["Id"];
        result.seconds = seconds();
        return result;
      }
    }
  }

  o.labels[kContextHashLabel] = result.context_hash;
  std::string last_step;
  engine::BuildOutput relay = [&](const std::string& line) {
    if (line.rfind("Step ", 0) == 0) last_step = line;
    if (options.on_output) options.on_output(request.service, line);
  };
  try {
    result.image_id = engine.build_image(engine::context_tar_reader(ctx), o, relay);
  } catch (const engine::BuildError& e) {
    explain(engine, e, request.service, last_step, bases);
  }
  result.seconds = seconds();
  return result;
}

std::string dockerfile_path_of(const plan::BuildRequest& r) {
  std::string df = r.dockerfile.empty() ? "Dockerfile" : r.dockerfile;
  return df[0] == '/' ? df : r.context + "/" + df;
}

std::string dockerfile_text_of(const plan::BuildRequest& r) {
  if (!r.dockerfile_inline.empty()) return r.dockerfile_inline;
  std::ifstream in(dockerfile_path_of(r), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> base_images_of(const plan::BuildRequest& r) {
  std::string text = dockerfile_text_of(r);
  if (text.empty()) return {};
  try {
    return plan::dockerfile_base_images(text, r.args);
  } catch (const Error&) {
    return {};
  }
}

namespace {

// The indexes of the requests `i` builds FROM (their first tag is one of its base images).
std::vector<size_t> build_dependencies(const std::vector<plan::BuildRequest>& requests, size_t i) {
  std::vector<size_t> out;
  std::vector<std::string> bases = base_images_of(requests[i]);
  for (size_t j = 0; j < requests.size(); ++j)
    for (const auto& t : requests[j].tags)
      if (j != i && std::find(bases.begin(), bases.end(), t) != bases.end()) out.push_back(j);
  return out;
}

}  // namespace

std::vector<ServiceBuildResult> build_services(const engine::Engine& engine,
                                               const std::vector<plan::BuildRequest>& requests,
                                               const ServiceBuildOptions& options, unsigned jobs,
                                               const std::function<void(const plan::BuildRequest&)>& started,
                                               const std::function<void(const ServiceBuildResult&)>& finished) {
  size_t n = requests.size();
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::vector<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i) deps[i] = build_dependencies(requests, i);
  std::vector<ServiceBuildResult> results(n);
  std::vector<int> state(n, 0);  // 0 waiting, 1 building, 2 done
  std::exception_ptr first_error;
  std::mutex m;
  std::condition_variable cv;
  std::mutex output_mutex;  // callbacks one at a time
  ServiceBuildOptions serial = options;
  if (options.on_output)
    serial.on_output = [&](const std::string& service, const std::string& line) {
      std::lock_guard lock(output_mutex);
      options.on_output(service, line);
    };
  auto worker = [&] {
    for (;;) {
      size_t pick = n;
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] {
          if (first_error) return true;
          pick = n;
          bool any_waiting = false;
          for (size_t i = 0; i < n && pick == n; ++i) {
            if (state[i] != 0) continue;
            any_waiting = true;
            bool ready = std::all_of(deps[i].begin(), deps[i].end(), [&](size_t d) { return state[d] == 2; });
            if (ready) pick = i;
          }
          // A cycle of FROMs (or a base the builder never needs): do not wait for ever.
          bool building = std::find(state.begin(), state.end(), 1) != state.end();
          if (pick == n && any_waiting && !building)
            pick = static_cast<size_t>(std::find(state.begin(), state.end(), 0) - state.begin());
          return pick != n || !any_waiting;
        });
        if (first_error || pick == n) return;
        state[pick] = 1;
      }
      try {
        if (started) {
          std::lock_guard lock(output_mutex);
          started(requests[pick]);
        }
        results[pick] = build_service(engine, requests[pick], serial);
        if (finished) {
          std::lock_guard lock(output_mutex);
          finished(results[pick]);
        }
      } catch (...) {
        std::lock_guard lock(m);
        if (!first_error) first_error = std::current_exception();
      }
      {
        std::lock_guard lock(m);
        state[pick] = 2;
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::min<size_t>(jobs, n); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

}  // namespace slipway::apply
