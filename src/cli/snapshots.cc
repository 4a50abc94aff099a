// `slipway snapshots`: the stack's snapshots in its restic repository, one line per backup.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/catalog.h"
#include "backup/session.h"
#include "cli/command.h"

namespace slipway::cli {
namespace {

struct Options {
  bool json = false;
};

int run_snapshots(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, false, note);
  auto list = backup::group_snapshots(session.restic->snapshots(session.project.name, {"slipway"}));
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& s : list) {
      nlohmann::ordered_json parts = nlohmann::ordered_json::array();
      for (const auto& p : s.parts)
        parts.push_back(
            {{"kind", p.kind}, {"name", p.name}, {"restic_id", p.snapshot.id}, {"paths", p.snapshot.paths}});
      out.push_back({{"id", s.run},
                     {"time", s.time},
                     {"stack", s.stack},
                     {"reason", s.reason},
                     {"generation", s.generation},
                     {"complete", s.complete()},
                     {"parts", parts},
                     {"images", s.images}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (list.empty()) {
    std::printf("no snapshots of %s yet (run `slipway backup`)\n", session.project.name.c_str());
    return 0;
  }
  std::printf("%-9s %-20s %-7s %-4s %-10s %s\n", "ID", "TIME", "REASON", "GEN", "STATE", "CONTENTS");
  for (const auto& s : list) {
    std::string contents;
    for (const auto& p : s.parts) contents += (contents.empty() ? "" : ", ") + p.kind + " " + p.name;
    std::string state = s.complete()
                            ? "complete"
                            : "partial " + std::to_string(s.parts.size()) + "/" + std::to_string(s.expected_parts);
    std::printf("%-9s %-20s %-7s %-4s %-10s %s\n", s.run.c_str(), s.time.substr(0, 19).c_str(), s.reason.c_str(),
                s.generation.empty() ? "-" : s.generation.c_str(), state.c_str(), contents.c_str());
  }
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("snapshots", "List the stack's backups (restic snapshots grouped per backup)");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_snapshots(global, *o); }; });
}

const bool registered = register_command({"snapshots", 61, setup});

}  // namespace
}  // namespace slipway::cli
