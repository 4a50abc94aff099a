// `slipway backup`: the stack's data volumes (and dumps) into its restic repository.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/backup.h"
#include "backup/session.h"
#include "backup/state.h"
#include "cli/command.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct Options {
  bool json = false;
  bool init = false;
};

std::string human_bytes(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f GiB", b / double(1ull << 30));
  else if (b >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / double(1ull << 20));
  else if (b >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  return buf;
}

int run_backup_command(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, true, note);
  backup::BackupOptions bo;
  bo.journal_dir = session.journal_dir();
  bo.init = o.init;
  const bool tty = ::isatty(2);
  if (!json) {
    bo.say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    if (tty)
      bo.progress = [](const backup::BackupProgress& p) {
        std::fprintf(stderr, "\r  %5.1f%%  %s of %s", p.percent_done * 100, human_bytes(p.bytes_done).c_str(),
                     human_bytes(p.total_bytes).c_str());
      };
  }
  backup::StateDb* db = nullptr;
  std::unique_ptr<backup::StateDb> db_holder;
  try {
    db_holder = std::make_unique<backup::StateDb>(session.state_dir);
    db = db_holder.get();
  } catch (const EnvError& e) {
    note(std::string("warning: ") + e.what() + " (the backup is not recorded locally)");
  }
  std::string started = backup::utc_now();
  backup::BackupResult r;
  try {
    r = backup::run_backup(session.project, *session.client, *session.restic, bo);
  } catch (const Error& e) {
    if (tty && !json) std::fprintf(stderr, "\n");
    if (db) db->record({"backup", session.project.name, "", started, 0, false, e.what()});
    throw;
  }
  if (tty && !json && bo.progress) std::fprintf(stderr, "\r%40s\r", "");
  uint64_t bytes = 0, added = 0;
  for (const auto& p : r.parts) {
    bytes += p.bytes;
    added += p.added;
  }
  if (db)
    db->record({"backup", session.project.name, r.run, started, r.seconds, true,
                std::to_string(r.parts.size()) + " parts, " + std::to_string(bytes) + " bytes, " +
                    std::to_string(added) + " added"});
  if (json) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const auto& p : r.parts)
      parts.push_back({{"kind", p.kind},
                       {"name", p.name},
                       {"restic_id", p.snapshot_id},
                       {"bytes", p.bytes},
                       {"added", p.added},
                       {"seconds", p.seconds}});
    nlohmann::ordered_json doc = {{"stack", r.stack},     {"snapshot", r.run},     {"generation", r.generation},
                                  {"parts", parts},       {"bytes", bytes},        {"added", added},
                                  {"seconds", r.seconds}, {"warnings", r.warnings}};
    std::cout << doc.dump(2) << "\n";
  } else {
    for (const auto& p : r.parts)
      std::printf("  %-6s %-24s %10s  +%-10s restic %s  %.1f s\n", p.kind.c_str(), p.name.c_str(),
                  human_bytes(p.bytes).c_str(), human_bytes(p.added).c_str(), p.snapshot_id.c_str(), p.seconds);
    std::printf("snapshot %s of %s: %zu part(s), %s read, %s new, %.1f s\n", r.run.c_str(), r.stack.c_str(),
                r.parts.size(), human_bytes(bytes).c_str(), human_bytes(added).c_str(), r.seconds);
    for (const auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("backup", "Back up the stack's data volumes (and dumps) with restic");
  sub->footer(
      "The repository (x-slipway.backup.repository, else RESTIC_REPOSITORY) must exist: a missing one is an\n"
      "error, never created silently (an unmounted backup disk must not turn into a new repository on the\n"
      "root filesystem). Create it once with `slipway backup --init`.");
  sub->add_flag("--init", o->init, "Create the repository first if it does not exist yet, then back up");
  sub->add_flag("--json", o->json, "Print one JSON document with the result, no progress");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_backup_command(global, *o); }; });
}

const bool registered = register_command({"backup", 60, setup});

}  // namespace
}  // namespace slipway::cli
