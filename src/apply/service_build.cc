#include "apply/service_build.h"

#include "engine/build_context.h"
#include "plan/units.h"

namespace slipway::apply {

std::string build_service_image(const engine::Client& client, const std::string& service,
                                const nlohmann::ordered_json& build, const std::string& tag,
                                const engine::BuildOutput& on_output) {
  auto fail = [&](const std::string& key, const std::string& what) {
    throw UserError("services." + service + ".build." + key + " " + what);
  };
  auto text = [](const nlohmann::ordered_json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  engine::ContextOptions context_options;
  engine::BuildOptions options;
  std::string context;
  size_t colon = tag.rfind(':');
  bool has_tag = colon != std::string::npos && tag.find('/', colon) == std::string::npos;
  options.tags.push_back(has_tag ? tag : tag + ":latest");
  for (const auto& [key, v] : build.items()) {
    if (key == "context") context = text(v);
    else if (key == "dockerfile") context_options.dockerfile = text(v);
    else if (key == "dockerfile_inline") context_options.dockerfile_inline = text(v);
    else if (key == "args") {
      for (const auto& [k, a] : v.items())
        options.build_args[k] = a.is_null() ? std::nullopt : std::optional<std::string>(text(a));
    } else if (key == "target") options.target = text(v);
    else if (key == "labels") {
      if (v.is_object())
        for (const auto& [k, l] : v.items()) options.labels[k] = text(l);
    } else if (key == "network") options.network_mode = text(v);
    else if (key == "extra_hosts") {
      if (v.is_array())
        for (const auto& h : v) {
          std::string s = text(h);
          size_t eq = s.find('=');
          options.extra_hosts.push_back(eq == std::string::npos ? s : s.substr(0, eq) + ":" + s.substr(eq + 1));
        }
    } else if (key == "shm_size") {
      auto b = plan::parse_bytes(text(v));
      if (!b) fail(key, "must be a byte size");
      options.shm_size = *b;
    } else if (key == "no_cache") options.no_cache = v.is_boolean() && v.get<bool>();
    else if (key == "pull") options.pull = v.is_boolean() && v.get<bool>();
    else if (key == "cache_from") {
      for (const auto& c : v) options.cache_from.push_back(text(c));
    } else if (key == "tags") {
      for (const auto& t : v) options.tags.push_back(text(t));
    } else if (key == "platforms") {
      if (v.size() > 1) fail(key, "with more than one platform needs buildx (build one platform)");
      if (v.size() == 1) options.platform = text(v[0]);
    } else if (key == "cache_to" || key == "provenance" || key == "sbom") {
      continue;  // BuildKit exports; the classic builder has no equivalent and the image is the same
    } else if (key.rfind("x-", 0) == 0) {
      continue;
    } else {
      fail(key, "is not supported by the classic builder slipway uses (remove it)");
    }
  }
  if (context.empty()) fail("context", "is missing");
  if (context.find("://") != std::string::npos || context.rfind("git@", 0) == 0)
    fail("context", "is a remote context; slipway builds local directories only (clone it first)");
  engine::BuildContext scanned = engine::scan_context(context, context_options);
  options.dockerfile = scanned.dockerfile;
  return client.build_image(engine::context_tar_reader(scanned), options, on_output);
}

}  // namespace slipway::apply
