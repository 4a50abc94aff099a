#include "compose/interpolate.h"

#include <gtest/gtest.h>

#include <map>

#include "yaml/reader.h"

namespace slipway::compose {
namespace {

// The variables compose-go's template tests use.
struct Fixture {
  std::map<std::string, std::string> vars{{"FOO", "first"}, {"BAR", ""}, {"JSON", "{\"json\":2}"}};
  std::vector<std::string> warnings;
  InterpolateOptions options() {
    InterpolateOptions o;
    o.lookup = [this](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    o.warn = [this](const std::string& w) { warnings.push_back(w); };
    return o;
  }
  std::string sub(const std::string& t) { return interpolate_string(t, options()); }
  std::string error(const std::string& t) {
    try {
      sub(t);
    } catch (const UserError& e) {
      return e.bare();
    }
    return "";
  }
};

TEST(Interpolate, Escapes) {
  Fixture f;
  EXPECT_EQ(f.sub("$${foo}"), "${foo}");
  EXPECT_EQ(f.sub("$$FOO $$"), "$FOO $");
  EXPECT_EQ(f.sub("foo"), "foo");
  for (const char* s : {"a $ string", "^REGEX$", "$}", "$", "$-x", "100$ "}) EXPECT_EQ(f.sub(s), s);
}

TEST(Interpolate, InvalidTemplates) {
  Fixture f;
  for (const char* s : {"${", "${}", "${ }", "${ foo}", "${foo }", "${foo!}", "${FOO:x}", "x ${FOO:-a\n}"}) {
    std::string e = f.error(s);
    EXPECT_EQ(e.rfind("invalid interpolation format: \"", 0), 0u) << s << " -> " << e;
    EXPECT_NE(e.find("$$"), std::string::npos);
  }
}

TEST(Interpolate, PlainAndBraced) {
  Fixture f;
  EXPECT_EQ(f.sub("$FOO-bar"), "first-bar");
  EXPECT_EQ(f.sub("This $FOO var"), "This first var");
  EXPECT_EQ(f.sub("This ${FOO} var"), "This first var");
  EXPECT_EQ(f.sub("This ${BAR} var"), "This  var");
  EXPECT_TRUE(f.warnings.empty());
  EXPECT_EQ(f.sub("This ${missing} var"), "This  var");
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0], "The \"missing\" variable is not set. Defaulting to a blank string.");
  EXPECT_EQ(f.sub("${FOO}${FOO}$FOO"), "firstfirstfirst");
  EXPECT_EQ(f.sub("$foo_1x"), "");  // names are [_a-zA-Z][_a-zA-Z0-9]*
}

TEST(Interpolate, Defaults) {
  Fixture f;
  EXPECT_EQ(f.sub("ok ${missing:-def}"), "ok def");
  EXPECT_EQ(f.sub("ok ${missing-def}"), "ok def");
  EXPECT_EQ(f.sub("ok ${BAR:-def}"), "ok def");
  EXPECT_EQ(f.sub("ok ${FOO:-def}"), "ok first");
  EXPECT_EQ(f.sub("ok ${BAR-def}"), "ok ");
  EXPECT_EQ(f.sub("ok ${BAR:-/non:-alphanumeric}"), "ok /non:-alphanumeric");
  EXPECT_EQ(f.sub("${UNSET_VAR-myerror?msg}"), "myerror?msg");
  EXPECT_TRUE(f.warnings.empty());
}

TEST(Interpolate, Presence) {
  Fixture f;
  EXPECT_EQ(f.sub("ok ${UNSET_VAR:+presence_value}"), "ok ");
  EXPECT_EQ(f.sub("ok ${UNSET_VAR+presence_value}"), "ok ");
  EXPECT_EQ(f.sub("ok ${FOO:+presence_value}"), "ok presence_value");
  EXPECT_EQ(f.sub("ok ${FOO+presence_value}"), "ok presence_value");
  EXPECT_EQ(f.sub("ok ${BAR+presence_value}"), "ok presence_value");
  EXPECT_EQ(f.sub("ok ${BAR:+presence_value}"), "ok ");
}

TEST(Interpolate, OuterTextDoesNotInterfere) {
  Fixture f;
  EXPECT_EQ(f.sub("-ok ${BAR:-defaultValue}"), "-ok defaultValue");
  EXPECT_EQ(f.sub("+ok ${UNSET:-${BAR-defaultValue}}"), "+ok ");
  EXPECT_EQ(f.sub(":-ok ${UNSET-defaultValue}"), ":-ok defaultValue");
  EXPECT_EQ(f.sub(":?ok ${BAR-defaultValue}"), ":?ok ");
  EXPECT_EQ(f.sub(":+ok ${BAR:-defaultValue}"), ":+ok defaultValue");
  EXPECT_EQ(f.sub("?ok ${BAR:-defaultValue}"), "?ok defaultValue");
}

TEST(Interpolate, NestedDefaults) {
  Fixture f;
  EXPECT_EQ(f.sub("ok ${UNSET_VAR-$FOO}"), "ok first");
  EXPECT_EQ(f.sub("ok ${UNSET_VAR-${FOO}}"), "ok first");
  EXPECT_EQ(f.sub("ok ${UNSET_VAR-${FOO} ${FOO}}"), "ok first first");
  EXPECT_EQ(f.sub("ok ${BAR:-${FOO} ${FOO}}"), "ok first first");
  EXPECT_EQ(f.sub("ok ${BAR+$FOO ${FOO:+second}}"), "ok first second");
  EXPECT_EQ(f.sub("${A:-${B:-c}}"), "c");
  EXPECT_EQ(f.sub("${A:-${B:-${FOO}}}-x"), "first-x");
  EXPECT_EQ(f.sub("ok ${SUBDOMAIN:-redis}.${FOO:?}"), "ok redis.first");
  EXPECT_EQ(f.sub("${A:-x} and ${FOO} }"), "x and first }");
  EXPECT_EQ(f.sub("ok ${missing:-{\"json\":1}}"), "ok {\"json\":1}");
  EXPECT_EQ(f.sub("ok ${JSON-{\"json\":1}}"), "ok {\"json\":2}");
  EXPECT_EQ(f.sub("${A:-x}\n${FOO}"), "x\nfirst");
}

TEST(Interpolate, WarningsOnlyWhenAValueIsUsed) {
  Fixture f;
  EXPECT_EQ(f.sub("${A:+${A},}B"), "B");
  EXPECT_TRUE(f.warnings.empty());
  EXPECT_EQ(f.sub("${A:-${B}}"), "");
  EXPECT_EQ(f.warnings.size(), 1u);
  f.vars["A"] = "value";
  f.warnings.clear();
  EXPECT_EQ(f.sub("${A?${B}}"), "value");
  EXPECT_TRUE(f.warnings.empty());
}

TEST(Interpolate, Required) {
  Fixture f;
  EXPECT_EQ(f.error("not ok ${UNSET_VAR:?Mandatory Variable Unset}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable Unset");
  EXPECT_EQ(f.error("not ok ${BAR:?Mandatory Variable Empty}"),
            "required variable BAR is missing a value: Mandatory Variable Empty");
  EXPECT_EQ(f.error("not ok ${UNSET_VAR:?}"), "required variable UNSET_VAR is missing a value");
  EXPECT_EQ(f.error("not ok ${UNSET_VAR?}"), "required variable UNSET_VAR is missing a value");
  EXPECT_EQ(f.error("${UNSET_VAR?bar-baz}"), "required variable UNSET_VAR is missing a value: bar-baz");
  EXPECT_EQ(f.error("not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable first");
  EXPECT_EQ(f.sub("ok ${FOO:?err}"), "ok first");
  EXPECT_EQ(f.sub("ok ${BAR?err}"), "ok ");
}

TEST(Interpolate, ErrorsCarryTheLocation) {
  Fixture f;
  try {
    interpolate_string("${X?need X}", f.options(), Location{"c.yml", 3, 12});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "c.yml:3:12: required variable X is missing a value: need X");
  }
}

TEST(Interpolate, NoLookupMeansEverythingUnset) {
  InterpolateOptions o;
  EXPECT_EQ(interpolate_string("a${X:-b}c$Y", o), "abc");
}

TEST(Interpolate, Tree) {
  Fixture f;
  f.vars["PORT"] = "8080";
  f.vars["TAG"] = "1.2";
  yaml::Node n = yaml::read(
      "services:\n  web:\n    image: \"nginx:${TAG}\"\n    ports: [$PORT]\n    environment:\n      ${FOO}: x\n"
      "    command: [\"echo\", \"$$HOME\"]\n    x: ~\n",
      "c.yml");
  interpolate_tree(n, f.options());
  const yaml::Node& web = *n.find("services")->find("web");
  EXPECT_EQ(web.find("image")->value(), "nginx:1.2");
  EXPECT_EQ(web.find("ports")->items()[0].value(), "8080");
  EXPECT_EQ(web.find("ports")->items()[0].style(), yaml::Style::Plain);
  long long port;
  EXPECT_TRUE(web.find("ports")->items()[0].plain_int(&port));
  EXPECT_TRUE(web.find("environment")->has("${FOO}"));  // keys are not interpolated
  EXPECT_EQ(web.find("command")->items()[1].value(), "$HOME");
  EXPECT_TRUE(web.find("x")->is_null());

  yaml::Node bad = yaml::read("services:\n  web:\n    image: \"${\"\n", "c.yml");
  try {
    interpolate_tree(bad, f.options());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.location().line, 3);
    EXPECT_EQ(e.location().column, 12);
    EXPECT_NE(e.bare().find("invalid interpolation format for services.web.image: \"${\""), std::string::npos)
        << e.bare();
  }
}

}  // namespace
}  // namespace slipway::compose
