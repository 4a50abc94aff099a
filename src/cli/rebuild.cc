// `slipway rebuild [--snapshot ID]`: a lost server back from the stack directory and the backup
// repository alone, on an engine that does not run the stack: base images, builds, restore,
// deploy, checks — one command, progress per phase, each phase's time. See src/server/rebuild.h.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "apply/signals.h"
#include "backup/session.h"
#include "cli/common.h"
#include "server/rebuild.h"

namespace slipway::cli {
namespace {

struct RebuildFlags {
  std::string snapshot;
  int health_timeout = 120;
  bool json = false;
};

int run_rebuild(GlobalOptions& global, const RebuildFlags& f) {
  auto started = std::chrono::steady_clock::now();
  const bool json = f.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  backup::Session session = backup::open_session(global.load_options(), global.host, true, note);
  deploy::GenerationStore store(session.state_dir);
  server::RebuildOptions o;
  o.snapshot = f.snapshot;
  o.journal_dir = session.journal_dir();
  o.state_dir = session.state_dir;
  o.health_timeout = std::chrono::seconds(f.health_timeout);
  o.started = started;
  if (!json) {
    o.say = note;
    if (global.verbose)
      o.build_output = [](const std::string& service, const std::string& line) {
        if (!line.empty()) std::fprintf(stderr, "%s | %s\n", service.c_str(), line.c_str());
      };
  }
  server::RebuildResult r = server::rebuild(*session.client, session.project, *session.restic, store, o);
  if (json) {
    nlohmann::ordered_json phases = nlohmann::ordered_json::array();
    for (const auto& p : r.phases) phases.push_back({{"phase", p.phase}, {"seconds", p.seconds}, {"detail", p.detail}});
    nlohmann::ordered_json doc = {{"stack", session.project.name},
                                  {"ok", r.ok},
                                  {"message", r.message},
                                  {"generation", r.generation},
                                  {"snapshot", r.snapshot},
                                  {"phases", phases},
                                  {"total_seconds", r.total_seconds},
                                  {"overhead_seconds", r.overhead_seconds()}};
    std::cout << doc.dump(2) << "\n";
  } else {
    if (!r.ok) std::fprintf(stderr, "rebuild of %s stopped: %s\n", session.project.name.c_str(), r.message.c_str());
    std::printf("%s %s: %s\n", r.ok ? "rebuilt" : "REBUILD FAILED for", session.project.name.c_str(),
                r.timing_line().c_str());
  }
  return r.ok ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<RebuildFlags>();
  CLI::App* sub = app.add_subcommand(
      "rebuild", "Bring a lost server back from the stack directory and its backups: base, build, restore, deploy, checks");
  sub->footer(
      "For an engine that does not run the stack (a new machine): makes the debian:<suite> base images the\n"
      "Dockerfiles need and the engine lacks (mmdebstrap), builds every image, restores the latest complete\n"
      "snapshot (or --snapshot) into fresh volumes, deploys generation 1 behind the edge, and runs tests/*.yaml.\n"
      "Needs only the repository's settings (x-slipway.backup) and its password file. Prints each phase's\n"
      "time and the command's own overhead on the last line. Exit 1 when a phase fails (it says which).\n"
      "A rebuild that was killed or failed is resumed by running it again: its progress is kept in the\n"
      "state directory (rebuild/<stack>.json), and a restore or deploy it finished is not done twice.");
  sub->add_option("--snapshot", f->snapshot, "Restore this snapshot (run id or restic id prefix) instead of the latest");
  sub->add_option("--health-timeout", f->health_timeout, "Seconds to wait for the new containers to be healthy")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--json", f->json,
                "Print {stack, ok, message, generation, snapshot, phases, total_seconds, overhead_seconds}, no progress");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_rebuild(global, *f); }; });
}

const bool registered = register_command({"rebuild", 66, setup});

}  // namespace
}  // namespace slipway::cli
