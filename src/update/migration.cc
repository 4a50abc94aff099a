#include "update/migration.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "update/debian_version.h"

namespace slipway::update {
namespace {

// "postgresql-15" -> {"postgresql-", "15"} when the name is a family member; the major is the
// digits after the prefix (a "." may follow: "mysql-server-8.0").
std::optional<std::pair<std::string, std::string>> family_member(const std::string& name) {
  for (const auto& prefix : versioned_data_families()) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = name.substr(prefix.size());
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits == 0) continue;
    bool tail_ok = digits == rest.size() || (rest[digits] == '.' && rest.find_first_not_of("0123456789", digits + 1) ==
                                                                         std::string::npos);
    if (tail_ok) return std::make_pair(prefix, rest.substr(0, digits));
  }
  return std::nullopt;
}

std::string where(const std::vector<std::string>& volumes) {
  return " while its data volume is in use (" + volumes.front() + "): migrate the data first (for PostgreSQL: "
         "pg_upgrade, or a dump and restore), then deploy by hand";
}

}  // namespace

const std::vector<std::string>& versioned_data_families() {
  static const std::vector<std::string> families = {"postgresql-", "mysql-server-"};
  return families;
}

const std::vector<std::string>& data_format_servers() {
  static const std::vector<std::string> servers = {"postgresql", "mariadb-server", "mysql-server",
                                                   "mongodb-server", "couchdb", "rabbitmq-server",
                                                   "elasticsearch", "influxdb"};
  return servers;
}

std::vector<std::string> data_migrations(const std::vector<PackageChange>& packages,
                                         const std::vector<std::string>& volumes) {
  std::vector<std::string> out;
  if (volumes.empty()) return out;
  // Versioned families first (postgresql-15 removed, postgresql-17 added).
  std::vector<std::string> families_moved;  // their prefixes ("postgresql-")
  for (const auto& removed : packages) {
    if (removed.kind != "removed") continue;
    auto old_member = family_member(removed.name);
    if (!old_member) continue;
    for (const auto& added : packages) {
      if (added.kind != "added") continue;
      auto new_member = family_member(added.name);
      if (!new_member || new_member->first != old_member->first || new_member->second == old_member->second) continue;
      out.push_back(removed.name + " " + removed.old_version + " -> " + added.name + " " + added.new_version +
                    ": a new major version" + where(volumes));
      families_moved.push_back(old_member->first);
    }
  }
  // Then servers upgraded across majors in place. The metapackage of a family that moved
  // ("postgresql" 15+248 -> 17+278 beside postgresql-15 -> postgresql-17) is the same migration:
  // said once.
  const auto& servers = data_format_servers();
  for (const auto& p : packages) {
    if (p.kind != "upgraded" || !std::count(servers.begin(), servers.end(), p.name)) continue;
    if (std::count(families_moved.begin(), families_moved.end(), p.name + "-")) continue;
    std::string from = upstream_major(p.old_version), to = upstream_major(p.new_version);
    if (!from.empty() && !to.empty() && from != to)
      out.push_back(p.name + " " + p.old_version + " -> " + p.new_version + " changes its major version" +
                    where(volumes));
  }
  return out;
}

}  // namespace slipway::update
