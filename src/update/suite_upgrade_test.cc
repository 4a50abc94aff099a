#include "update/suite_upgrade.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::update {
namespace {

TEST(PointFromAt, RewritesDebianFromLinesKeepingFlagsStagesAndTheRest) {
  std::string in =
      "# syntax=docker/dockerfile:1\n"
      "FROM debian:bookworm AS build\n"
      "RUN apt-get update\n"
      "from   --platform=linux/amd64  debian:bookworm-slim\n"
      "FROM build\n"
      "FROM scratch\n"
      "FROM debian:trixie\n"
      "COPY --from=build /x /x\n";
  FromRewrite r = point_from_at(in, "trixie");
  EXPECT_EQ(r.text,
            "# syntax=docker/dockerfile:1\n"
            "FROM debian:trixie AS build\n"
            "RUN apt-get update\n"
            "from   --platform=linux/amd64  debian:trixie\n"
            "FROM build\n"
            "FROM scratch\n"
            "FROM debian:trixie\n"
            "COPY --from=build /x /x\n");
  EXPECT_EQ(r.replaced, (std::vector<std::string>{"debian:bookworm", "debian:bookworm"}));
  EXPECT_EQ(r.lines, (std::vector<int>{2, 4}));
}

TEST(PointFromAt, LeavesOtherImagesAndTheLastLineAsTheyAre) {
  FromRewrite r = point_from_at("FROM alpine:3\nFROM debian:bookworm@sha256:abc", "trixie");
  EXPECT_EQ(r.text, "FROM alpine:3\nFROM debian:trixie");
  EXPECT_EQ(r.lines, (std::vector<int>{2}));
}

TEST(PointFromAt, FromThroughABuildArgumentIsReportedNotRewritten) {
  std::vector<int> unresolved;
  FromRewrite r = point_from_at("ARG SUITE=bookworm\nFROM debian:${SUITE}\n", "trixie", &unresolved);
  EXPECT_TRUE(r.replaced.empty());
  EXPECT_EQ(unresolved, (std::vector<int>{2}));
  EXPECT_EQ(r.text, "ARG SUITE=bookworm\nFROM debian:${SUITE}\n");
}

TEST(CheckTargetSuite, KnownSuitesPassUnknownOnesNameTheKnown) {
  std::string csv =
      "version,codename,series,created,release,eol,eol-lts,eol-elts\n"
      "12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-06-10,2028-06-30,2033-06-30\n"
      "13,Trixie,trixie,2023-06-10,2025-08-09\n"
      ",Sid,sid,1993-08-16\n";
  EXPECT_NO_THROW(check_target_suite("trixie", csv));
  EXPECT_NO_THROW(check_target_suite("trixie", ""));
  try {
    check_target_suite("trixy", csv);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("bookworm, trixie, sid"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_target_suite("Trixie", ""), UserError);
  EXPECT_THROW(check_target_suite("../x", ""), UserError);
}

TEST(WriteDockerfile, ReplacesTheFileKeepingItsMode) {
  std::string path = std::filesystem::temp_directory_path() / ("slipway-suite-test-" + std::to_string(::getpid()));
  std::ofstream(path) << "FROM debian:bookworm\n";
  std::filesystem::permissions(path, std::filesystem::perms(0640));
  write_dockerfile(path, "FROM debian:trixie\n");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "FROM debian:trixie\n");
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all, std::filesystem::perms(0640));
  EXPECT_FALSE(std::filesystem::exists(path + ".slipway-new"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace slipway::update
