#include "apply/tar.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::apply {
namespace {

TEST(Tar, RoundTripsFilesWithOwnerAndMode) {
  std::string long_dir(120, 'd');
  std::string tar = make_tar({{"run/", "", 0755, 0, 0},
                              {"run/secrets/pw", "s3cret", 0400, 1000, 1001},
                              {long_dir + "/file", std::string(600, 'x'), 0644, 0, 0}});
  EXPECT_EQ(tar.size() % 512, 0u);
  // Header fields as the engine reads them.
  size_t second = 512;
  EXPECT_EQ(tar.substr(second, 14), "run/secrets/pw");
  EXPECT_EQ(tar.substr(second + 100, 7), "0000400");
  EXPECT_EQ(tar.substr(second + 108, 7), "0001750");
  EXPECT_EQ(tar.substr(second + 116, 7), "0001751");
  auto files = read_tar(tar);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files["run/secrets/pw"], "s3cret");
  EXPECT_EQ(files[long_dir + "/file"], std::string(600, 'x'));
  EXPECT_THROW(make_tar({{std::string(300, 'a'), "", 0644, 0, 0}}), UserError);
}

TEST(Tar, ChecksumIsValid) {
  std::string tar = make_tar({{"a", "b", 0644, 0, 0}});
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(tar[i]);
  EXPECT_EQ(std::stoul(tar.substr(148, 6), nullptr, 8), sum);
}

TEST(Tar, TruncatedInputIsNotACrash) {
  std::string tar = make_tar({{"a", std::string(2000, 'z'), 0644, 0, 0}});
  for (size_t cut : {0u, 100u, 512u, 1000u}) EXPECT_NO_THROW(read_tar(tar.substr(0, cut)));
}

}  // namespace
}  // namespace slipway::apply
