#include "server/judges.h"

#include <algorithm>
#include <sstream>

namespace slipway::server {
namespace {

constexpr unsigned long long kGiB = 1024ULL * 1024 * 1024;
constexpr long long kDay = 86400;
constexpr int kTimeError = 5;      // adjtimex(): the clock is not synchronised
constexpr long kStaUnsync = 0x40;  // timex.status: STA_UNSYNC

Finding make(std::string check, Verdict v, std::string detail, std::string advice = "") {
  return {std::move(check), v, std::move(detail), std::move(advice)};
}

std::string gib(unsigned long long bytes) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << static_cast<double>(bytes) / kGiB << " GiB";
  return s.str();
}

}  // namespace

Finding judge_engine(const EngineFacts& f) {
  if (!f.reachable)
    return make("engine", Verdict::fail, f.error.empty() ? "no engine answers at " + f.address : f.error,
                "start it (systemctl start docker) or point DOCKER_HOST/-H at it");
  std::string detail = "Docker " + f.version + " (API " + f.api_version + ") at " + f.address;
  if (!f.os.empty()) detail += " on " + f.os;
  return make("engine", Verdict::ok, detail);
}

Finding judge_disk(const DiskFacts& f) {
  std::string check = "disk " + f.what;
  if (!f.available || !f.total || *f.total == 0)
    return make(check, Verdict::warn, f.path.empty() ? "not measured" : f.path + ": not measured",
                f.unmeasured.empty() ? "check its free space by hand" : f.unmeasured);
  double pct = 100.0 * static_cast<double>(*f.available) / static_cast<double>(*f.total);
  std::ostringstream detail;
  detail.precision(0);
  detail << f.path << ": " << gib(*f.available) << " free of " << gib(*f.total) << " (" << std::fixed << pct << " %)";
  std::string advice =
      "free space there (old images: slipway's images are kept per generation; "
      "`docker image prune` removes unused ones; `slipway forget` thins snapshots)";
  if (*f.available < kGiB || pct < 2) return make(check, Verdict::fail, detail.str(), advice);
  if (*f.available < 5 * kGiB || pct < 10) return make(check, Verdict::warn, detail.str(), advice);
  return make(check, Verdict::ok, detail.str());
}

Finding judge_clock(const ClockFacts& f) {
  if (f.timesyncd_synchronized) return make("clock", Verdict::ok, "synchronised (systemd-timesyncd)");
  if (f.adjtimex_state && *f.adjtimex_state != kTimeError && !(f.adjtimex_status & kStaUnsync))
    return make("clock", Verdict::ok, "synchronised (the kernel's clock is disciplined by an NTP client)");
  return make("clock", Verdict::warn, "not synchronised",
              "install an NTP client (apt-get install systemd-timesyncd, or chrony): certificates, "
              "backup schedules and snapshot times depend on the clock");
}

void parse_apt_config(const std::string& dump, UpgradeFacts& facts) {
  std::istringstream in(dump);
  std::string line;
  auto value = [](const std::string& l) {
    auto a = l.find('"'), b = l.rfind('"');
    return a != std::string::npos && b > a ? l.substr(a + 1, b - a - 1) : std::string();
  };
  while (std::getline(in, line)) {
    if (line.rfind("APT::Periodic::Unattended-Upgrade ", 0) == 0) facts.periodic_unattended = value(line);
    if (line.rfind("APT::Periodic::Update-Package-Lists ", 0) == 0) facts.periodic_update_lists = value(line);
  }
}

Finding judge_upgrades(const UpgradeFacts& f) {
  const std::string enable = "dpkg-reconfigure -plow unattended-upgrades (writes /etc/apt/apt.conf.d/20auto-upgrades)";
  if (!f.installed)
    return make("upgrades", Verdict::warn, "unattended-upgrades is not installed",
                "apt-get install unattended-upgrades, then " + enable);
  auto on = [](const std::string& v) { return !v.empty() && v != "0" && v != "false"; };
  if (!on(f.periodic_unattended))
    return make("upgrades", Verdict::warn, "unattended-upgrades is installed but not enabled", enable);
  if (!on(f.periodic_update_lists))
    return make("upgrades", Verdict::warn, "unattended upgrades enabled but package lists are never updated", enable);
  return make("upgrades", Verdict::ok, "unattended security upgrades enabled");
}

