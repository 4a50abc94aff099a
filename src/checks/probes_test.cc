#include "checks/probes.h"

#include <gtest/gtest.h>

#include <cstring>

#include "checks/template.h"

namespace slipway::checks {
namespace {

TEST(Probes, PasswdAndGroup) {
  auto users =
      parse_passwd("# comment\nroot:x:0:0:root:/root:/bin/bash\nbroken\nwww:x:33:33::/var/www:/usr/sbin/nologin\n");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].name, "www");
  EXPECT_EQ(users[1].uid, 33);
  EXPECT_EQ(users[1].home, "/var/www");
  auto groups = parse_group("root:x:0:\nstaff:x:50:alice,bob\n");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].members, (std::vector<std::string>{"alice", "bob"}));
}

TEST(Probes, PackageDatabases) {
  auto dpkg = parse_dpkg_status(
      "Package: a\nStatus: install ok installed\nVersion: 1.0\n\n"
      "Package: b\nStatus: deinstall ok config-files\nVersion: 2.0\n\n"
      "Package: c\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0\n");
  EXPECT_EQ(dpkg.size(), 2u);
  EXPECT_EQ(dpkg["c"], std::vector<std::string>{"3.0"});
  auto apk = parse_apk_installed("C:Q1abc\nP:musl\nV:1.2.4-r2\n\nP:busybox\nV:1.36.1-r5\n");
  EXPECT_EQ(apk["busybox"], std::vector<std::string>{"1.36.1-r5"});
}

std::string tar_header(const std::string& name, char type, unsigned mode, long long size,
                       const std::string& link = "") {
  std::string h(512, '\0');
  std::memcpy(&h[0], name.data(), name.size());
  std::snprintf(&h[100], 8, "%07o", mode);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 33);
  std::snprintf(&h[124], 12, "%011llo", size);
  h[156] = type;
  std::memcpy(&h[157], link.data(), link.size());
  return h;
}

TEST(Probes, TarFirstEntry) {
  std::string data = "hello";
  std::string tar = tar_header("f.txt", '0', 01644, 5) + data + std::string(507, '\0');
  bool complete = false;
  auto f = parse_first_tar_entry(tar.substr(0, 300), &complete);
  EXPECT_FALSE(f);
  f = parse_first_tar_entry(tar, &complete);
  ASSERT_TRUE(f);
  EXPECT_TRUE(complete);
  EXPECT_EQ(f->contents, "hello");
  EXPECT_EQ(f->mode, 01644u);
  EXPECT_EQ(f->gid, 33);
  // A PAX header first (long names).
  std::string rec = "30 path=a/very/long/name.conf\n";
  std::string pax = tar_header("PaxHeaders/x", 'x', 0644, static_cast<long long>(rec.size())) + rec +
                    std::string(512 - rec.size(), '\0') + tar_header("short", '2', 0777, 0, "target");
  f = parse_first_tar_entry(pax, &complete);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "a/very/long/name.conf");
  EXPECT_EQ(f->type, '2');
  EXPECT_EQ(f->link_target, "target");
}

TEST(Probes, Listeners) {
  std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
      "   1: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2\n"
      "   2: 0100007F:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3\n";
  EXPECT_EQ(listeners(tcp, 8080, false, false), std::vector<std::string>{"0.0.0.0"});
  EXPECT_EQ(listeners(tcp, 25, false, false), std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(listeners(tcp, 9999, false, false).empty());
  std::string tcp6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A\n";
  EXPECT_EQ(listeners(tcp6, 8080, true, false), std::vector<std::string>{"::"});
}

TEST(Template, GoTemplateSubset) {
  nlohmann::json data = {{"Vars", {{"name", "web"}, {"ports", {80, 443}}, {"m", {{"b", 2}, {"a", 1}}}}},
                         {"Env", {{"HOME", "/root"}}}};
  EXPECT_EQ(render_template("a: {{ .Vars.name }}", data, "t"), "a: web");
  EXPECT_EQ(render_template("{{range .Vars.ports}}p{{.}} {{end}}", data, "t"), "p80 p443 ");
  EXPECT_EQ(render_template("{{range $k, $v := .Vars.m}}{{$k}}={{$v}};{{end}}", data, "t"), "a=1;b=2;");
  EXPECT_EQ(render_template("x\n  {{- if .Vars.nope }}yes{{ else }}no{{ end -}}\n  y", data, "t"), "xnoy");
  EXPECT_EQ(render_template("{{ \"hi!\" | upper | repeat 2 }}", data, "t"), "HI!HI!");
  EXPECT_EQ(render_template("{{ toJson .Vars.ports }}", data, "t"), "[80,443]");
  EXPECT_EQ(render_template("{{ index .Vars \"name\" }}{{ .Vars.missing }}", data, "t"), "web<no value>");
  EXPECT_EQ(render_template("{{/* note */}}{{ $x := \"v\" }}{{ $x }}", data, "t"), "v");
  EXPECT_EQ(render_template("{{ if eq .Vars.name \"web\" }}1{{ else if true }}2{{ end }}", data, "t"), "1");
  EXPECT_EQ(render_template("{{ range mkSlice \"A\" \"B\" }}{{ . | toLower }}{{ end }}", data, "t"), "ab");
  EXPECT_THROW(render_template("{{ if }}", data, "t"), UserError);
  EXPECT_THROW(render_template("{{ range .Vars.ports }}", data, "t"), UserError);
  EXPECT_THROW(render_template("{{ .Vars.name", data, "t"), UserError);
}

}  // namespace
}  // namespace slipway::checks
