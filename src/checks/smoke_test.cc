#include "checks/smoke.h"

#include <gtest/gtest.h>

namespace slipway::checks {
namespace {

LoadOptions web_only() {
  LoadOptions o;
  o.services = {"web"};
  return o;
}

TEST(SelectSmoke, KeepsOnlyTheMarkedFilesChecksWhenAnyFileIsMarked) {
  Suite s = load_gossfile_text("x-slipway: {smoke: true}\nfile:\n  /etc/passwd: {exists: true}\n", "smoke.yaml",
                               web_only());
  Suite other = load_gossfile_text("command:\n  echo hi: {exit-status: 0}\n", "write.yaml", web_only());
  s.checks.insert(s.checks.end(), other.checks.begin(), other.checks.end());
  ASSERT_EQ(s.checks.size(), 2u);
  EXPECT_TRUE(has_smoke_marks(s));
  Suite smoke = select_smoke(s);
  ASSERT_EQ(smoke.checks.size(), 1u);
  EXPECT_EQ(smoke.checks[0].id, "/etc/passwd");
}

TEST(SelectSmoke, KeepsEveryCheckWhenNoneIsMarked) {
  Suite s = load_gossfile_text("x-slipway: {smoke: false}\nfile:\n  /a: {exists: true}\n  /b: {exists: true}\n",
                               "t.yaml", web_only());
  EXPECT_FALSE(has_smoke_marks(s));
  EXPECT_EQ(select_smoke(s).checks.size(), 2u);
}

TEST(SelectSmoke, ASmokeValueThatIsNotABooleanIsAnErrorAtItsPlace) {
  try {
    load_gossfile_text("x-slipway: {smoke: yes please}\n", "t.yaml", web_only());
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("t.yaml:1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("x-slipway.smoke: expected true or false"), std::string::npos);
  }
}

}  // namespace
}  // namespace slipway::checks
