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
#include "compose/model.h"
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
// Unlike Model::dependency_order this never fails: a cycle or an unknown dependency (possible
// with --no-consistency) is skipped, as Compose lists such a project too.
std::vector<std::string> services_in_dependency_order(const compose::Model& model) {
  std::vector<std::string> names;
  std::vector<std::string> sorted = model.service_names();
  std::sort(sorted.begin(), sorted.end());
  std::set<std::string> done, visiting;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    if (done.count(n) || visiting.count(n) || !model.has_service(n)) return;
    visiting.insert(n);
    std::vector<std::string> deps;
    for (const auto& d : model.service(n).depends_on()) deps.push_back(d.service);
    std::sort(deps.begin(), deps.end());
    for (const auto& dep : deps) visit(dep);
    visiting.erase(n);
    done.insert(n);
    names.push_back(n);
  };
  for (const auto& n : sorted) visit(n);
  return names;
}

std::vector<std::string> volume_keys_sorted(const compose::Model& model) {
  std::vector<std::string> out;
  for (const auto& v : model.volumes()) out.push_back(v.key());
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

  compose::Model model(project);
  std::string out;
  if (o.services) {
    out = lines(services_in_dependency_order(model));
  } else if (o.volumes) {
    out = lines(volume_keys_sorted(model));
  } else if (o.profiles) {
    out = lines(project.all_profiles);
  } else if (o.images) {
    std::vector<std::string> images;
    // `image:`, else Compose's name for a built image.
    for (const auto& svc : model.services()) images.push_back(svc.image_reference(project.name));
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
  CLI::App* sub =
      app.add_subcommand("config", "Print the project model as Docker Compose reads it (docker compose config)");
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
