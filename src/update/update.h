// `slipway update [SERVICE...]`: refresh the base images (`slipway base` of the same suite, or
// of --suite's for a distribution upgrade, update/suite_upgrade.h), rebuild the stack's images
// without the builder's cache (so every `apt-get install` layer fetches today's packages),
// compare each new image with the one running (what-changed report, update/report.h), test the
// new images on a throwaway copy (update/gate.h) and, when green, go live through `slipway
// deploy`'s generation switch (deploy/deployer.h, kind "update"). Every outcome is a line of the
// generation history: the deploy's own record, or update/record.h's when nothing was deployed.
//
// Never deployed automatically: a red test, --no-deploy, a package needing a data migration
// (update/migration.h), a distribution upgrade whose Dockerfiles were not rewritten (--write).
//
// Crash safety: the new images are built under a candidate tag ("<repo>:slipway-candidate");
// the deploy runs them by image ID, and the tags the stack runs move to them only after the
// deploy went live. A run killed earlier leaves the running stack and its tags as they were (a
// killed deploy is undone by the next deploy's recovery, deploy/recover.h); the next run
// rebuilds the candidates and collects stale probe containers and the throwaway copy.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "deploy/store.h"
#include "engine/engine.h"
#include "update/probe.h"
#include "update/report.h"

namespace slipway::update {

inline constexpr const char* kCandidateTag = "slipway-candidate";

struct UpdateOptions {
  std::vector<std::string> services;  // empty: every service that builds
  bool deploy = true;                 // --no-deploy: stop after the tests
  bool refresh_base = true;           // --keep-base: rebuild on the base images as they are
  std::string suite;                  // --suite: distribution upgrade to debian:<suite>
  bool write = false;                 // --write: rewrite the Dockerfiles' FROM lines (after green tests)
  std::string distro_info;            // distro-info-data's debian.csv text, to check --suite ("" = spelling only)
  std::optional<std::chrono::seconds> watch;  // the deploy's watch window (default x-slipway deploy.watch)
  unsigned jobs = 0;                  // images built/probed at once; 0 = cores
  ProbeOptions probe;                 // labels (tests)
  std::function<void(const std::string&)> say;
  std::function<void(const std::string& service, const std::string& line)> build_output;
};

struct UpdateResult {
  UpdateReport report;
  // 0 deployed / nothing to do / green but not deployed (--no-deploy, migration, no --write);
  // 1 the tests or the deploy failed (the running generation serves as before).
  int exit_code = 0;
};

UpdateResult run_update(const engine::Engine& engine, const compose::Project& project, deploy::GenerationStore& store,
                        const UpdateOptions& options);

// "<repo>:<tag>" of an image reference with its tag replaced ("a/b:1" + "x" -> "a/b:x").
std::string retag(const std::string& image, const std::string& tag);

}  // namespace slipway::update
