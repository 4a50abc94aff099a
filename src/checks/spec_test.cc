#include "checks/spec.h"

#include <gtest/gtest.h>

#include <map>

#include "checks/result.h"

namespace slipway::checks {
namespace {

const std::string kGoss = SLIPWAY_SOURCE_DIR "/../shared/corpus/goss";

std::string load_error(const std::string& text, const LoadOptions& o = {}) {
  try {
    load_gossfile_text(text, "t.yaml", o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// goss's own integration gossfile: it is a template, uses every resource type, and includes
// other files. Every resource must load and be either runnable or skipped with a reason.
TEST(Spec, GossSharedLoadsAndClassifiesEveryResource) {
  LoadOptions o;
  o.env = {{"OS", "debian"}};
  Suite s = load_gossfile(kGoss + "/integration-tests/goss/goss-shared.yaml", o);
  std::map<std::string, int> per_type;
  for (const auto& c : s.checks) {
    per_type[c.type]++;
    const ResourceType& rt = c.resource();
    if (rt.method == Method::Unsupported) {
      EXPECT_TRUE(c.skip) << c.key();
      EXPECT_FALSE(c.skip_reason.empty()) << c.key();
    }
  }
  EXPECT_EQ(per_type["command"], 4);
  EXPECT_EQ(per_type["file"], 9);  // /etc/passwd and /etc/group come from a template range
  EXPECT_EQ(per_type["http"], 7);
  EXPECT_EQ(per_type["dns"], 11);
  EXPECT_EQ(per_type["matching"], 8);
  EXPECT_EQ(per_type["service"], 1);
  EXPECT_EQ(per_type["gossfile"], 2);  // one skipped, one missing (reported as failing)
  EXPECT_EQ(per_type["interface"], 1);
  for (const char* t : {"package", "addr", "port", "user", "group", "process", "kernel-param", "mount"})
    EXPECT_GE(per_type[t], 1) << t;
  // Templated ids were rendered.
  bool found = false;
  for (const auto& c : s.checks) found = found || (c.type == "file" && c.id == "/etc/passwd");
  EXPECT_TRUE(found);
  // The matching checks evaluate; vars it was written for are absent, so those two fail.
  std::map<std::string, Status> m;
  for (const auto& c : s.checks)
    if (c.type == "matching") m[c.id] = run_matching(c).status();
  EXPECT_EQ(m["has_substr"], Status::Pass);
  EXPECT_EQ(m["has_2"], Status::Pass);
  EXPECT_EQ(m["has_foo_bar_and_baz"], Status::Pass);
  EXPECT_EQ(m["semver"], Status::Pass);
  EXPECT_EQ(m["semver2"], Status::Pass);
  EXPECT_EQ(m["sping_basic"], Status::Pass);
  EXPECT_EQ(m["vars_inline_simple"], Status::Fail);
}

TEST(Spec, GossSharedWithVars) {
  LoadOptions o;
  o.env = {{"OS", "alpine"}};
  o.vars = {{"inline", "bar"},
            {"overwrite", "foobar"},
            {"alpine", {{"packages", {{"apk-tools", "2.10.1-r0"}}}, {"services", {{"sshd", {"default"}}}}}}};
  Suite s = load_gossfile(kGoss + "/integration-tests/goss/goss-shared.yaml", o);
  int packages = 0;
  for (const auto& c : s.checks) {
    if (c.type == "package") ++packages;
    if (c.type == "matching" && c.id == "vars_inline_simple") {
      EXPECT_EQ(run_matching(c).status(), Status::Pass);
    }
    if (c.type == "service" && c.id == "sshd") {
      EXPECT_EQ(c.attrs["runlevels"], json::array({"default"}));
    }
  }
  EXPECT_EQ(packages, 2);
}

TEST(Spec, ServiceExtension) {
  LoadOptions o;
  o.services = {"web", "smtp"};
  Suite s = load_gossfile_text(
      "x-slipway: {service: web, retry-timeout: 30s, sleep: 500ms}\n"
      "addr:\n  tcp://smtp:587: {reachable: true}\n"
      "file:\n  /etc/x: {exists: true, x-service: smtp, retry_count: 3, retry_delay: 2s}\n",
      "t.yaml", o);
  ASSERT_EQ(s.checks.size(), 2u);
  EXPECT_EQ(s.checks[0].service, "web");
  EXPECT_EQ(s.checks[1].service, "smtp");
  EXPECT_EQ(s.checks[1].retry_count, 3);
  EXPECT_EQ(s.checks[1].retry_delay.count(), 2000);
  EXPECT_EQ(s.retry_timeout.count(), 30000);
  EXPECT_EQ(s.sleep.count(), 500);
}

TEST(Spec, SmokeFilesMarkTheirChecks) {
  LoadOptions o;
  o.services = {"web"};
  Suite smoke = load_gossfile_text("x-slipway: {service: web, smoke: true}\nfile:\n  /www: {exists: true}\n",
                                   "smoke.yaml", o);
  ASSERT_EQ(smoke.checks.size(), 1u);
  EXPECT_TRUE(smoke.checks[0].smoke);
  Suite plain = load_gossfile_text("x-slipway: {service: web}\nfile:\n  /www: {exists: true}\n", "t.yaml", o);
  EXPECT_FALSE(plain.checks[0].smoke);
  try {
    load_gossfile_text("x-slipway: {smoke: yes please}\n", "bad.yaml", o);
    FAIL() << "a smoke that is not a boolean loads";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("x-slipway.smoke: expected true or false"), std::string::npos) << e.what();
  }
}

TEST(Spec, BadSpecsAreUserErrorsWithLocations) {
  EXPECT_EQ(load_error("flie:\n  /x: {exists: true}\n").rfind("t.yaml:1:1: unknown resource type \"flie\"", 0), 0u)
      << load_error("flie:\n  /x: {exists: true}\n");
  EXPECT_NE(load_error("file:\n  /x:\n    exist: true\n").find("t.yaml:3:5: file: /x: unknown attribute \"exist\""),
            std::string::npos);
  EXPECT_NE(load_error("matching:\n  a:\n    content: 1\n    matches: {nope: 1}\n").find("Unknown matcher: nope"),
            std::string::npos);
  EXPECT_NE(load_error("matching:\n  a:\n    content: 1\n    matches: {have-prefix: 1}\n")
                .find("Invalid 'have-prefix' argument"),
            std::string::npos);
  LoadOptions o;
  o.services = {"web", "db"};
  EXPECT_NE(load_error("file:\n  /x: {exists: true}\n", o).find("which service"), std::string::npos);
  EXPECT_NE(load_error("file:\n  /x: {exists: true, x-service: nope}\n", o).find("unknown service \"nope\""),
            std::string::npos);
  EXPECT_NE(load_error("file: [1, 2]\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(load_error("{{ if }}").find("template"), std::string::npos);
  EXPECT_NE(load_error("{{ nosuchfunc 1 }}").find("not defined"), std::string::npos);
}

TEST(Spec, SingleServiceIsTheDefault) {
  LoadOptions o;
  o.services = {"app"};
  Suite s = load_gossfile_text("port:\n  tcp:80: {listening: true}\n", "t.yaml", o);
  ASSERT_EQ(s.checks.size(), 1u);
  EXPECT_EQ(s.checks[0].service, "app");
}

TEST(Spec, GossSkipRulesAndGate) {
  Suite s = load_gossfile_text(
      "file:\n  /x: {exists: true, mode: '0644', owner: root}\n  /y: {exists: true, skip: true}\n", "t.yaml");
  CheckResult absent = evaluate(s.checks[0], [](const std::string& p) {
    if (p == "exists") return Fetched::of(Value(json(false)));
    return Fetched::failed("should not be asked");
  });
  ASSERT_EQ(absent.properties.size(), 3u);
  EXPECT_EQ(absent.properties[0].status, Status::Fail);
  EXPECT_EQ(absent.properties[1].status, Status::Skip);
  EXPECT_EQ(absent.properties[2].status, Status::Skip);
  CheckResult sk = evaluate(s.checks[1], [](const std::string&) { return Fetched::failed("no"); });
  EXPECT_EQ(sk.status(), Status::Skip);
}

TEST(Spec, Durations) {
  Location l{"t", 1, 1};
  EXPECT_EQ(parse_duration(json("1m30s"), l).count(), 90000);
  EXPECT_EQ(parse_duration(json("250ms"), l).count(), 250);
  EXPECT_EQ(parse_duration(json(1500), l).count(), 1500);
  EXPECT_THROW(parse_duration(json("soon"), l), UserError);
}

}  // namespace
}  // namespace slipway::checks
