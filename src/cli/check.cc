// `slipway check [--read-data-subset X]`: restic's integrity check of the stack's repository.
// Exits 1 when restic finds a problem.
#include <cstdio>
#include <iostream>
#include <memory>

#include "backup/session.h"
#include "cli/command.h"

namespace slipway::cli {
namespace {

struct Options {
  std::string subset;
  bool json = false;
};

int run_check(const GlobalOptions& global, const Options& o) {
  const bool json = o.json || global.json;
  auto note = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
  auto session = backup::open_session(global.load_options(), global.host, false, note);
  auto r = session.restic->check(o.subset);
  if (json) {
    nlohmann::ordered_json doc = {{"repository", session.restic->display_repository()},
                                  {"ok", r.ok},
                                  {"read_data_subset", o.subset},
                                  {"output", r.output}};
    std::cout << doc.dump(2) << "\n";
  } else {
    if (!r.ok || global.verbose) std::fputs(r.output.c_str(), stderr);
    std::printf("%s: %s\n", session.restic->display_repository().c_str(),
                r.ok ? "no errors found" : "restic check found errors (see above)");
  }
  return r.ok ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("check", "Check the backup repository's integrity (restic check)");
  sub->add_option("--read-data-subset", o->subset,
                  "Also read this part of the data: \"10%\", \"1/5\" or a size like 500M");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_check(global, *o); }; });
}

const bool registered = register_command({"check", 64, setup});

}  // namespace
}  // namespace slipway::cli
