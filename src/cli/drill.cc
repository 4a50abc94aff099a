// `slipway drill [SNAPSHOT]`: restores a snapshot into a throwaway copy of the stack, runs the
// stack's tests against it and records the result in the local state. Exits 0 only when every
// check passed; never touches the live stack.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/drill.h"
#include "backup/session.h"
#include "backup/state.h"
#include "cli/command.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct Options {
  std::string snapshot;
  bool keep = false;
  bool json = false;
};

int run_drill_command(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, true, note);
  backup::DrillOptions d;
  d.keep = o.keep;
  d.journal_dir = session.journal_dir();
  if (!json) d.say = note;
  std::unique_ptr<backup::StateDb> db;
  try {
    db = std::make_unique<backup::StateDb>(session.state_dir);
  } catch (const EnvError& e) {
    note(std::string("warning: ") + e.what() + " (the drill is not recorded)");
  }
  std::string started = backup::utc_now();
  backup::DrillResult r;
  try {
    r = backup::run_drill(session.project, *session.client, *session.restic, o.snapshot, d);
  } catch (const Error& e) {
    if (db) db->record({"drill", session.project.name, o.snapshot, started, 0, false, e.what()});
    throw;
  }
  std::string detail = std::to_string(r.checks) + " checks, " + std::to_string(r.failed) + " failed";
  for (const auto& f : r.failures) detail += "; " + f;
  if (db) db->record({"drill", session.project.name, r.run, started, r.seconds, r.passed(), detail});
  if (json) {
    nlohmann::ordered_json doc = {{"stack", session.project.name},
                                  {"snapshot", r.run},
                                  {"passed", r.passed()},
                                  {"checks", r.checks},
                                  {"failed", r.failed},
                                  {"skipped", r.skipped},
                                  {"failures", r.failures},
                                  {"steps", r.steps},
                                  {"seconds", r.seconds}};
    std::cout << doc.dump(2) << "\n";
  } else {
    if (!r.passed()) std::fputs(r.report.c_str(), stdout);
    std::printf("drill of snapshot %s: %s (%d checks, %d failed, %d skipped) in %.1f s\n", r.run.c_str(),
                r.passed() ? "PASSED" : "FAILED", r.checks, r.failed, r.skipped, r.seconds);
  }
  return r.passed() ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub =
      app.add_subcommand("drill", "Restore a snapshot into a throwaway copy of the stack and run its tests");
  sub->add_option("snapshot", o->snapshot, "Snapshot id (default: the latest complete backup)");
  sub->add_flag("--keep", o->keep, "Leave the throwaway stack running afterwards (for debugging)");
  sub->add_flag("--json", o->json, "Print one JSON document with the result");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_drill_command(global, *o); }; });
}

const bool registered = register_command({"drill", 65, setup});

}  // namespace
}  // namespace slipway::cli
