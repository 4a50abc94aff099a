// `slipway restore [SNAPSHOT] [--volume V]...`: a snapshot back into the live stack. Either the
// old data or the restored data is in place afterwards, never a mix; a safety snapshot of the
// replaced data is taken first and named in the report.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/restore.h"
#include "backup/session.h"
#include "backup/state.h"
#include "cli/command.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct Options {
  std::string snapshot;
  std::vector<std::string> volumes;
  bool no_dumps = false;
  bool json = false;
};

int run_restore(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, true, note);
  backup::RestoreOptions ro;
  ro.volumes = o.volumes;
  ro.load_dumps = !o.no_dumps;
  ro.journal_dir = session.journal_dir();
  if (!json) ro.say = note;
  std::unique_ptr<backup::StateDb> db;
  try {
    db = std::make_unique<backup::StateDb>(session.state_dir);
  } catch (const EnvError& e) {
    note(std::string("warning: ") + e.what());
  }
  std::string started = backup::utc_now();
  backup::RestoreResult r;
  try {
    r = backup::restore_live(session.project, *session.client, *session.restic, o.snapshot, ro);
  } catch (const Error& e) {
    if (db) db->record({"restore", session.project.name, o.snapshot, started, 0, false, e.what()});
    throw;
  }
  std::string detail = "restored";
  for (const auto& v : r.restored) detail += " " + v;
  if (!r.safety_run.empty()) detail += "; safety snapshot " + r.safety_run;
  if (db) db->record({"restore", session.project.name, r.run, started, 0, true, detail});
  if (json) {
    nlohmann::ordered_json doc = {{"stack", session.project.name},   {"snapshot", r.run},
                                  {"safety_snapshot", r.safety_run}, {"restored", r.restored},
                                  {"dumps_loaded", r.dumps_loaded},  {"steps", r.steps}};
    std::cout << doc.dump(2) << "\n";
  } else {
    for (const auto& s : r.steps) std::printf("  %s\n", s.c_str());
    std::printf("restored snapshot %s into %s", r.run.c_str(), session.project.name.c_str());
    if (!r.safety_run.empty())
      std::printf(" (the data it replaced is in safety snapshot %s: `slipway restore %s` undoes this)",
                  r.safety_run.c_str(), r.safety_run.c_str());
    std::printf("\n");
  }
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("restore", "Restore a snapshot into the live stack (safety snapshot first)");
  sub->footer(
      "Before it changes anything, restore takes a safety snapshot of everything it will overwrite: the\n"
      "volumes and a fresh dump of every service whose dump it loads. `slipway restore <safety>` undoes\n"
      "the restore. If slipway is killed midway, the next slipway command on the stack rolls the restore\n"
      "back (old data) or completes it (restored data) and says which.");
  sub->add_option("snapshot", o->snapshot, "Snapshot id (default: the latest complete backup)");
  sub->add_option("--volume", o->volumes, "Restore only this volume (key under volumes:, repeatable)");
  sub->add_flag("--no-dumps", o->no_dumps, "Do not load dumps through the services' restore commands");
  sub->add_flag("--json", o->json, "Print one JSON document with the result");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_restore(global, *o); }; });
}

const bool registered = register_command({"restore", 62, setup});

}  // namespace
}  // namespace slipway::cli
