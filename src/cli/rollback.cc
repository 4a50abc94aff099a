// `slipway rollback [GEN]`: back to the previous deployed generation (or GEN): its images and
// its Compose files, through the same gates and switch as a deploy, as a new generation
// ("rollback to GEN"), so history stays a straight line and a rollback can itself be rolled back.
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "compose/model.h"
#include "deploy/config_record.h"
#include "deploy/deployer.h"

namespace slipway::cli {
namespace {

struct RollbackFlags {
  int generation = 0;  // 0: the deployed generation before the newest deployed one
  bool no_checks = false;
  int watch = -1;
};

// The record to go back to. UserError when there is none.
deploy::GenerationRecord target(deploy::GenerationStore& store, const std::string& stack, int wanted) {
  auto records = store.list(stack, 1000);
  if (wanted > 0) {
    for (const auto& r : records)
      if (r.number == wanted) {
        if (r.status != deploy::status::kDeployed)
          throw UserError("generation " + std::to_string(wanted) + " was never deployed (" + r.status +
                          "); see `slipway history`");
        return r;
      }
    throw UserError("no generation " + std::to_string(wanted) + " (see `slipway history`)");
  }
  int seen = 0;
  for (const auto& r : records)
    if (r.status == deploy::status::kDeployed && ++seen == 2) return r;
  throw UserError("no earlier deployed generation to go back to (see `slipway history`)");
}

// A private directory for the copies of the target's Compose files, removed on every path.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "slipway-rollback-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw EnvError("cannot make a temporary directory for the rollback's Compose files");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// The project as generation `to` was deployed: its recorded Compose files, loaded with today's
// project directory, name and environment (deploy/config_record.h). A record from before
// records kept their files: the current files, said so.
compose::Project project_of(GlobalOptions& global, const compose::Project& current,
                            const deploy::GenerationRecord& to, const TempDir& dir) {
  if (to.compose_files.empty()) {
    if (!global.json)
      std::cerr << "generation " << to.number << "'s record holds no Compose file (an older slipway made it): "
                << "its images run with the current Compose file\n";
    return current;
  }
  compose::LoadOptions lo = global.load_options();
  lo.files = deploy::write_compose_files(to.compose_files, dir.path);
  lo.project_directory = current.working_dir;
  lo.project_name = current.name;
  return compose::load(lo);
}

int run_rollback(GlobalOptions& global, const RollbackFlags& f) {
  compose::Project current = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  deploy::GenerationStore store;
  deploy::GenerationRecord to = target(store, current.name, f.generation);
  TempDir files;
  compose::Project project = project_of(global, current, to, files);
  deploy::DeployRunOptions o;
  if (!to.compose_files.empty()) o.compose_files = to.compose_files;
  for (const auto& [service, id] : to.images.items())
    if (compose::Model(project).has_service(service)) o.images[service] = id.get<std::string>();
  o.kind = "rollback to " + std::to_string(to.number);
  o.checks = !f.no_checks;
  if (f.watch >= 0) o.watch = std::chrono::seconds(f.watch);
  o.say = [&global](const std::string& line) {
    if (!global.json) std::cerr << line << "\n";
  };
  if (!global.json)
    std::cerr << "rolling back to the images and Compose files of generation " << to.number << "\n";
  deploy::DeployOutcome r = deploy::run_deploy(client, project, store, o);
  if (global.json) {
    std::cout << nlohmann::json{{"ok", r.ok},
                                {"generation", r.generation},
                                {"to", to.number},
                                {"status", r.status},
                                {"message", r.message}}
                     .dump(2)
              << "\n";
  } else if (r.nothing) {
    std::cerr << "generation " << to.number << "'s images already run: nothing to do\n";
  } else {
    std::cerr << (r.ok ? "rolled back: generation " : "rollback failed: generation ") << r.generation << " ("
              << r.message << ")\n";
  }
  return r.ok ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<RollbackFlags>();
  CLI::App* sub = app.add_subcommand("rollback", "Go back to the previous (or a named) generation's images");
  sub->footer(
      "Runs the images and the Compose files recorded for GEN (`slipway history`), through the same gates and\n"
      "edge switch as `deploy` (no failed request for stateless services), as a new generation. Variables,\n"
      ".env and the files the Compose files point at (build contexts, secrets) are read as they are now.\n"
      "The images of the last x-slipway deploy.keep generations (default 3) are kept for this; older ones\n"
      "may be gone.");
  sub->add_option("generation", f->generation,
                  "The generation to go back to (default: the one before the "
                  "newest deployed)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--no-checks", f->no_checks, "Skip the tests/*.yaml gate");
  sub->add_option("--watch", f->watch, "Seconds to watch after the switch")->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", global.json, "Print the outcome as JSON");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_rollback(global, *f); }; });
}

const bool registered = register_command({"rollback", 23, setup});

}  // namespace
}  // namespace slipway::cli
