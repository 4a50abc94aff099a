// `slipway update --suite SUITE`: a distribution upgrade. The stack's images are rebuilt with
// their `FROM debian:<old>` lines pointed at debian:<SUITE> (made by `slipway base`'s code),
// in memory: the build gets the rewritten Dockerfile as an inline one, the files on disk stay as
// they are unless --write asks for them to be rewritten (after the tests passed). Pure, except
// write_dockerfile.
#pragma once

#include <string>
#include <vector>

namespace slipway::update {

struct FromRewrite {
  std::string text;                   // the Dockerfile with its FROM lines rewritten
  std::vector<std::string> replaced;  // "debian:bookworm", per rewritten line
  std::vector<int> lines;             // 1-based line numbers of the rewritten FROM lines
};

// Points every `FROM [--flag=...] debian:<suite>[@digest] [AS name]` of another suite at
// debian:<suite>; spacing, case, flags and stage names are kept, so is every other line.
// `debian:<suite>-slim` and such variants become debian:<suite> (the only image `slipway base`
// makes). FROM lines built from ARGs (`FROM debian:${SUITE}`) are not touched: `unresolved`
// gets their line numbers, so the caller can say the upgrade cannot reach them.
FromRewrite point_from_at(const std::string& dockerfile, const std::string& suite,
                          std::vector<int>* unresolved = nullptr);

// `suite` checked against Debian's release list (distro-info-data's CSV text; "" when the
// file is missing: then only the spelling is checked). UserError naming the known suites.
void check_target_suite(const std::string& suite, const std::string& distro_info_csv);

// Replaces the file at `path` by `text` atomically (a temporary file beside it, then rename),
// keeping its permissions. EnvError when it cannot.
void write_dockerfile(const std::string& path, const std::string& text);

}  // namespace slipway::update
