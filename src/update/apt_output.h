// Parsers for what dpkg and apt print inside an image: the installed packages
// (`dpkg-query -W` in the format kDpkgQueryFormat), the upgradable ones (`apt list
// --upgradable`, or `apt-get -s upgrade`'s "Inst" lines). Pure text in, values out; the
// probes (update/probe.h) run the programs.
//
// Malformed lines are skipped, not fatal: these outputs come from whatever dpkg/apt the image
// holds, and one odd line must not hide the other packages.
#pragma once

#include <string>
#include <vector>

namespace slipway::update {

// The -f argument probes give `dpkg-query -W`: one line per package, tab-separated.
inline constexpr const char* kDpkgQueryFormat =
    "${binary:Package}\\t${Version}\\t${Architecture}\\t${db:Status-Status}\\t${source:Package}\\t${source:"
    "Version}\\n";

struct InstalledPackage {
  std::string name;  // binary package, without ":arch" for the native architecture
  std::string version;
  std::string architecture;
  std::string source;          // source package (the changelog is per source)
  std::string source_version;  // differs from `version` for binNMUs
};

// Lines of kDpkgQueryFormat; only packages whose status is "installed" (not config-files,
// half-installed...). Sorted by name.
std::vector<InstalledPackage> parse_dpkg_query(const std::string& output);

struct Upgradable {
  std::string name;
  std::string current;    // installed version ("" for a package the upgrade would add)
  std::string candidate;  // the version apt would install
  std::string architecture;
  std::vector<std::string> suites;  // archives offering `candidate`, e.g. {"bookworm-security"}
  bool security = false;            // one of `suites` is a security suite
};

// `apt list --upgradable`: "name/suite[,suite] VERSION ARCH [upgradable from: OLD]".
// The "Listing..." header and apt's CLI warning are ignored. Sorted by name.
std::vector<Upgradable> parse_apt_list_upgradable(const std::string& output);

// `apt-get -s upgrade|dist-upgrade`: "Inst name [OLD] (NEW Origin:Version/suite[, ...] [arch])".
// Packages the upgrade would add appear with current "". Sorted by name.
std::vector<Upgradable> parse_apt_get_simulate(const std::string& output);

// True for Debian's security archive names: "bookworm-security", "stable-security",
// "Debian-Security:12/stable-security", "updates" of the old security layout ("bullseye/updates").
bool is_security_suite(const std::string& suite);

}  // namespace slipway::update
