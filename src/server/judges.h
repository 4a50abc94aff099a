// The doctor's evaluations: facts about the server in, a Finding out. Pure, so every threshold
// below is a unit test (judges_test.cc). The facts come from probes.h.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "server/finding.h"

namespace slipway::server {

// --- engine ---
struct EngineFacts {
  std::string address;
  bool reachable = false;
  std::string error;        // why not, when unreachable
  std::string version;      // "20.10.24"
  std::string api_version;  // "1.41"
  std::string os;           // OperatingSystem from /info
};
Finding judge_engine(const EngineFacts& facts);

// --- disk ---
// Free space below 1 GiB or 2 % fails; below 5 GiB or 10 % warns.
struct DiskFacts {
  std::string what;  // "engine data root", "backup repository"
  std::string path;
  std::optional<unsigned long long> available;  // bytes an unprivileged writer may use
  std::optional<unsigned long long> total;
  std::string unmeasured;  // why nothing was measured (remote engine, remote repository)
};
Finding judge_disk(const DiskFacts& facts);

// --- clock ---
struct ClockFacts {
  bool timesyncd_synchronized = false;  // /run/systemd/timesync/synchronized exists
  std::optional<int> adjtimex_state;    // adjtimex() return: TIME_OK..TIME_ERROR (5)
  long adjtimex_status = 0;             // timex.status bits (STA_UNSYNC = 0x40)
};
Finding judge_clock(const ClockFacts& facts);

// --- unattended upgrades ---
struct UpgradeFacts {
  bool installed = false;             // /usr/bin/unattended-upgrade exists
  std::string periodic_unattended;    // APT::Periodic::Unattended-Upgrade ("" = unset)
  std::string periodic_update_lists;  // APT::Periodic::Update-Package-Lists
};
// Reads APT::Periodic::* values out of `apt-config dump` output into `facts`.
void parse_apt_config(const std::string& dump, UpgradeFacts& facts);
Finding judge_upgrades(const UpgradeFacts& facts);

// --- backup and drill history ---
struct RunHistory {
  std::string stack;
  bool repository_configured = false;  // x-slipway.backup.repository or $RESTIC_REPOSITORY
  std::optional<std::string> last_ok;  // started (UTC ISO 8601) of the newest successful run
  std::optional<std::string> last;     // started of the newest run, successful or not
  bool last_succeeded = false;
  std::string last_detail;  // the newest run's detail line
};
// Backups: none recorded with a repository configured fails; older than 2 days warns, older
// than 7 days fails; a newer failed attempt warns.
Finding judge_backup(const RunHistory& h, std::time_t now);
// Drills: none passing warns; older than 31 days warns, older than 92 days fails.
Finding judge_drill(const RunHistory& h, std::time_t now);

// --- certificates at the edge ---
struct CertificateFacts {
  std::string name;  // the host name (Caddy's directory name)
  std::time_t not_before = 0;
  std::time_t not_after = 0;
};
// Expired fails; less than a fifth of its lifetime left warns (Caddy renews at a third, so
// renewal has been failing for a while).
Finding judge_certificate(const CertificateFacts& cert, std::time_t now);
// The hosts of the stack's TLS routes (`tls_hosts`) that have no certificate at the edge: a
// warn naming them (not obtained yet, or the edge's volume was lost); nullopt when each has one.
// A wildcard host "*.example.org" is stored by Caddy as "wildcard_.example.org".
std::optional<Finding> judge_uncovered_hosts(const std::vector<std::string>& tls_hosts,
                                             const std::vector<CertificateFacts>& certs);

}  // namespace slipway::server
