#include "checks/template.h"

#include <gtest/gtest.h>

namespace slipway::checks {
namespace {

const nlohmann::json kData = {{"Vars",
                               {{"name", "web"},
                                {"ports", {80, 443}},
                                {"m", {{"b", 2}, {"a", 1}}},
                                {"e", ""},
                                {"t", true},
                                {"list", {"x", "y"}}}},
                              {"Env", {{"HOME", "/root"}}}};

std::string render(const std::string& text) { return render_template(text, kData, "t.yaml"); }

// The message of the UserError that rendering throws ("" when it does not throw).
std::string error_of(const std::string& text) {
  try {
    render(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Template, BlocksAndVariables) {
  EXPECT_EQ(render("{{ if .Vars.e }}A{{ else if .Vars.t }}B{{ else }}C{{ end }}"), "B");
  EXPECT_EQ(render("{{ with .Vars.m }}{{ .a }}{{ else }}none{{ end }}"), "1");
  EXPECT_EQ(render("{{ with .Vars.e }}{{ . }}{{ else }}empty{{ end }}"), "empty");
  EXPECT_EQ(render("{{ range .Vars.missing }}x{{ else }}nothing{{ end }}"), "nothing");
  EXPECT_EQ(render("{{ if .Vars.e }}A{{ end }}{{ if not .Vars.e }}B{{ end }}"), "B");  // "" is false, as in Go
  EXPECT_EQ(render("{{ range 3 }}{{ . }}{{ end }}"), "012");
  EXPECT_EQ(render("{{ range $k, $v := .Vars.list }}{{ $k }}:{{ $v }} {{ end }}"), "0:x 1:y ");
  EXPECT_EQ(render("{{ $x := \"v\" }}{{ $x }}{{ $x = \"w\" }}{{ $x }}"), "vw");
  EXPECT_EQ(render("{{ with $x := .Vars.name }}{{ $x }}{{ end }}"), "web");
  EXPECT_EQ(render("{{ if and .Vars.t (eq .Vars.name \"web\") }}both{{ end }}"), "both");
  EXPECT_EQ(render("{{/* a comment */}}after"), "after");
  EXPECT_EQ(render("{{ .Vars.missing }}|{{ .Vars.missing.deeper }}"), "<no value>|<no value>");
  EXPECT_EQ(render("{{ \"}}\" }} ok"), "}} ok");
}

TEST(Template, NumbersAsGoReadsThem) {
  EXPECT_EQ(render("{{ 42 }} {{ -7 }} {{ +5 }} {{ 0x1F }} {{ 017 }} {{ 0o17 }} {{ 0b101 }} {{ -0x10 }}"),
            "42 -7 5 31 15 15 5 -16");
  EXPECT_EQ(render("{{ 1.5 }} {{ 1e3 }} {{ 08 }} {{ 99999999999999999999 }}"), "1.5 1000 8 1e+20");
  EXPECT_EQ(render("{{ 'a' }}"), "97");
  EXPECT_NE(error_of("{{ 12abc }}").find("t.yaml:1: template: bad number syntax: 12abc"), std::string::npos);
  EXPECT_NE(error_of("{{ -inf }}").find("bad number syntax"), std::string::npos);
  EXPECT_NE(error_of("{{ 0x-5 }}").find("bad number syntax"), std::string::npos);
}

TEST(Template, Functions) {
  EXPECT_EQ(render("{{ range mkSlice \"a\" \"b\" }}[{{.}}]{{end}}"), "[a][b]");
  EXPECT_EQ(render("{{ toLower \"ABC\" }} {{ \"x\" | upper }} {{ repeat 3 \"ab\" }}"), "abc X ababab");
  EXPECT_EQ(
      render("{{ toJson .Vars.m }} {{ index .Vars.list 1 }} {{ index .Vars \"m\" \"b\" }} {{ index .Vars.list 5 }}"),
      "{\"a\":1,\"b\":2} y 2 <no value>");
  EXPECT_EQ(render("{{ getEnv \"SLIPWAY_NO_SUCH_VAR\" \"dflt\" }}"), "dflt");
  EXPECT_EQ(render("{{ regexMatch \"^w\" .Vars.name }} {{ default \"d\" .Vars.e }} {{ .Vars.e | default \"p\" }}"),
            "true d p");
  EXPECT_EQ(render("[{{ trim \"  x y  \" }}] {{ replace \"a\" \"b\" \"banana\" }} {{ split \",\" \"a,b,,c\" }}"),
            "[x y] bbnbnb [a b  c]");
  EXPECT_EQ(render("{{ join \"-\" .Vars.list }} {{ quote \"a\" 1 }} {{ len .Vars.list }} {{ len .Vars.name }}"),
            "x-y \"a\" \"1\" 2 3");
  EXPECT_EQ(render("{{ not .Vars.t }} {{ and 1 0 2 }} {{ or 0 \"\" 3 }} {{ eq 1 2 3 1 }} {{ ne \"a\" \"b\" }}"),
            "false 0 3 true true");
  EXPECT_EQ(render("{{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ lt \"10\" \"9\" }}"), "true true true");
  EXPECT_EQ(
      render("{{ print \"a\" 1 2 \"b\" }}|{{ printf \"%s-%d-%q-%%\" \"a\" 3 \"q\" }}|{{ printf \"%s %s\" \"x\" }}"),
      "a1 2b|a-3-\"q\"-%|x %!s(MISSING)");
}

TEST(Template, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("a\nb {{ nosuch }}"), "t.yaml:2: template: function \"nosuch\" not defined");
  EXPECT_EQ(error_of("{{ if .Vars.t }}unclosed"), "t.yaml:1: template: missing {{end}} for {{if}}");
  EXPECT_EQ(error_of("{{ end }}"), "t.yaml:1: template: unexpected {{end}}");
  EXPECT_EQ(error_of("{{ .Vars.name"), "t.yaml:1: template: unclosed action");
  EXPECT_EQ(error_of("{{ define \"x\" }}{{ end }}"), "t.yaml:1: template: define is not supported");
  EXPECT_EQ(error_of("{{ \"unterminated }}"), "t.yaml:1: template: unclosed action");
  EXPECT_EQ(error_of("{{ $undefined }}"), "t.yaml:1: template: undefined variable: $undefined");
  EXPECT_EQ(error_of("{{ \"x\" 1 }}"), "t.yaml:1: template: can't give argument to non-function");
  EXPECT_EQ(error_of("{{ range .Vars.name }}x{{ end }}"), "t.yaml:1: template: range can't iterate over web");
  EXPECT_EQ(error_of("{{ repeat }}"), "t.yaml:1: template: wrong number of args for repeat");
  EXPECT_EQ(error_of("{{ regexMatch \"(\" \"abc\" }}"), "t.yaml:1: template: regexMatch: bad pattern (");
}

}  // namespace
}  // namespace slipway::checks
