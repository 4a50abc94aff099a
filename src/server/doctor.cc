#include "server/doctor.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "backup/settings.h"
#include "compose/model.h"
#include "edge/edge.h"
#include "edge/routes.h"
#include "backup/state.h"
#include "server/judges.h"
#include "server/probes.h"
#include "server/suite_eol.h"

namespace slipway::server {
namespace {

std::string today(std::time_t now) {
  char buf[16];
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void suites(const DoctorInputs& in, bool engine_up, std::time_t now, std::vector<Finding>& out) {
  std::ifstream csv(in.debian_csv);
  std::stringstream text;
  text << csv.rdbuf();
  auto releases = parse_debian_csv(text.str());
  for (const auto& s : probe_suites(engine_up ? in.engine : nullptr)) {
    if (releases.empty()) {
      out.push_back({"suite " + s.what, Verdict::warn, s.series + ": no release dates (" + in.debian_csv + " missing)",
                     "apt-get install distro-info-data"});
      continue;
    }
    out.push_back(judge_suite(releases, s.series, s.what, today(now)));
  }
}

// The hosts of the stack's routes served over TLS (none when its routes do not parse: the
// commands that use them say why).
std::vector<std::string> tls_hosts(const compose::Project& p) {
  std::vector<std::string> out;
  try {
    for (const auto& r : edge::parse_routing(p).routes)
      if (r.tls != edge::Tls::none) out.push_back(r.host);
  } catch (const Error&) {
  }
  return out;
}

// Backup, drill and certificates of one stack.
void stack(const DoctorInputs& in, bool engine_up, std::time_t now, std::vector<Finding>& out) {
  const compose::Project& p = *in.project;
  std::string repository;
  try {
    repository = backup::parse_repository_settings(compose::Model(p)).repository;
  } catch (const std::exception& e) {
    out.push_back({"backup", Verdict::fail, e.what(), "fix x-slipway.backup in the Compose file"});
  }
  if (repository.empty())
    if (const char* r = std::getenv("RESTIC_REPOSITORY"); r && *r) repository = r;
  if (!repository.empty()) out.push_back(judge_disk(probe_repository_disk(repository)));
  try {
    backup::StateDb db(in.state_dir);
    RunHistory b = probe_history(db, p.name, "backup");
    b.repository_configured = !repository.empty();
    out.push_back(judge_backup(b, now));
    out.push_back(judge_drill(probe_history(db, p.name, "drill"), now));
  } catch (const std::exception& e) {
    out.push_back({"backup", Verdict::fail, std::string("cannot read the state database: ") + e.what(),
                   "check SLIPWAY_STATE_DIR and its permissions"});
  }
  if (!engine_up) return;
  try {
    auto certs = probe_edge_certificates(*in.engine, p.name);
    for (const auto& c : certs) out.push_back(judge_certificate(c, now));
    // Only a stack that runs its edge (deploy made it) is expected to have certificates.
    if (edge::find_edge(*in.engine, p.name))
      if (auto f = judge_uncovered_hosts(tls_hosts(p), certs)) out.push_back(*f);
  } catch (const std::exception& e) {
    out.push_back({"certificates", Verdict::warn, std::string("cannot read the edge's certificates: ") + e.what(),
                   "look at the edge container (slipway ps)"});
  }
}

}  // namespace

std::vector<Finding> run_doctor(const DoctorInputs& in) {
  std::time_t now = in.now ? in.now : std::time(nullptr);
  std::vector<Finding> out;
  EngineFacts engine = probe_engine(*in.engine);
  out.push_back(judge_engine(engine));
  if (engine.reachable) out.push_back(judge_disk(probe_engine_disk(*in.engine)));
  out.push_back(judge_clock(probe_clock()));
  out.push_back(judge_upgrades(probe_upgrades()));
  suites(in, engine.reachable, now, out);
  if (in.project) stack(in, engine.reachable, now, out);
  return out;
}

}  // namespace slipway::server
