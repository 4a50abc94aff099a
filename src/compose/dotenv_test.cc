#include "compose/dotenv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "util/error.h"

namespace slipway::compose {
namespace {

using Vars = std::map<std::string, std::string>;

const std::string kFixtures = SLIPWAY_SOURCE_DIR "/../shared/corpus/compose/compose-go/dotenv/fixtures/";

Lookup lookup_in(const Vars& env) {
  return [env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Vars as_map(const std::vector<std::pair<std::string, std::string>>& v) { return Vars(v.begin(), v.end()); }

Vars parse(const std::string& text, const Vars& env = {}) {
  return as_map(parse_dotenv(text, "t.env", lookup_in(env)));
}

Vars fixture(const std::string& name, const Vars& env = {}) {
  return as_map(read_dotenv(kFixtures + name, lookup_in(env)));
}

std::string value(const std::string& line) {
  Vars v = parse(line);
  return v.size() == 1 ? v.begin()->second : "<" + std::to_string(v.size()) + " keys>";
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// Expected values below are those of compose-go's own godotenv_test.go / parser_test.go.

TEST(Dotenv, PlainFixture) {
  Vars v = fixture("plain.env");
  Vars want{{"OPTION_A", "1"},
            {"OPTION_B", "2"},
            {"OPTION_C", "3"},
            {"OPTION_D", "4"},
            {"OPTION_E", "5"},
            {"OPTION_F", ""},
            {"OPTION_G", ""},
            {"OPTION_H", "my string"},
            // compose-go's Read() drops keys starting with a digit; GetEnvFromFile (what Compose
            // uses for .env and env_file) keeps them.
            {"456", "ABC"}};
  EXPECT_EQ(v, want);
}

TEST(Dotenv, ExportedFixture) { EXPECT_EQ(fixture("exported.env"), (Vars{{"OPTION_A", "2"}, {"OPTION_B", "\\n"}})); }

TEST(Dotenv, EqualsFixture) {
  EXPECT_EQ(fixture("equals.env"), (Vars{{"OPTION_A", "postgres://localhost:5432/database?sslmode=disable"}}));
}

TEST(Dotenv, QuotedFixture) {
  Vars want{{"OPTION_A", "1"},          {"OPTION_B", "2"},
            {"OPTION_C", ""},           {"OPTION_D", "\\n"},
            {"OPTION_E", "1"},          {"OPTION_F", "2"},
            {"OPTION_G", ""},           {"OPTION_H", "\n"},
            {"OPTION_I", "echo 'asd'"}, {"OPTION_J", "first line\nsecond line\nthird line\nand so on"},
            {"OPTION_K", "Let's go!"},  {"OPTION_Z", "last value"}};
  EXPECT_EQ(fixture("quoted.env"), want);
}

TEST(Dotenv, UnquotedFixture) {
  Vars want{{"OPTION_A", "some quoted phrase"},
            {"OPTION_B", "first one with an unquoted phrase"},
            {"OPTION_C", "then another one with an unquoted phrase"},
            {"OPTION_D", "then another one with an unquoted phrase special \xc3\xa8 char"},
            {"OPTION_E", "then another one quoted phrase"}};
  EXPECT_EQ(fixture("unquoted.env"), want);
}

TEST(Dotenv, SubstitutionFixtures) {
  EXPECT_EQ(fixture("substitutions.env"),
            (Vars{{"OPTION_A", "1"}, {"OPTION_B", "1"}, {"OPTION_C", "1"}, {"OPTION_D", "1_1"}, {"OPTION_E", ""}}));
  // The lookup environment wins over the file's own earlier keys.
  EXPECT_EQ(fixture("substitutions.env", {{"OPTION_A", "5"}}),
            (Vars{{"OPTION_A", "1"}, {"OPTION_B", "5"}, {"OPTION_C", "5"}, {"OPTION_D", "5_5"}, {"OPTION_E", ""}}));
  EXPECT_EQ(fixture("substitutions-default.env", {{"OPTION_A", "5"}}),
            (Vars{{"OPTION_A", "5"}, {"OPTION_B", "5"}, {"OPTION_C", "5"}, {"OPTION_D", "5_5"}, {"OPTION_E", ""}}));
  EXPECT_EQ(fixture("substitutions-default.env"),
            (Vars{{"OPTION_A", "1"}, {"OPTION_B", "1"}, {"OPTION_C", "1"}, {"OPTION_D", "1_1"}, {"OPTION_E", ""}}));
}

TEST(Dotenv, InheritedFixtures) {
  const Vars env{{"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"}};
  EXPECT_EQ(fixture("inherited-multi-var.env", env),
            (Vars{{"VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"}, {"foo", "bar"}, {"bar", "baz"}}));
  EXPECT_EQ(fixture("inherited-single-var.env", env), env);
  EXPECT_TRUE(fixture("inherited-not-found.env").empty());
  EXPECT_TRUE(fixture("inherited-not-found.env", env).empty());
}

TEST(Dotenv, SpecialFixture) {
  EXPECT_EQ(fixture("special.env"),
            (Vars{{"VAR-WITH-DASHES", "dashes"}, {"VAR.WITH.DOTS", "dots"}, {"VAR_WITH_UNDERSCORES", "underscores"}}));
}

TEST(Dotenv, Utf8Bom) {
  EXPECT_EQ(parse("\xEF\xBB\xBFOPTION_A=1\nOPTION_B=2\n"), (Vars{{"OPTION_A", "1"}, {"OPTION_B", "2"}}));
}

TEST(Dotenv, ParseBytes) {
  Vars v = parse(
      "\na=b\na[1]=c\na.propertyKey=d\n\xc3\xa1rv\xc3\xadzt\xc5\xb1r\xc5\x91-"
      "T\xc3\x9cK\xc3\x96RF\xc3\x9aR\xc3\x93G\xc3\x89P="
      "\xc3\x81RV\xc3\x8dZT\xc5\xb0R\xc5\x90-t\xc3\xbck\xc3\xb6rf\xc3\xbar\xc3\xb3g\xc3\xa9p\n");
  EXPECT_EQ(v.size(), 4u);
  EXPECT_EQ(v["a"], "b");
  EXPECT_EQ(v["a[1]"], "c");
  EXPECT_EQ(v["a.propertyKey"], "d");
}

TEST(Dotenv, Parsing) {
  EXPECT_EQ(value("FOO=bar"), "bar");
  EXPECT_EQ(value("FOO =bar"), "bar");
  EXPECT_EQ(value("FOO= bar"), "bar");
  EXPECT_EQ(value("FOO=\"bar\""), "bar");
  EXPECT_EQ(value("FOO='bar'"), "bar");
  EXPECT_EQ(value(R"(FOO="escaped\"bar")"), "escaped\"bar");
  EXPECT_EQ(value(R"(FOO="\"quoted\"")"), "\"quoted\"");
  EXPECT_EQ(value(R"(FOO="'d'")"), "'d'");
  EXPECT_EQ(value("OPTION_A: 1"), "1");
  EXPECT_EQ(value("OPTION_A: Foo=bar"), "Foo=bar");
  EXPECT_EQ(value("OPTION_A=1:B"), "1:B");
  EXPECT_EQ(parse("export OPTION_A=2"), (Vars{{"OPTION_A", "2"}}));
  EXPECT_EQ(parse(R"(export OPTION_B='\n')"), (Vars{{"OPTION_B", "\\n"}}));
  EXPECT_EQ(parse("export exportFoo=2"), (Vars{{"exportFoo", "2"}}));
  EXPECT_EQ(parse("exportFOO=2"), (Vars{{"exportFOO", "2"}}));
  EXPECT_EQ(parse("export_FOO =2"), (Vars{{"export_FOO", "2"}}));
  EXPECT_EQ(parse("export.FOO= 2"), (Vars{{"export.FOO", "2"}}));
  EXPECT_EQ(parse("export\tOPTION_A=2"), (Vars{{"OPTION_A", "2"}}));
  EXPECT_EQ(parse("  export OPTION_A=2"), (Vars{{"OPTION_A", "2"}}));
  EXPECT_EQ(parse("\texport OPTION_A=2"), (Vars{{"OPTION_A", "2"}}));
  EXPECT_EQ(value(R"(export OPTION_A="export A")"), "export A");
  EXPECT_EQ(value(R"(FOO="bar\nbaz")"), "bar\nbaz");
  EXPECT_EQ(value(R"(FOO=a\tb)"), "a\\tb");
  EXPECT_EQ(value(R"(FOO="a\tb")"), "a\tb");
  EXPECT_EQ(value(R"(KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z")"), "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ");
  EXPECT_EQ(parse("FOO.BAR=foobar"), (Vars{{"FOO.BAR", "foobar"}}));
  EXPECT_EQ(value("FOO=foobar="), "foobar=");
  EXPECT_EQ(value("FOO=bar "), "bar");
  EXPECT_EQ(value("FOO=bar # this is foo"), "bar");
  EXPECT_EQ(value("FOO=bar #this is foo"), "bar");
  EXPECT_EQ(value("FOO=bar #"), "bar");
  EXPECT_EQ(value("FOO=123#not-an-inline-comment"), "123#not-an-inline-comment");
  EXPECT_EQ(value(R"(FOO="bar#baz")"), "bar#baz");
  EXPECT_EQ(value(R"(FOO="bar#baz"#)"), "bar#baz");
  EXPECT_EQ(value(R"(FOO="bar#baz" # comment)"), "bar#baz");
  EXPECT_EQ(value("FOO='bar#baz' # comment"), "bar#baz");
  EXPECT_EQ(value(R"(FOO="bar#baz#bang" # comment)"), "bar#baz#bang");
  EXPECT_EQ(value(R"(FOO="ba#r")"), "ba#r");
  EXPECT_EQ(value("FOO='ba#r'"), "ba#r");
  EXPECT_EQ(value(R"(FOO="bar\n\ b\az")"), "bar\n\\ b\az");
  EXPECT_EQ(value(R"(FOO="bar\\\n\ b\az")"), "bar\\\n\\ b\az");
  EXPECT_EQ(value(R"(FOO="bar\\r\ b\az")"), "bar\\r\\ b\az");
  EXPECT_EQ(value(R"(FOO="bar\nbaz\\")"), "bar\nbaz\\");
  EXPECT_EQ(parse(R"(="value")"), (Vars{{"", "value"}}));
  EXPECT_EQ(parse(" KEY =value"), (Vars{{"KEY", "value"}}));
  EXPECT_EQ(parse("   KEY=value"), (Vars{{"KEY", "value"}}));
  EXPECT_EQ(parse("\tKEY=value"), (Vars{{"KEY", "value"}}));
  EXPECT_EQ(value(R"(KEY="\0123")"), "S");
  EXPECT_EQ(value(R"(KEY="\x07")"), "\\x07");
  EXPECT_EQ(value(R"(KEY="\u12e4")"), "\\u12e4");
  EXPECT_EQ(value(R"(KEY="\U00101234")"), "\\U00101234");
  EXPECT_NE(error_of("lol$wut"), "");
}

TEST(Dotenv, Expanding) {
  EXPECT_EQ(parse("FOO=test\nBAR=$FOO"), (Vars{{"FOO", "test"}, {"BAR", "test"}}));
  EXPECT_EQ(parse("FOO=test\nBAR=${FOO}bar"), (Vars{{"FOO", "test"}, {"BAR", "testbar"}}));
  EXPECT_EQ(parse("BAR=$FOO"), (Vars{{"BAR", ""}}));
  EXPECT_EQ(parse("FOO=test\nBAR=\"quote $FOO\""), (Vars{{"FOO", "test"}, {"BAR", "quote test"}}));
  EXPECT_EQ(parse("BAR='quote $FOO'"), (Vars{{"BAR", "quote $FOO"}}));
  EXPECT_EQ(parse(R"(FOO="foo\$BAR")"), (Vars{{"FOO", "foo$BAR"}}));
  EXPECT_EQ(parse(R"(FOO="foo\${BAR}")"), (Vars{{"FOO", "foo${BAR}"}}));
  EXPECT_EQ(parse("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\""), (Vars{{"FOO", "test"}, {"BAR", "foo${FOO} test"}}));
  EXPECT_EQ(parse("TEST=$ME", {{"ME", "YES"}}), (Vars{{"TEST", "YES"}}));
  EXPECT_EQ(parse("A=$$B"), (Vars{{"A", "$B"}}));
}

TEST(Dotenv, ExpansionOperators) {
  const Vars env{{"EMPTY_VAR", ""}, {"TEST_VAR", "Test Value"}};
  EXPECT_EQ(parse("RESULT=${UNSET_VAR:-Default Value}", env)["RESULT"], "Default Value");
  EXPECT_EQ(parse("RESULT=${EMPTY_VAR:-Default Value}", env)["RESULT"], "Default Value");
  EXPECT_EQ(parse("RESULT=${TEST_VAR:-Default Value}", env)["RESULT"], "Test Value");
  EXPECT_EQ(parse("RESULT=${UNSET_VAR-Default Value}", env)["RESULT"], "Default Value");
  EXPECT_EQ(parse("RESULT=${EMPTY_VAR-Default Value}", env)["RESULT"], "");
  EXPECT_EQ(parse("RESULT=${TEST_VAR:?Default Value}", env)["RESULT"], "Test Value");
  EXPECT_EQ(parse("RESULT=${EMPTY_VAR?Test error}", env)["RESULT"], "");
  try {
    parse("\nRESULT=${UNSET_VAR:?Test error}", env);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "t.env:2: required variable UNSET_VAR is missing a value: Test error");
  }
  EXPECT_THROW(parse("RESULT=${EMPTY_VAR:?Test error}", env), UserError);
}

TEST(Dotenv, MultiLineDoubleQuoted) {
  EXPECT_EQ(value("TEST_URLS=\"stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443\""),
            "stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443");
}

TEST(Dotenv, LinesToIgnore) {
  for (const char* s : {"\n", "\r\n", "\t\t ", "# Comment", "\t # comment", ""}) EXPECT_TRUE(parse(s).empty()) << s;
}

TEST(Dotenv, UnterminatedQuotes) {
  for (const char* s : {"KEY=\"", "KEY=\"value", "KEY=\"value\\\"", "KEY=\"value'", "KEY='", "KEY='value",
                        "KEY='value\\'", "KEY='value\""}) {
    std::string e = error_of(s);
    EXPECT_NE(e.find("unterminated quoted value"), std::string::npos) << s << " -> " << e;
    EXPECT_EQ(e.rfind("t.env:1: ", 0), 0u) << e;
  }
}

TEST(Dotenv, Errors) {
  EXPECT_EQ(error_of("%!(EXTRA string)=foo"),
            "t.env:1: unexpected character \"%\" in variable name \"%!(EXTRA string)=foo\" (names may use "
            "letters, digits and _ . - [ ])");
  // compose-go's invalid1.env: a key with a space on line 7, after a multi-line value.
  std::string e = error_of("# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix");
  EXPECT_EQ(e, "t.env:7: key cannot contain a space (\"INVALID LINE\")");
  EXPECT_NE(error_of("A=${"), "");
}

TEST(Dotenv, OrderAndRedefinition) {
  auto v = parse_dotenv("B=1\nA=2\nB=3\nC=$B\n", "t.env", nullptr);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], (std::pair<std::string, std::string>{"B", "3"}));
  EXPECT_EQ(v[1].first, "A");
  EXPECT_EQ(v[2], (std::pair<std::string, std::string>{"C", "3"}));
}

TEST(Dotenv, OwnCases) {
  EXPECT_EQ(parse("A=1\r\nB=2\r\n"), (Vars{{"A", "1"}, {"B", "2"}}));
  EXPECT_EQ(parse("A=\"x\" B=2\n"), (Vars{{"A", "x"}, {"B", "2"}}));  // text after a quote starts a statement
  EXPECT_EQ(parse("INHERIT", {{"INHERIT", "v"}}), (Vars{{"INHERIT", "v"}}));
  EXPECT_EQ(value("PASS='p@ss$word'"), "p@ss$word");
  EXPECT_EQ(value("URL=http://x/?a=1&b=2"), "http://x/?a=1&b=2");
  EXPECT_EQ(value("A=\"\\0377\""), "\xc3\xbf");  // an octal escape is a code point, as in Go
  EXPECT_EQ(value("A=\"\\0\""), "\\");
  EXPECT_EQ(value("A=\"\\0101\\08\\01234\""), "A\\8S4");
  EXPECT_EQ(parse("A=\xff"), (Vars{{"A", "\xff"}}));
}

TEST(Dotenv, WarnsAboutUnsetVariables) {
  std::vector<std::string> warnings;
  auto v = parse_dotenv("A=$NOPE\nB=${ALSO:-x}\nC='$QUOTED'\n", "t.env", nullptr,
                        [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "The \"NOPE\" variable is not set. Defaulting to a blank string.");
  EXPECT_EQ(as_map(v), (Vars{{"A", ""}, {"B", "x"}, {"C", "$QUOTED"}}));
}

TEST(Dotenv, ReadErrors) {
  EXPECT_THROW(read_dotenv(kFixtures + "does-not-exist.env", nullptr), EnvError);
  EXPECT_THROW(read_dotenv(kFixtures, nullptr), EnvError);
}

}  // namespace
}  // namespace slipway::compose
