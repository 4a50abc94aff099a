// `slipway config`: the project model as Docker Compose's `docker compose config` prints it,
// or one list from it (--services, --volumes, --profiles, --images).
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "compose/emit.h"
#include "compose/loader.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct ConfigOptions {
  std::string format = "yaml";
  bool services = false;
  bool volumes = false;
  bool profiles = false;
  bool images = false;
  bool quiet = false;
  bool no_interpolate = false;
  bool no_normalize = false;
  bool no_path_resolution = false;
  bool no_consistency = false;
  std::string output;
};

// Services with their dependencies first, names in order otherwise (Compose walks the
// dependency graph the same way when it lists services).
std::vector<std::string> services_in_dependency_order(const nlohmann::ordered_json& model) {
  std::vector<std::string> names;
  if (!model.contains("services") || !model["services"].is_object()) return names;
  const auto& services = model["services"];
  std::vector<std::string> sorted;
  for (auto it = services.begin(); it != services.end(); ++it) sorted.push_back(it.key());
  std::sort(sorted.begin(), sorted.end());
  std::set<std::string> done, visiting;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    if (done.count(n) || visiting.count(n) || !services.contains(n)) return;
    visiting.insert(n);
    const auto& s = services[n];
    if (s.is_object() && s.contains("depends_on")) {
      std::vector<std::string> deps;
      const auto& d = s["depends_on"];
      if (d.is_object()) {
        for (auto it = d.begin(); it != d.end(); ++it) deps.push_back(it.key());
      } else if (d.is_array()) {
        for (const auto& x : d)
          if (x.is_string()) deps.push_back(x.get<std::string>());
      }
      std::sort(deps.begin(), deps.end());
      for (const auto& dep : deps) visit(dep);
    }
    visiting.erase(n);
    done.insert(n);
    names.push_back(n);
  };
  for (const auto& n : sorted) visit(n);
  return names;
}

std::vector<std::string> keys_sorted(const nlohmann::ordered_json& model, const char* key) {
  std::vector<std::string> out;
  if (model.contains(key) && model[key].is_object())
    for (auto it = model[key].begin(); it != model[key].end(); ++it) out.push_back(it.key());
  std::sort(out.begin(), out.end());
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

int run_config(const GlobalOptions& global, const ConfigOptions& o) {
  if (o.format != "yaml" && o.format != "json")
    throw UserError("unsupported --format \"" + o.format + "\" (use yaml or json)");
  compose::LoadOptions lo = global.load_options();
  lo.interpolate = !o.no_interpolate;
  lo.normalize = !o.no_normalize;
  lo.resolve_paths = !o.no_path_resolution;
  lo.consistency = !o.no_consistency;
  compose::Project project = compose::load(lo);

  std::string out;
  if (o.services) {
    out = lines(services_in_dependency_order(project.model));
  } else if (o.volumes) {
    out = lines(keys_sorted(project.model, "volumes"));
  } else if (o.profiles) {
    out = lines(project.all_profiles);
  } else if (o.images) {
    std::vector<std::string> images;
    if (project.model.contains("services") && project.model["services"].is_object()) {
      const auto& services = project.model["services"];
      for (auto it = services.begin(); it != services.end(); ++it) {
        const auto& s = it.value();
        if (s.is_object() && s.contains("image") && s["image"].is_string())
          images.push_back(s["image"].get<std::string>());
        else
          images.push_back(project.name + "-" + it.key());  // Compose's name for a built image
      }
    }
    std::sort(images.begin(), images.end());
    out = lines(images);
  } else {
    compose::EmitOptions eo;
    eo.escape_dollars = !o.no_interpolate;  // as docker compose config: re-loadable output
    out = o.format == "json" ? compose::emit_json(project.model, eo) : compose::emit_yaml(project.model, eo);
  }
  if (o.quiet) return 0;
  if (!o.output.empty()) {
    std::ofstream f(o.output, std::ios::binary | std::ios::trunc);
    if (!f) throw EnvError("cannot write " + o.output);
    f << out;
    f.close();
    if (!f) throw EnvError("cannot write " + o.output);
    return 0;
  }
  std::cout << out;
  std::cout.flush();
  return 0;
}

void setup_config(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<ConfigOptions>();
  CLI::App* sub = app.add_subcommand("config", "Print the project model as Docker Compose reads it (docker compose config)");
  sub->add_option("--format", o->format, "Output format: yaml or json")->check(CLI::IsMember({"yaml", "json"}));
  sub->add_flag("--services", o->services, "Print the service names, one per line");
  sub->add_flag("--volumes", o->volumes, "Print the volume names, one per line");
  sub->add_flag("--profiles", o->profiles, "Print the profile names, one per line");
  sub->add_flag("--images", o->images, "Print the image names, one per line");
  sub->add_flag("-q,--quiet", o->quiet, "Only validate the configuration, print nothing");
  sub->add_flag("--no-interpolate", o->no_interpolate, "Do not substitute variables");
  sub->add_flag("--no-normalize", o->no_normalize, "Do not normalize the model");
  sub->add_flag("--no-path-resolution", o->no_path_resolution, "Keep relative paths as written");
  sub->add_flag("--no-consistency", o->no_consistency, "Do not check references between resources");
  sub->add_option("-o,--output", o->output, "Write the output to this file instead of stdout");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_config(global, *o); }; });
}

const bool registered = register_command({"config", 10, setup_config});

}  // namespace
}  // namespace slipway::cli
