#include "engine/base_image.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::engine {
namespace {

TEST(BaseImage, AcceptsOnlyDebianSuites) {
  EXPECT_EQ(debian_suite_of("debian:bookworm"), "bookworm");
  EXPECT_EQ(debian_suite_of("debian:trixie"), "trixie");
  EXPECT_EQ(debian_suite_of("debian:bookworm-backports"), "bookworm-backports");
  for (const char* bad :
       {"debian", "ubuntu:jammy", "debian:", "debian:Bookworm", "debian:bookworm;rm", "library/debian:x"})
    EXPECT_THROW(debian_suite_of(bad), UserError) << bad;
}

TEST(BaseImage, ParsesInstalledPackagesFromDpkgStatus) {
  std::string status =
      "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n"
      "Description: compression\n library\n\n"
      "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\n\n"
      "Package: removed-one\nStatus: deinstall ok config-files\nVersion: 1\n\n"
      "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64";
  auto p = parse_dpkg_status(status);
  ASSERT_EQ(p.size(), 3u);  // the removed package is skipped; the last paragraph has no newline
  EXPECT_EQ(p[0].name, "base-files");
  EXPECT_EQ(p[1].name, "libc6");
  EXPECT_EQ(p[2].name, "zlib1g");
  EXPECT_EQ(p[2].version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(p[2].architecture, "amd64");
}

}  // namespace
}  // namespace slipway::engine
