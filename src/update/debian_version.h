// Debian package versions ([epoch:]upstream[-revision]) and their order, exactly as dpkg orders
// them (dpkg's lib/dpkg/version.c, deb-version(7)): numeric epochs first, then upstream and
// revision compared part by part, where `~` sorts before everything (even the end of the
// string), letters before other characters, and digit runs numerically.
//
// Why our own: `update` decides "is this newer" and "which changelog entries lie between two
// versions" for every package of every image; spawning `dpkg --compare-versions` per pair would
// cost a process each, and the order must be dpkg's, not a semver approximation.
#pragma once

#include <optional>
#include <string>

namespace slipway::update {

struct DebianVersion {
  unsigned long epoch = 0;
  std::string upstream;
  std::string revision;  // "" when the version has no '-'
};

// Splits a version string. nullopt for what dpkg rejects: empty, an epoch that is not a
// number, an upstream part that is empty or does not start with a digit... (dpkg accepts a
// non-digit start with a warning; we accept it too, as installed packages may carry one).
std::optional<DebianVersion> parse_debian_version(const std::string& text);

// <0, 0, >0 as a is older than, the same as, newer than b. Unparsable strings compare as
// plain strings after every valid version (they never claim to be an upgrade).
int compare_debian_versions(const std::string& a, const std::string& b);

// The upstream part's major component: "15" of "15.8-0+deb12u1", "2" of "1:2.4.57-2".
// Used to flag upgrades that change a data format (PostgreSQL 15 -> 17).
std::string upstream_major(const std::string& version);

}  // namespace slipway::update
