// `slipway forget --keep-...`: restic's retention for the stack's snapshots, then prune.
// Without flags the policy comes from x-slipway.backup.keep.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/session.h"
#include "cli/command.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct Options {
  backup::KeepPolicy keep;
  bool no_prune = false;
  bool json = false;
};

int run_forget(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, false, note);
  backup::KeepPolicy policy = o.keep.empty() ? session.settings.keep : o.keep;
  if (policy.empty())
    throw UserError(
        "no keep policy (give --keep-last, --keep-daily, --keep-weekly or --keep-monthly, or set "
        "x-slipway.backup.keep)");
  auto r = session.restic->forget(session.project.name, policy, !o.no_prune);
  if (json) {
    nlohmann::ordered_json doc = {
        {"stack", session.project.name}, {"kept", r.kept}, {"removed", r.removed}, {"pruned", !o.no_prune}};
    std::cout << doc.dump(2) << "\n";
  } else {
    std::printf("kept %zu restic snapshot(s), removed %zu%s\n", r.kept.size(), r.removed.size(),
                o.no_prune ? "" : ", pruned unused data");
  }
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("forget", "Remove old snapshots by a keep policy and prune the repository");
  sub->add_option("--keep-last", o->keep.last, "Keep the last N snapshots")->check(CLI::NonNegativeNumber);
  sub->add_option("--keep-daily", o->keep.daily, "Keep the last snapshot of N days")->check(CLI::NonNegativeNumber);
  sub->add_option("--keep-weekly", o->keep.weekly, "Keep the last snapshot of N weeks")->check(CLI::NonNegativeNumber);
  sub->add_option("--keep-monthly", o->keep.monthly, "Keep the last snapshot of N months")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-prune", o->no_prune, "Only forget; leave the data for a later prune");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_forget(global, *o); }; });
}

const bool registered = register_command({"forget", 63, setup});

}  // namespace
}  // namespace slipway::cli
