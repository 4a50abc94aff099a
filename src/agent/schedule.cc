#include "agent/schedule.h"

#include <map>

#include "compose/model.h"
#include "util/error.h"

namespace slipway::agent {

namespace {

struct JobDefault {
  const char* name;
  const char* cron;
  std::vector<std::string> args;
};

const std::vector<JobDefault>& job_defaults() {
  static const std::vector<JobDefault> all = {
      {"backup", kDefaultBackup, {"backup"}},
      {"drill", kDefaultDrill, {"drill"}},
      {"update-check", kDefaultUpdateCheck, {"update", "--check", "--json"}},
      {"drift", kDefaultDrift, {"drift", "--json"}},
      {"forget", "after-backup", {"forget"}},
  };
  return all;
}

}  // namespace

StackSpec read_schedule(const compose::Project& project) {
  StackSpec spec;
  spec.stack = project.name;
  spec.load_args = {"-p", project.name};
  for (const auto& f : project.config_files) spec.load_args.insert(spec.load_args.end(), {"-f", f});
  if (!project.working_dir.empty())
    spec.load_args.insert(spec.load_args.end(), {"--project-directory", project.working_dir});

  std::string file = project.config_files.empty() ? "compose.yaml" : project.config_files.front();
  compose::Model model(project);
  const compose::ojson* section = nullptr;
  if (const auto* x = model.x_slipway(); x && x->is_object() && x->contains("schedule")) section = &(*x)["schedule"];
  if (section && !section->is_object())
    throw UserError(file + ": x-slipway.schedule must be a mapping of job: schedule (e.g. backup: \"0 3 * * *\")");

  std::map<std::string, std::string> chosen;
  for (const auto& d : job_defaults()) chosen[d.name] = d.cron;
  if (section) {
    for (const auto& [key, value] : section->items()) {
      std::string where = file + ": x-slipway.schedule." + key;
      if (key == "jitter") {
        std::string text = value.is_number_integer() ? std::to_string(value.get<int64_t>())
                           : value.is_string()       ? value.get<std::string>()
                                                     : "";
        auto d = parse_duration(text);
        if (!d || *d > 86400)
          throw UserError(where + ": must be a duration up to a day, e.g. 30m, 2h or 0 (no jitter)");
        spec.jitter = *d;
        continue;
      }
      if (!chosen.count(key))
        throw UserError(where + ": unknown job (jobs: backup, drill, update-check, drift, forget; and jitter)");
      if (!value.is_string()) throw UserError(where + ": must be a schedule in quotes, e.g. \"0 3 * * *\", or off");
      chosen[key] = value.get<std::string>();
    }
  }

  for (const auto& d : job_defaults()) {
    std::string text = chosen[d.name];
    if (text == "off") continue;
    JobSpec job{d.name, std::nullopt, false, d.args};
    if (text == "after-backup") {
      if (job.name != "forget")
        throw UserError(file + ": x-slipway.schedule." + job.name + ": after-backup is for forget only");
      job.after_backup = true;
    } else {
      job.cron = CronExpr::parse(text, file + ": x-slipway.schedule." + job.name);
    }
    spec.jobs.push_back(std::move(job));
  }
  return spec;
}

std::vector<std::string> job_argv(const std::string& slipway, const StackSpec& stack, const JobSpec& job) {
  std::vector<std::string> argv = {slipway};
  argv.insert(argv.end(), stack.load_args.begin(), stack.load_args.end());
  argv.insert(argv.end(), job.args.begin(), job.args.end());
  return argv;
}

}  // namespace slipway::agent
