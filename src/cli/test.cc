// `slipway test [--keep] [--format human|tap|junit|json] [-o FILE] [--filter PATTERN]`:
// builds what is needed, starts a throwaway copy of the stack under a unique project name
// (fresh volumes, no host ports), waits for it to be healthy, runs the stack's tests/*.yaml
// (goss-compatible checks, src/checks) and removes everything again — also on failure,
// Ctrl-C and SIGTERM. Exit 0 when every check passed, 1 when one failed, 2 for a bad spec.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "apply/apply.h"
#include "apply/observe.h"
#include "backup/drill.h"
#include "backup/quiesce.h"
#include "checks/report.h"
#include "checks/runner.h"
#include "checks/spec.h"
#include "cli/command.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

namespace fs = std::filesystem;

struct TestFlags {
  bool keep = false;
  std::string format = "human";
  std::string output;
  std::string filter;
  int wait_timeout = 300;
  double retry_timeout = -1;  // seconds; < 0: the suite's own (x-slipway: retry-timeout)
};

std::string random_suffix() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x", rd() & 0xffffff);
  return buf;
}

// Waits until no container of the project is still starting its healthcheck.
void wait_healthy(const engine::Client& client, const std::string& project, int timeout_seconds,
                  const std::function<void(const std::string&)>& say) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool told = false;
  while (true) {
    std::vector<std::string> starting, unhealthy;
    for (const auto& c : apply::observe_containers(client, project)) {
      if (c.health == "starting") starting.push_back(c.service);
      if (c.health == "unhealthy") unhealthy.push_back(c.service);
    }
    if (!unhealthy.empty()) {
      std::string s;
      for (const auto& u : unhealthy) s += (s.empty() ? "" : ", ") + u;
      say("warning: unhealthy: " + s + " (running the checks anyway)");
      return;
    }
    if (starting.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      say("warning: still starting after " + std::to_string(timeout_seconds) + "s; running the checks anyway");
      return;
    }
    if (!told) {
      say("waiting for healthchecks");
      told = true;
    }
    // Healthchecks pass on their own interval; a finer poll only shortens the wait after one.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int run_test(GlobalOptions& global, const TestFlags& f) {
  checks::Format format = checks::parse_format(global.json ? "json" : f.format);
  // Signals are routed to an orderly cleanup before any thread starts.
  auto& interrupts = backup::Interrupts::install();
  compose::Project project = compose::load(global.load_options());

  // A bad spec is the user's error (exit 2) before anything is created.
  std::vector<std::string> services;
  if (project.model.contains("services") && project.model["services"].is_object())
    for (auto it = project.model["services"].begin(); it != project.model["services"].end(); ++it)
      services.push_back(it.key());
  std::string tests_dir = project.working_dir + "/tests";
  if (!fs::is_directory(tests_dir))
    throw UserError(Location{tests_dir, 0, 0},
                    "the stack has no tests/ directory (add goss-compatible checks as tests/*.yaml)");
  checks::LoadOptions lo;
  lo.services = services;
  checks::Suite suite = checks::load_tests_dir(tests_dir, lo);
  size_t selected = 0;
  for (const auto& c : suite.checks) selected += checks::matches_filter(c, f.filter);
  if (selected == 0)
    throw UserError(Location{tests_dir, 0, 0}, f.filter.empty() ? "no checks in tests/*.yaml"
                                                                : "no check matches --filter " + f.filter);

  const bool human = format == checks::Format::Human;
  const bool color = human && f.output.empty() && ::isatty(1);
  auto say = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };

  engine::ClientOptions co;
  co.host = global.host;
  engine::Client client(co);
  client.ping();

  std::string name = project.name + "-test-" + random_suffix();
  compose::Project copy = backup::throwaway_copy(project, name);
  int cleanup_id = interrupts.add([&client, name] { backup::remove_throwaway(client, name); });
  struct Cleanup {
    std::function<void()> fn;
    ~Cleanup() { fn(); }
  } cleanup{[&] {
    interrupts.remove(cleanup_id);
    if (f.keep) {
      say("keeping the throwaway stack " + name + " (remove it with: slipway down -p " + name + " -v)");
      return;
    }
    try {
      backup::remove_throwaway(client, name);
    } catch (const std::exception& e) {
      say(std::string("warning: could not remove ") + name + ": " + e.what());
    }
  }};

  auto t0 = std::chrono::steady_clock::now();
  say("starting the throwaway stack " + name);
  plan::UpOptions up;
  up.role = "test";
  up.api_version = client.api_version();
  auto plan = plan::plan_up(copy, apply::observe(client, copy), up);
  apply::ApplyOptions ao;
  ao.handle_signals = false;  // Interrupts owns the signals; its cleanup removes the copy
  ao.warn = say;
  if (global.verbose) ao.build_output = say;
  apply::apply(client, copy, plan, ao);
  wait_healthy(client, name, f.wait_timeout, say);

  checks::RunOptions ro;
  ro.filter = f.filter;
  if (f.retry_timeout >= 0)
    ro.retry_timeout = std::chrono::milliseconds(static_cast<long long>(f.retry_timeout * 1000));
  for (const auto& c : apply::observe_containers(client, name)) {
    if (!c.running() || ro.targets.count(c.service)) continue;
    ro.targets[c.service] = checks::Target{c.service, c.id, 0};
  }
  if (human) ro.on_result = [&](const checks::CheckResult& r) { std::fprintf(stderr, "%s\n", checks::human_progress(r, color).c_str()); };
  say("running " + std::to_string(selected) + " check(s)");
  checks::Report report;
  report.suite = project.name;
  report.results = checks::run_suite(client, suite, ro);
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);

  std::string text = checks::render(report, format, color);
  if (f.output.empty()) {
    std::cout << (human ? "\n" : "") << text << std::flush;
  } else {
    std::ofstream out(f.output, std::ios::binary | std::ios::trunc);
    if (!out) throw EnvError("cannot write " + f.output);
    out << text;
    if (human) std::cerr << "report written to " << f.output << "\n";
  }
  return checks::summarize(report).ok() ? 0 : 1;
}

void setup(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<TestFlags>();
  CLI::App* sub = app.add_subcommand("test", "Start a throwaway copy of the stack and run its tests/*.yaml checks");
  sub->add_flag("--keep", f->keep, "Leave the throwaway stack running afterwards (for debugging)");
  sub->add_option("--format", f->format, "Output: human, tap, junit or json")
      ->check(CLI::IsMember({"human", "tap", "junit", "json"}));
  sub->add_option("-o,--output", f->output, "Write the report to FILE instead of standard output");
  sub->add_option("--filter", f->filter, "Only checks whose type:id@service or title matches (substring or glob)");
  sub->add_option("--wait-timeout", f->wait_timeout, "Seconds to wait for healthchecks before the checks run");
  sub->add_option("--retry-timeout", f->retry_timeout,
                  "Seconds to keep retrying failing checks while the stack becomes ready (default: the "
                  "tests' x-slipway retry-timeout, else 0)");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_test(global, *f); }; });
}

const bool registered = register_command({"test", 40, setup});

}  // namespace
}  // namespace slipway::cli
