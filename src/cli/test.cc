// `slipway test [--keep] [--format human|tap|junit|json] [-o FILE] [--filter PATTERN]`:
// builds what is needed, starts a throwaway copy of the stack under a unique project name
// (fresh volumes, no host ports), waits for it to be healthy, runs the stack's tests/*.yaml
// (goss-compatible checks, src/checks) and removes everything again — also on failure,
// Ctrl-C and SIGTERM. Exit 0 when every check passed, 1 when one failed, 2 for a bad spec.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>

#include "backup/drill.h"
#include "backup/quiesce.h"
#include "backup/throwaway_checks.h"
#include "checks/report.h"
#include "checks/runner.h"
#include "cli/command.h"
#include "engine/client.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

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

int run_test(GlobalOptions& global, const TestFlags& f) {
  checks::Format format = checks::parse_format(global.json ? "json" : f.format);
  // Signals are routed to an orderly cleanup before any thread starts.
  auto& interrupts = backup::Interrupts::install();
  compose::Project project = compose::load(global.load_options());

  // A bad spec is the user's error (exit 2) before anything is created.
  checks::Suite suite = backup::load_stack_tests(project, f.filter);
  size_t selected = 0;
  for (const auto& c : suite.checks) selected += checks::matches_filter(c, f.filter);

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
  backup::ThrowawayTestOptions to;
  to.wait_timeout = f.wait_timeout;
  to.say = say;
  if (global.verbose) to.build_output = say;
  backup::start_throwaway(client, copy, to);

  checks::RunOptions ro;
  ro.filter = f.filter;
  if (f.retry_timeout >= 0)
    ro.retry_timeout = std::chrono::milliseconds(static_cast<long long>(f.retry_timeout * 1000));
  if (human)
    ro.on_result = [&](const checks::CheckResult& r) {
      std::fprintf(stderr, "%s\n", checks::human_progress(r, color).c_str());
    };
  say("running " + std::to_string(selected) + " check(s)");
  checks::Report report = backup::run_throwaway_checks(client, name, project.name, suite, ro);
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