namespace {

// The shared part of backup and drill ageing.
Finding judge_runs(const std::string& check, const RunHistory& h, std::time_t now, long long warn_after,
                   long long fail_after, Verdict when_never, const std::string& run_cmd) {
  if (!h.last_ok) {
    std::string detail = "no successful " + check + " recorded for stack " + h.stack;
    if (h.last) detail += " (the last attempt, " + *h.last + ", failed: " + h.last_detail + ")";
    return make(check, when_never, detail, "run `" + run_cmd + "`");
  }
  auto when = parse_utc(*h.last_ok);
  if (!when) return make(check, Verdict::warn, "unreadable time in the state database: " + *h.last_ok);
  long long age = now - *when;
  std::string detail = "last successful " + check + " " + human_age(age) + " ago (" + *h.last_ok + ")";
  Verdict v = age > fail_after ? Verdict::fail : age > warn_after ? Verdict::warn : Verdict::ok;
  std::string advice = v == Verdict::ok ? "" : "run `" + run_cmd + "` (and schedule it: slipway install)";
  if (h.last && !h.last_succeeded && *h.last != *h.last_ok) {
    detail += "; a later attempt (" + *h.last + ") failed: " + h.last_detail;
    if (v == Verdict::ok) v = Verdict::warn;
    if (advice.empty()) advice = "find out why it failed (slipway " + check + " --help)";
  }
  return make(check, v, detail, advice);
}

}  // namespace

Finding judge_backup(const RunHistory& h, std::time_t now) {
  if (!h.repository_configured && !h.last_ok)
    return make("backup", Verdict::warn, "no backup repository configured for stack " + h.stack,
                "set x-slipway.backup.repository (or RESTIC_REPOSITORY) and run `slipway backup --init`");
  return judge_runs("backup", h, now, 2 * kDay, 7 * kDay, Verdict::fail, "slipway backup");
}

Finding judge_drill(const RunHistory& h, std::time_t now) {
  return judge_runs("drill", h, now, 31 * kDay, 92 * kDay, Verdict::warn, "slipway drill");
}

Finding judge_certificate(const CertificateFacts& c, std::time_t now) {
  std::string check = "certificate " + c.name;
  char until[32];
  std::tm tm{};
  gmtime_r(&c.not_after, &tm);
  std::strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
  long long left = static_cast<long long>(c.not_after) - now;
  long long lifetime = static_cast<long long>(c.not_after) - c.not_before;
  if (left <= 0)
    return make(check, Verdict::fail, std::string("expired on ") + until,
                "look at the edge's log (slipway logs slipway-edge): Caddy could not renew it");
  std::string detail = std::string("valid until ") + until + " (" + human_age(left) + " left)";
  if (lifetime > 0 && left * 5 < lifetime)
    return make(check, Verdict::warn, detail,
                "Caddy renews at a third of the lifetime and has not: see the edge's log "
                "(slipway logs slipway-edge); is port 80/443 reachable from the internet?");
  return make(check, Verdict::ok, detail);
}

std::optional<Finding> judge_uncovered_hosts(const std::vector<std::string>& tls_hosts,
                                             const std::vector<CertificateFacts>& certs) {
  std::string missing;
  std::vector<std::string> seen;
  for (const auto& host : tls_hosts) {
    if (std::find(seen.begin(), seen.end(), host) != seen.end()) continue;
    seen.push_back(host);
    std::string stored = host.rfind("*.", 0) == 0 ? "wildcard_" + host.substr(1) : host;
    bool found = std::any_of(certs.begin(), certs.end(), [&](const CertificateFacts& c) { return c.name == stored; });
    if (!found) missing += (missing.empty() ? "" : ", ") + host;
  }
  if (missing.empty()) return std::nullopt;
  return make("certificates", Verdict::warn, "no certificate at the edge for " + missing,
              "the edge obtains one on the first request; if it stays missing, see the edge's log "
              "(slipway logs slipway-edge): are the names' DNS and ports 80/443 right?");
}

}  // namespace slipway::server
