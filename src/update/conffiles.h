// dpkg conffiles: the configuration files a package ships and dpkg records with the md5sum of
// the package's version (`dpkg-query -W -f '${Package}\t${Conffiles}\n'`). A conffile whose
// content differs from that md5sum has been overridden — by the image's Dockerfile, in
// slipway's case — and an upgrade that changes the package's default under it is exactly what
// dispatch-conf/ucf show on a classic host. Pure: parsing, comparison and a line diff.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace slipway::update {

// The -f argument probes give `dpkg-query -W` for conffiles.
inline constexpr const char* kConffilesQueryFormat = "${binary:Package}\\t${db:Status-Status}\\t${Conffiles}\\n";

struct Conffile {
  std::string package;
  std::string path;
  std::string md5;        // as the package shipped it
  bool obsolete = false;  // no longer shipped by the installed version
};

// Output of kConffilesQueryFormat: a package line, then one " /path md5 [obsolete]" line per
// conffile. Packages not "installed" and obsolete entries with no md5 are skipped.
std::vector<Conffile> parse_conffiles(const std::string& output);

// `md5sum FILE...` output: path -> md5 (lines "md5  path"; "\"-escaped names are skipped).
std::map<std::string, std::string> parse_md5sums(const std::string& output);

struct OverriddenConffile {
  Conffile conffile;
  std::string actual_md5;  // "" when the file is missing (removed by the image)
};

// Conffiles (not obsolete) whose content differs from the package's md5: overridden or
// removed. `actual` maps path -> md5 of the file in the image.
std::vector<OverriddenConffile> overridden_conffiles(const std::vector<Conffile>& conffiles,
                                                     const std::map<std::string, std::string>& actual);

// A unified diff (3 lines of context) of two texts, with headers "--- a_label" / "+++ b_label";
// "" when they are equal. Texts over `max_lines` lines are not diffed: the result then says so
// with both sizes.
std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_label,
                         const std::string& b_label, size_t max_lines = 4000);

}  // namespace slipway::update
