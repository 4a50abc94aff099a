// Debian changelogs (debian/changelog, shipped as /usr/share/doc/<pkg>/changelog.Debian.gz) and
// NEWS files (NEWS.Debian.gz): the entries between two versions, with the CVE ids they name.
// Format: deb-changelog(5). Pure; the gzip is undone by the probe.
//
// Entry shape:
//   package (version) distribution(s); urgency=...
//   <blank>
//     * change details
//   <blank>
//    -- Maintainer <mail>  Day, dd Mon yyyy hh:mm:ss +zzzz
// Lines that match nothing (old free-form history at the end of long changelogs, Emacs
// local-variables blocks) end the parse: what came before is kept.
#pragma once

#include <string>
#include <vector>

namespace slipway::update {

struct ChangelogEntry {
  std::string package;
  std::string version;
  std::string distribution;       // "bookworm-security", "unstable", ...
  std::string urgency;            // "medium", "high", ...
  std::string body;               // the change lines, as written (indented), trailing blank lines removed
  std::string trailer;            // " -- Maintainer <mail>  date" without the leading " -- "
  std::vector<std::string> cves;  // CVE ids named in the body, in order of appearance, unique
};

// All entries, newest first (the file's order).
std::vector<ChangelogEntry> parse_changelog(const std::string& text);

// The entries newer than `from` and not newer than `to` (dpkg version order), newest first:
// what an upgrade from `from` to `to` brings. `from` == "" means everything up to `to`.
std::vector<ChangelogEntry> entries_between(const std::vector<ChangelogEntry>& entries, const std::string& from,
                                            const std::string& to);

// CVE ids ("CVE-2024-12345") in `text`, in order of appearance, unique, upper-cased.
std::vector<std::string> find_cves(const std::string& text);

}  // namespace slipway::update
