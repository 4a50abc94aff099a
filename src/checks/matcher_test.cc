#include "checks/matcher.h"

#include <gtest/gtest.h>

#include "checks/semver.h"

namespace slipway::checks {
namespace {

bool ok(const json& expectation, const Value& actual, bool reader = false) {
  return validate(expectation, actual, reader).ok;
}

TEST(Matcher, GoFormatLikeFmtV) {
  EXPECT_EQ(go_format(json(128.0)), "128");
  EXPECT_EQ(go_format(json(128.3)), "128.3");
  EXPECT_EQ(go_format(json(1e8)), "1e+08");
  EXPECT_EQ(go_format(json(123456789.0)), "1.23456789e+08");
  EXPECT_EQ(go_format(json(0.0001)), "0.0001");
  EXPECT_EQ(go_format(json(0.00001)), "1e-05");
  EXPECT_EQ(go_format(json(42)), "42");
  EXPECT_EQ(go_format(json(true)), "true");
  EXPECT_EQ(go_format(json::array({1, "a"})), "[1 a]");
  EXPECT_EQ(go_format(json{{"b", 1}, {"a", "x"}}), "map[a:x b:1]");
  EXPECT_EQ(go_format(json(nullptr)), "<nil>");
}

TEST(Matcher, LinePatterns) {
  Value text(json("foo bar\nmoo cow\n"));
  EXPECT_TRUE(ok(json::array({"foo", "/^m.*w$/", "!ftw", "!/^ERROR:/"}), text, true));
  EXPECT_FALSE(ok(json::array({"!foo"}), text, true));
  EXPECT_FALSE(ok(json::array({"/^t/"}), text, true));
  EXPECT_TRUE(ok(json::array({""}), Value(json("")), true));
  PropertyResult r = validate(json::array({"zzz", "foo"}), text, true);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail.missing, json::array({"zzz"}));
}

TEST(Matcher, TypesFollowGo) {
  EXPECT_TRUE(ok(json(42), Value(json("42"))));                                // to-numeric
  EXPECT_TRUE(ok(json("42"), Value(json(42))));                                // to-string
  EXPECT_FALSE(ok(json{{"equal", 42}}, Value(json(42.0))));                    // DeepEqual: int != float64
  EXPECT_FALSE(ok(json{{"equal", json::array({"a"})}}, Value::lines({"a"})));  // []string != []interface{}
  EXPECT_TRUE(ok(json{{"have-len", 2}}, Value::lines({"a", "b"})));
  EXPECT_TRUE(ok(json{{"consist-of", json::array({"b", "a"})}}, Value::lines({"a", "b"})));
  EXPECT_FALSE(ok(json{{"consist-of", json::array({"a"})}}, Value::lines({"a", "b"})));
  // A numeric comparison against text is an error, not a silent false.
  PropertyResult r = validate(json{{"gt", 1}}, Value(json("abc")));
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("to-numeric"), std::string::npos);
}

TEST(Matcher, SyntaxErrors) {
  EXPECT_THROW(compile(json{{"a", 1}, {"b", 2}}), MatcherSyntaxError);
  EXPECT_THROW(compile(json{{"nope", 1}}), MatcherSyntaxError);
  EXPECT_THROW(compile(json(nullptr)), MatcherSyntaxError);
  EXPECT_THROW(compile(json{{"and", "x"}}), MatcherSyntaxError);
  EXPECT_FALSE(validate(json{{"match-regexp", "("}}, Value(json("x"))).ok);  // bad regexp: error, no crash
}

TEST(Matcher, Semver) {
  auto r = SemRange::parse(">1.0.0 <2.0.0 !=1.5.0");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(*SemVersion::parse("1.9.9")));
  EXPECT_FALSE(r->contains(*SemVersion::parse("1.5.0")));
  EXPECT_FALSE(r->contains(*SemVersion::parse("2.0.0")));
  EXPECT_TRUE(SemRange::parse("<1.0.0 || >=3.0.0")->contains(*SemVersion::parse("3.1.0")));
  EXPECT_TRUE(SemRange::parse("1.x")->contains(*SemVersion::parse("1.4.2")));
  EXPECT_LT(SemVersion::parse("1.0.0-alpha")->compare(*SemVersion::parse("1.0.0")), 0);
  EXPECT_FALSE(SemVersion::parse("1.2"));
  EXPECT_FALSE(SemRange::parse(">>1.0.0"));
}

TEST(Matcher, LongTextRegexDoesNotCrash) {
  std::string big(1 << 20, 'a');
  EXPECT_TRUE(ok(json{{"match-regexp", "^(a|b)*$"}}, Value(json(big))));
  PropertyResult r = validate(json{{"match-regexp", "a"}}, Value(json(big + "a")));
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("1 MiB"), std::string::npos);
}

TEST(Matcher, HumanFailureText) {
  PropertyResult r = validate(json("this is a failing test"), Value(json("this is a test")));
  EXPECT_EQ(r.detail.human(), "Expected\n    \"this is a test\"\nto equal\n    \"this is a failing test\"");
}

}  // namespace
}  // namespace slipway::checks
