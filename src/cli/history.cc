// `slipway history [--json]`: the stack's generations, newest first: what each ran (images,
// config hash, git commit), who deployed it when, how each gate went and how it ended.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "deploy/store.h"

namespace slipway::cli {
namespace {

struct HistoryFlags {
  int limit = 20;
};

std::string gates_text(const deploy::GenerationRecord& r) {
  std::string out;
  for (const auto& g : r.gates) out += (out.empty() ? "" : " ") + g.gate + (g.ok ? "+" : "-");
  return out;
}

int run_history(GlobalOptions& global, const HistoryFlags& f) {
  compose::Project project = compose::load(global.load_options());
  deploy::GenerationStore store;
  auto records = store.list(project.name, f.limit);
  if (global.json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : records) a.push_back(r.to_json());
    std::cout << a.dump(2) << "\n";
    return 0;
  }
  if (records.empty()) {
    std::cerr << "no generations yet (`slipway deploy` makes the first)\n";
    return 0;
  }
  for (const auto& r : records) {
    std::string commit = r.git_commit.empty() ? "-" : r.git_commit.substr(0, 12) + (r.git_dirty ? "+dirty" : "");
    std::cout << "gen " << r.number << "  " << r.status << "  " << r.started << "  " << r.user << "  " << commit << "  "
              << r.kind << "  [" << gates_text(r) << "]\n";
    std::cout << "      services: ";
    for (size_t i = 0; i < r.services.size(); ++i) std::cout << (i ? ", " : "") << r.services[i];
    std::cout << "\n      " << r.detail << "\n";
  }
  return 0;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* sub = app.add_subcommand("history", "List the stack's generations (deploys, updates, rollbacks), newest first");
  sub->footer(
      "Gates: test (update's throwaway copy), health, checks, switch, watch; + passed, - failed. Statuses:\n"
      "deploying, watching, deployed, failed (a gate failed, the previous generation kept serving),\n"
      "rolled-back (unhealthy in the watch window, switched back), interrupted (slipway was killed; the\n"
      "next deploy undid it), tested (an update whose images passed their tests but was not deployed).\n"
      "Kinds: deploy, update, rollback to N.");
  sub->add_option("-n,--limit", f->limit, "How many generations")->check(CLI::PositiveNumber);
  sub->add_flag("--json", global.json, "Print a JSON array");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_history(global, *f); }; });
}

const bool registered = register_command({"history", 24, setup});

}  // namespace
}  // namespace slipway::cli
