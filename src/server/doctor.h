// `slipway doctor`: is this server in a maintainable state? Runs every probe (probes.h) and
// evaluates it (judges.h, suite_eol.h), in a fixed order: engine, disks, clock, upgrades,
// suites, then for a stack its backup, drill and edge certificates.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "engine/engine.h"
#include "server/finding.h"

namespace slipway::server {

struct DoctorInputs {
  const engine::Engine* engine = nullptr;     // required
  const compose::Project* project = nullptr;  // null: no stack found, the stack lines are left out
  std::string state_dir;                      // "" = the default state directory
  std::string debian_csv = "/usr/share/distro-info/debian.csv";
  std::time_t now = 0;  // 0 = the current time
};

std::vector<Finding> run_doctor(const DoctorInputs& in);

}  // namespace slipway::server
