// `slipway build [SERVICE...]`: builds every service that has a `build:` section, dependencies
// first, through the engine's classic builder. Unchanged contexts are skipped (the image's
// io.slipway.context-hash label matches), so running it again is cheap.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "cli/common.h"
#include "compose/loader.h"
#include "engine/client.h"
#include "engine/image_build.h"
#include "plan/naming.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct BuildCommandOptions {
  std::vector<std::string> services;
  bool no_cache = false;
  bool pull = false;
  bool json = false;
};

std::string short_id(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 12);
}

int run_build(const GlobalOptions& global, const BuildCommandOptions& o) {
  if (o.pull)
    throw UserError("--pull is not supported: slipway builds from local base images only (create them with `slipway base`)");
  const bool json = o.json || global.json;
  compose::Project project = compose::load(global.load_options());
  const auto& model = project.model;
  nlohmann::ordered_json services = model.contains("services") && model["services"].is_object()
                                        ? model["services"]
                                        : nlohmann::ordered_json::object();
  for (const auto& s : o.services) {
    if (!services.contains(s)) {
      std::string known;
      for (const auto& [name, _] : services.items()) known += (known.empty() ? "" : ", ") + name;
      throw UserError("no such service: " + s + " (services: " + (known.empty() ? "none" : known) + ")");
    }
  }
  std::set<std::string> selected(o.services.begin(), o.services.end());

  engine::Client client = connect_engine(global);

  const bool progress = !json;
  const bool tty = ::isatty(2);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::map<std::string, std::string> built_by;  // image tag -> service that built it this run
  int built = 0, skipped = 0;
  for (const auto& name : plan::dependency_order(services)) {
    if (!selected.empty() && !selected.count(name)) continue;
    const auto& spec = services[name];
    if (!spec.is_object() || !spec.contains("build")) {
      if (selected.count(name) && progress) std::cout << name << ": no build section, nothing to build\n";
      continue;
    }
    std::string image = plan::service_image(project.name, name, spec);
    if (auto it = built_by.find(image); it != built_by.end()) {
      if (progress) std::cout << name << ": same image as " << it->second << " (" << image << ")\n";
      continue;
    }
    engine::ServiceBuildOptions bo;
    bo.no_cache = o.no_cache;
    bo.extra_labels = engine::service_image_labels(project.name, name);
    if (progress) {
      bo.on_output = [&name, tty](const std::string& line) {
        // The classic builder's step output; on a terminal dim the prefix so steps stand out.
        if (line.empty()) return;
        if (tty) std::fprintf(stderr, "\033[2m%s |\033[0m %s\n", name.c_str(), line.c_str());
        else std::fprintf(stderr, "%s | %s\n", name.c_str(), line.c_str());
      };
    }
    engine::ServiceBuildResult r = engine::build_service(client, name, spec["build"], image, bo);
    built_by[image] = name;
    r.up_to_date ? ++skipped : ++built;
    if (progress) {
      if (r.up_to_date)
        std::cout << name << ": " << r.image << " up to date (" << short_id(r.image_id) << ")\n";
      else
        std::printf("%s: built %s (%s) in %.1f s\n", name.c_str(), r.image.c_str(), short_id(r.image_id).c_str(),
                    r.seconds);
      std::fflush(stdout);
    }
    results.push_back({{"service", r.service},
                       {"image", r.image},
                       {"image_id", r.image_id},
                       {"up_to_date", r.up_to_date},
                       {"context_hash", r.context_hash},
                       {"context_files", r.context_files},
                       {"context_bytes", r.context_bytes},
                       {"seconds", r.seconds}});
  }
  if (json) {
    nlohmann::ordered_json doc = {{"project", project.name}, {"built", built}, {"up_to_date", skipped},
                                  {"services", results}};
    std::cout << doc.dump(2) << "\n";
  } else if (results.empty() && selected.empty()) {
    std::cout << "nothing to build (no service has a build section)\n";
  }
  return 0;
}

void setup_build(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<BuildCommandOptions>();
  CLI::App* sub = app.add_subcommand("build", "Build the images of services with a build section, dependencies first");
  sub->add_option("services", o->services, "Services to build (default: all with a build section)");
  sub->add_flag("--no-cache", o->no_cache, "Build without the builder's cache, even when the context is unchanged");
  sub->add_flag("--pull", o->pull, "Not supported: there is no registry; base images come from `slipway base`");
  sub->add_flag("--json", o->json, "Print one JSON document with the results, no progress");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_build(global, *o); }; });
}

const bool registered = register_command({"build", 30, setup_build});

}  // namespace
}  // namespace slipway::cli
