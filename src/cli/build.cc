// `slipway build [SERVICE...]`: builds every service that has a `build:` section through the
// engine's classic builder, independent images at once (one per core), an image built FROM
// another after it. Unchanged contexts are skipped (the image's
// io.slipway.context-hash label matches), so running it again is cheap.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "cli/common.h"
#include "compose/loader.h"
#include "compose/model.h"
#include "engine/client.h"
#include "apply/image_build.h"
#include "plan/build_request.h"
#include "plan/naming.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct BuildCommandOptions {
  std::vector<std::string> services;
  bool no_cache = false;
  bool pull = false;
  bool json = false;
  unsigned jobs = 0;  // 0: one per core
};

std::string short_id(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 12);
}

// One request per distinct image, dependencies first; a service sharing another's image is
// reported, not built twice.
std::vector<plan::BuildRequest> build_requests(const compose::Model& model, const BuildCommandOptions& o, bool json) {
  std::set<std::string> selected(o.services.begin(), o.services.end());
  std::vector<plan::BuildRequest> requests;
  std::map<std::string, std::string> built_by;  // image tag -> service that builds it
  const std::string& project = model.project_name();
  for (const auto& name : model.dependency_order()) {
    if (!selected.empty() && !selected.count(name)) continue;
    compose::Service svc = model.service(name);
    std::optional<compose::Build> build = svc.build();
    if (!build) {
      if (selected.count(name) && !json) std::cout << name << ": no build section, nothing to build\n";
      continue;
    }
    std::string image = svc.image_reference(project);
    if (auto it = built_by.find(image); it != built_by.end()) {
      if (!json) std::cout << name << ": same image as " << it->second << " (" << image << ")\n";
      continue;
    }
    built_by[image] = name;
    requests.push_back(plan::build_request(project, name, *build->spec, image));
  }
  return requests;
}

int run_build(const GlobalOptions& global, const BuildCommandOptions& o) {
  if (o.pull)
    throw UserError(
        "--pull is not supported: slipway builds from local base images only (create them with `slipway base`)");
  const bool json = o.json || global.json;
  compose::Project project = compose::load(global.load_options());
  compose::Model model(project);
  for (const auto& s : o.services) model.service(s);  // UserError naming the services there are
  std::vector<plan::BuildRequest> requests = build_requests(model, o, json);
  engine::Client client = connect_engine(global);

  apply::ServiceBuildOptions bo;
  bo.no_cache = o.no_cache;
  if (!json) {
    const bool tty = ::isatty(2);
    // The builder's step output, prefixed with the service (builds run at once); on a terminal
    // the prefix is dimmed so the steps stand out.
    bo.on_output = [tty](const std::string& service, const std::string& line) {
      if (line.empty()) return;
      if (tty)
        std::fprintf(stderr, "\033[2m%s |\033[0m %s\n", service.c_str(), line.c_str());
      else
        std::fprintf(stderr, "%s | %s\n", service.c_str(), line.c_str());
    };
  }
  auto report = [json](const apply::ServiceBuildResult& r) {
    if (json) return;
    if (r.up_to_date)
      std::cout << r.service << ": " << r.image << " up to date (" << short_id(r.image_id) << ")\n";
    else
      std::printf("%s: built %s (%s) in %.1f s\n", r.service.c_str(), r.image.c_str(), short_id(r.image_id).c_str(),
                  r.seconds);
    std::fflush(stdout);
  };
  auto done = apply::build_services(client, requests, bo, o.jobs, nullptr, report);

  int built = 0, skipped = 0;
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& r : done) {
    r.up_to_date ? ++skipped : ++built;
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
    nlohmann::ordered_json doc = {
        {"project", project.name}, {"built", built}, {"up_to_date", skipped}, {"services", results}};
    std::cout << doc.dump(2) << "\n";
  } else if (results.empty() && o.services.empty()) {
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
  sub->add_option("-j,--jobs", o->jobs, "Images built at once (default: one per core; 1 builds one after another)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", o->json, "Print one JSON document with the results, no progress");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_build(global, *o); }; });
}

const bool registered = register_command({"build", 30, setup_build});

}  // namespace
}  // namespace slipway::cli
