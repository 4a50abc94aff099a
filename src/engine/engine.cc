#include "engine/engine.h"

#include <algorithm>

namespace slipway::engine {
namespace {

template <typename F>
std::optional<json> unless_missing(F&& f) {
  try {
    return f();
  } catch (const EngineError& e) {
    if (e.not_found()) return std::nullopt;
    throw;
  }
}

}  // namespace

std::optional<json> Engine::find_image(const std::string& name) const {
  return unless_missing([&] { return inspect_image(name); });
}

std::optional<json> Engine::find_container(const std::string& id) const {
  return unless_missing([&] { return inspect_container(id); });
}

std::optional<json> Engine::find_network(const std::string& id) const {
  return unless_missing([&] { return inspect_network(id); });
}

std::optional<json> Engine::find_volume(const std::string& name) const {
  return unless_missing([&] { return inspect_volume(name); });
}

Output Engine::logs(const std::string& id, const LogsOptions& options) const {
  LogsOptions o = options;
  o.follow = false;
  Output out;
  logs(id, o, [&](StreamKind k, const std::string& d) {
    (k == StreamKind::out ? out.out : out.err) += d;
    return true;
  });
  return out;
}

std::string Engine::get_archive(const std::string& id, const std::string& path) const {
  std::string tar;
  get_archive(id, path, [&](const char* d, size_t n) {
    tar.append(d, n);
    return true;
  });
  return tar;
}

void Engine::put_archive(const std::string& id, const std::string& dir, const std::string& tar) const {
  size_t offset = 0;
  put_archive(id, dir, BodyReader([&](char* buffer, size_t capacity) {
                size_t n = std::min(capacity, tar.size() - offset);
                std::copy_n(tar.data() + offset, n, buffer);
                offset += n;
                return n;
              }));
}

}  // namespace slipway::engine
