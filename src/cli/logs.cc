// `slipway logs [-f] [--tail N] [SERVICE...]`: the output of the project's containers,
// prefixed with each container's name.
#include <algorithm>
#include <memory>

#include "apply/container_logs.h"
#include "apply/observe.h"
#include "cli/common.h"
#include "compose/model.h"

namespace slipway::cli {
namespace {

struct LogsFlags {
  bool follow = false;
  std::string tail = "all";
  bool timestamps = false;
  bool no_prefix = false;
  std::string since;
  std::vector<std::string> services;
};

int run_logs(GlobalOptions& global, const LogsFlags& f) {
  compose::Project project = compose::load(global.load_options());
  compose::Model model(project);
  for (const auto& s : f.services) model.service(s);  // UserError naming the services there are
  if (f.tail != "all") {
    bool digits = !f.tail.empty() && std::all_of(f.tail.begin(), f.tail.end(), ::isdigit);
    if (!digits) throw UserError("--tail must be a number of lines or \"all\"");
  }
  engine::Client client = connect_engine(global, /*ping=*/false);
  std::vector<plan::ObservedContainer> shown;
  for (auto& c : apply::observe_containers(client, project.name))
    if (!c.oneoff && (f.services.empty() || std::count(f.services.begin(), f.services.end(), c.service)))
      shown.push_back(std::move(c));
  std::sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
    return std::tie(a.service, a.number, a.name) < std::tie(b.service, b.number, b.name);
  });
  engine::LogsOptions lo;
  lo.follow = f.follow;
  lo.tail = f.tail;
  lo.timestamps = f.timestamps;
  lo.since = f.since;
  apply::print_logs(client, shown, lo, !f.no_prefix);
  return 0;
}

void setup_logs(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<LogsFlags>();
  CLI::App* sub = app.add_subcommand("logs", "Show the output of the project's containers");
  sub->add_flag("-f,--follow", f->follow, "Keep following new output");
  sub->add_option("-n,--tail", f->tail, "Lines from the end of each log, or \"all\"");
  sub->add_flag("-t,--timestamps", f->timestamps, "Show timestamps");
  sub->add_flag("--no-log-prefix", f->no_prefix, "Do not prefix lines with the container name");
  sub->add_option("--since", f->since, "Only output since this unix timestamp or RFC 3339 time");
  sub->add_option("services", f->services, "Only these services");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_logs(global, *f); }; });
}

const bool registered = register_command({"logs", 35, setup_logs});

}  // namespace
}  // namespace slipway::cli
