// The what-changed report of `slipway update`, per image: packages added, removed and upgraded
// (security ones marked), the Debian changelog entries each upgrade brings (NEWS entries and CVE
// ids first), and — the dispatch-conf view — how the package's default of every conffile the
// image overrides changed, beside the stack's own version. Pure: the values are filled by
// update.cc from the probes; this file diffs package lists and renders text, Markdown and JSON.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "update/apt_output.h"
#include "update/changelog.h"

namespace slipway::update {

struct PackageChange {
  std::string name;
  std::string source;
  std::string old_version;  // "" when added
  std::string new_version;  // "" when removed
  std::string kind;         // "added", "removed", "upgraded", "downgraded"
  bool security = false;
};

// Packages that differ between two installed lists (by name). `security` names the packages
// known to come from a security suite (from the old image's apt list --upgradable); an upgraded
// package whose changelog entries name a -security distribution is marked by the caller too.
std::vector<PackageChange> diff_packages(const std::vector<InstalledPackage>& before,
                                         const std::vector<InstalledPackage>& after,
                                         const std::set<std::string>& security = {});

// The changelog of one upgraded source package.
struct SourceChanges {
  std::string source;
  std::vector<std::string> packages;  // its binary packages that changed
  std::string old_version, new_version;
  bool security = false;
  std::vector<ChangelogEntry> entries;  // between the versions, newest first
  std::vector<ChangelogEntry> news;     // NEWS.Debian entries between the versions
  std::vector<std::string> cves;        // from the entries, unique
  std::string note;                     // e.g. "the image strips /usr/share/doc: no changelog"
};

// One conffile the image overrides, whose package changed.
struct ConffileChange {
  std::string package, path;
  std::string old_version, new_version;
  std::string default_diff;   // old default -> new default ("" when unchanged)
  std::string override_text;  // the stack's version, as in the new image ("" when removed)
  std::string note;           // why a default could not be shown
};

struct ImageChanges {
  std::vector<std::string> services;
  std::string image;
  std::string old_image_id, new_image_id;
  bool package_manager = true;
  std::vector<PackageChange> packages;
  std::vector<SourceChanges> sources;
  std::vector<ConffileChange> conffiles;
  // Major version changes of data-owning servers in an image whose services mount a data
  // volume (update/migration.h): such an update is never deployed.
  std::vector<std::string> migrations;
  size_t security_count() const;
};

struct UpdateReport {
  std::string stack;
  std::string started;             // UTC
  std::vector<std::string> bases;  // "debian:bookworm: abc -> def" per refreshed base
  std::string suite_change;        // --suite: "bookworm -> trixie"
  std::vector<std::string> rewritten;  // --write: Dockerfiles whose FROM lines were rewritten
  std::vector<ImageChanges> images;
  std::string gate;  // "passed", "failed", "skipped (no changes)", "not run"
  std::vector<std::string> failing_checks;
  std::string outcome;  // one line: what happened to the running stack
  int generation = 0;   // its line in `slipway history` (0: none recorded)
  bool changed() const;
};

// Security updates first, then NEWS, then by name; CVE ids merged into SourceChanges::cves.
void order_sources(std::vector<SourceChanges>& sources);

nlohmann::ordered_json report_json(const UpdateReport& report);
// Markdown (for mail or a commit message) or plain terminal text of the same content.
std::string report_markdown(const UpdateReport& report);
std::string report_text(const UpdateReport& report);

}  // namespace slipway::update
