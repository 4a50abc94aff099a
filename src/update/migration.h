// Which package changes of an update need a data migration first: a server whose on-disk format
// belongs to its major version, updated across majors while a named volume of its service keeps
// the data. PostgreSQL is the example: bookworm's postgresql-15 becomes trixie's postgresql-17
// (a different package, whose server refuses a version-15 data directory until pg_upgrade or a
// dump and restore moved it). Such an update is tested but never deployed by `update`.
//
// Detected by package name and version (pure):
//   - a versioned package family (postgresql-15 removed, postgresql-17 added);
//   - an upgrade across upstream majors of a server that owns a data format (mariadb-server
//     10.11 -> 11.8).
// Library transitions (libicu72 -> libicu76) and majors of tools (apt 2 -> 3) are not data
// migrations and are not flagged.
#pragma once

#include <string>
#include <vector>

#include "update/report.h"

namespace slipway::update {

// The families whose package name carries the major version ("postgresql-15"): the prefix up to
// the number.
const std::vector<std::string>& versioned_data_families();
// Servers whose data format follows their upstream major version.
const std::vector<std::string>& data_format_servers();

// One line per migration needed, naming the packages, the versions and the first volume
// (`volumes` are "service:volume" of the image's services). Empty when `volumes` is empty: with
// no data kept across containers, a major change is an ordinary upgrade.
std::vector<std::string> data_migrations(const std::vector<PackageChange>& packages,
                                         const std::vector<std::string>& volumes);

}  // namespace slipway::update
