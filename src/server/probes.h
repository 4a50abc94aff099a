// The doctor's probes: thin reads of the host, the engine and slipway's state that fill the
// facts judges.h evaluates. Each probe catches its own failures and reports them as facts
// (unreachable, unmeasured), so one broken probe never hides the other lines.
#pragma once

#include <string>
#include <vector>

#include "backup/state.h"
#include "engine/engine.h"
#include "server/judges.h"

namespace slipway::server {

EngineFacts probe_engine(const engine::Engine& engine);

// statvfs on `path`, or on its nearest existing parent (a repository not created yet).
DiskFacts probe_disk(const std::string& what, const std::string& path);

// The engine's data root (/info DockerRootDir), measured when the engine is on this host (a
// unix socket); a remote engine's disk is reported as not measured.
DiskFacts probe_engine_disk(const engine::Engine& engine);

// A restic repository: local paths ("/srv/backup", "local:/srv/backup") are measured; remote
// ones (sftp:, rest:, s3: ...) are reported as not measured.
DiskFacts probe_repository_disk(const std::string& repository);

// /run/systemd/timesync/synchronized (systemd-timesyncd), else the kernel's adjtimex() state.
ClockFacts probe_clock();

// /usr/bin/unattended-upgrade and `apt-config dump` (APT::Periodic::*).
UpgradeFacts probe_upgrades();

// The newest and newest successful run of `kind` (backup, drill) for `stack`.
RunHistory probe_history(backup::StateDb& db, const std::string& stack, const std::string& kind);

// The leaf certificates in the project's edge volume (<state>/data/caddy/certificates/*/*/*.crt,
// read through GET /containers/{edge}/archive: works whether the edge runs or not). Empty when
// the project has no edge. Unparseable files are skipped.
std::vector<CertificateFacts> probe_edge_certificates(const engine::Engine& engine, const std::string& project);

// The Debian suites to judge: the host's (VERSION_CODENAME of /etc/os-release, as "host") and
// each base image made by `slipway base` (label io.slipway.base.suite, as "image REPO:TAG").
struct SuiteInUse {
  std::string what;
  std::string series;
};
std::vector<SuiteInUse> probe_suites(const engine::Engine* engine);

}  // namespace slipway::server
