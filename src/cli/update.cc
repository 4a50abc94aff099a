// `slipway update --check [--json]` and `slipway update [SERVICE...] [--no-deploy]`: keep the
// stack's images current. --check only looks (throwaway probe containers of the images: what
// apt would upgrade, security ones, the base image's age, the Debian release's support dates)
// and exits 0 current, 3 updates, 1 error. Without --check: refresh the base, rebuild without
// cache, report what changed (terminal, --json, -o FILE as Markdown), test the new images on a
// throwaway copy, and go live only when green, through `slipway deploy`'s generation switch.
// The outcome is a line of `slipway history` (kind "update"). --suite SUITE: distribution
// upgrade (FROM lines pointed at debian:SUITE in memory; --write rewrites the Dockerfiles).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "deploy/store.h"
#include "update/distro_info.h"
#include "cli/common.h"
#include "update/check.h"
#include "update/stack.h"
#include "update/update.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct UpdateFlags {
  bool check = false;
  bool json = false;
  bool no_deploy = false;
  bool keep_base = false;
  std::string output;  // Markdown report file
  std::string suite;
  bool write = false;
  int watch = -1;  // < 0: x-slipway deploy.watch
  unsigned jobs = 0;
  std::vector<std::string> services;
};

int run_check(const GlobalOptions& global, const UpdateFlags& f, bool json) {
  compose::Project project = compose::load(global.load_options());
  auto builds = update::stack_builds(project, f.services);
  engine::Client client = connect_engine(global);
  update::remove_stale_probes(client);
  if (!json)
    std::fprintf(stderr, "checking %zu image(s) (apt-get update in a throwaway container of each)\n", builds.size());
  update::CheckOptions co;
  co.jobs = f.jobs;
  auto checks = update::check_images(client, update::targets_of(builds), co);
  if (json)
    std::cout << update::check_json(checks).dump(2) << "\n";
  else
    std::cout << update::check_text(checks);
  return update::check_exit_code(checks);
}

std::string read_distro_info() {
  std::ifstream in(update::kDebianDistroInfo, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_update_command(const GlobalOptions& global, const UpdateFlags& f, bool json) {
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global);
  update::UpdateOptions o;
  o.services = f.services;
  o.deploy = !f.no_deploy;
  o.refresh_base = !f.keep_base;
  o.jobs = f.jobs;
  o.suite = f.suite;
  o.write = f.write;
  if (!f.suite.empty()) o.distro_info = read_distro_info();
  if (f.watch >= 0) o.watch = std::chrono::seconds(f.watch);
  if (!json) {
    o.say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    if (global.verbose)
      o.build_output = [](const std::string& s, const std::string& l) {
        std::fprintf(stderr, "%s | %s\n", s.c_str(), l.c_str());
      };
  }
  deploy::GenerationStore store;
  update::UpdateResult r = update::run_update(client, project, store, o);
  if (!f.output.empty()) {
    std::ofstream out(f.output, std::ios::binary | std::ios::trunc);
    if (!out || !(out << update::report_markdown(r.report))) throw EnvError("cannot write the report to " + f.output);
    if (!json) std::fprintf(stderr, "report written to %s\n", f.output.c_str());
  }
  if (json)
    std::cout << update::report_json(r.report).dump(2) << "\n";
  else
    std::cout << update::report_text(r.report);
  return r.exit_code;
}

int run(GlobalOptions& global, const UpdateFlags& f) {
  const bool json = f.json || global.json;
  if (f.check) {
    if (f.no_deploy || f.keep_base || !f.output.empty() || !f.suite.empty() || f.write || f.watch >= 0)
      throw UserError("--check only looks: --no-deploy, --keep-base, --suite, --write, --watch and -o apply to an update");
    return run_check(global, f, json);
  }
  return run_update_command(global, f, json);
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run_fn) {
  auto f = std::make_shared<UpdateFlags>();
  CLI::App* sub = app.add_subcommand(
      "update",
      "Keep the stack's images current: --check lists pending package updates (exit 3 when there are); without "
      "it, rebuild on fresh packages, report what changed, test, and go live only when the tests pass");
  sub->footer(
      "Examples:\n"
      "  slipway update --check            # cron: exit 0 current, 3 updates pending, 1 error\n"
      "  slipway update --no-deploy -o update.md   # rebuild, test, write the report; change nothing running\n"
      "  slipway update web                # update the web image only; deployed when tests/*.yaml pass\n"
      "  slipway update --suite trixie --no-deploy -o trixie.md   # try the next Debian release\n"
      "  slipway update --suite trixie --write    # rewrite FROM lines, test, deploy (unless data must migrate)\n"
      "Green updates go live as a new generation (`slipway deploy`); every outcome is in `slipway history`.\n"
      "A server whose data format follows its major version (postgresql-15 -> postgresql-17) with a data\n"
      "volume is flagged as needing a data migration and is never deployed by update.\n"
      "The report lists packages added/removed/upgraded ([security] marked), their Debian changelog entries\n"
      "(NEWS and CVE ids first), and for every configuration file your image overrides the change of the\n"
      "package's default beside your version.");
  sub->add_option("services", f->services, "Only the images of these services (default: every service that builds)");
  sub->add_flag("--check", f->check, "Only look: list pending updates per image; changes nothing");
  sub->add_flag("--no-deploy", f->no_deploy, "Rebuild, report and test, but do not go live");
  sub->add_flag("--keep-base", f->keep_base, "Do not refresh the debian:<suite> base images first (slipway base)");
  sub->add_option("-o,--output", f->output, "Also write the what-changed report to FILE as Markdown");
  sub->add_option("--suite", f->suite,
                  "Distribution upgrade: make debian:SUITE (slipway base) and rebuild with the FROM debian:* lines "
                  "pointed at it (in memory); deployed only with --write");
  sub->add_flag("--write", f->write, "With --suite: rewrite the Dockerfiles' FROM lines once the tests passed");
  sub->add_option("--watch", f->watch,
                  "Seconds the deploy watches the new generation (default: x-slipway deploy.watch, else 60)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("-j,--jobs", f->jobs, "Images probed/built at once (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", f->json, "Print one JSON document, no progress");
  sub->callback([&global, &run_fn, f] { run_fn = [&global, f] { return run(global, *f); }; });
}

const bool registered = register_command({"update", 45, setup});

}  // namespace
}  // namespace slipway::cli
