// Conformance with goss on its own test data: the same per-check pass/fail results.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "checks/result.h"
#include "checks/spec.h"

namespace slipway::checks {
namespace {

const std::string kGoss = SLIPWAY_SOURCE_DIR "/../shared/corpus/goss";

std::map<std::string, Status> run_file(const std::string& path) {
  Suite s = load_gossfile(path);
  std::map<std::string, Status> out;
  for (const auto& c : s.checks) {
    EXPECT_EQ(c.type, "matching");
    CheckResult r = run_matching(c);
    out[c.id] = r.status();
    for (const auto& p : r.properties)
      if (p.status == Status::Fail && std::getenv("SLIPWAY_VERBOSE"))
        std::cerr << r.name(p) << ":\n" << (p.error ? "Error: " + *p.error : p.detail.human()) << "\n\n";
  }
  return out;
}

void expect_all(const std::map<std::string, Status>& results, Status want, const std::set<std::string>& skipped = {}) {
  for (const auto& [id, st] : results) {
    Status w = skipped.count(id) ? Status::Skip : want;
    EXPECT_EQ(status_name(st), std::string(status_name(w))) << id;
  }
}

TEST(GossConformance, MatchingBasicAllPass) {
  auto r = run_file(kGoss + "/testdata/matching_basic.yaml");
  EXPECT_EQ(r.size(), 16u);
  expect_all(r, Status::Pass, {"basic_string_skip"});
}

TEST(GossConformance, MatchingBasicFailingAllFail) {
  auto r = run_file(kGoss + "/testdata/matching_basic_failing.yaml");
  EXPECT_EQ(r.size(), 27u);
  expect_all(r, Status::Fail);
}

TEST(GossConformance, MatchingTransformersAllPass) {
  auto r = run_file(kGoss + "/testdata/matching_transformers.yaml");
  EXPECT_EQ(r.size(), 12u);
  expect_all(r, Status::Pass);
}

TEST(GossConformance, MatchingTransformersFailingAllFail) {
  auto r = run_file(kGoss + "/testdata/matching_transformers_failing.yaml");
  EXPECT_EQ(r.size(), 18u);
  expect_all(r, Status::Fail);
}

}  // namespace
}  // namespace slipway::checks
