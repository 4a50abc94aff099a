#include "compose/merge.h"

#include <gtest/gtest.h>

#include "util/error.h"
#include "yaml/reader.h"

namespace slipway::compose {
namespace {

using yaml::Node;

Node Y(const std::string& text) { return yaml::read(text, "t.yml"); }

// Merges the files in order (the first into nothing, as the loader does).
Node merged(std::initializer_list<const char*> files) {
  Node base;
  for (const char* f : files) merge_files(base, Y(f));
  return base;
}

::testing::AssertionResult same(const Node& got, const std::string& want_yaml) {
  Node want = Y(want_yaml);
  if (got.same_value(want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "trees differ; want:\n" << want_yaml;
}

TEST(Merge, MappingsMergeAndScalarsReplace) {
  Node m = merged({"services:\n  web:\n    image: a\n    restart: always\n",
                   "services:\n  web:\n    image: b\n  db:\n    image: c\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    image: b\n    restart: always\n  db:\n    image: c\n"));
}

TEST(Merge, CommandEntrypointAndHealthcheckTestReplace) {
  Node m =
      merged({"services:\n  web:\n    command: [a, b]\n    entrypoint: [x]\n    healthcheck:\n      test: [CMD, a]\n   "
              "   interval: 5s\n",
              "services:\n  web:\n    command: [c]\n    entrypoint: y\n    healthcheck:\n      test: [CMD, b]\n"});
  EXPECT_TRUE(same(m,
                   "services:\n  web:\n    command: [c]\n    entrypoint: y\n    healthcheck:\n      test: [CMD, b]\n   "
                   "   interval: 5s\n"));
}

TEST(Merge, SequencesAppendWithoutDuplicates) {
  Node m = merged({"services:\n  web:\n    cap_add: [NET_ADMIN]\n    security_opt: [a]\n",
                   "services:\n  web:\n    cap_add: [NET_ADMIN, SYS_TIME]\n    security_opt: [a, b]\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    cap_add: [NET_ADMIN, SYS_TIME]\n    security_opt: [a, b]\n"));
}

TEST(Merge, EnvironmentListAndMapFormsMergeByKey) {
  Node m = merged({"services:\n  web:\n    environment:\n      A: 1\n      B: x\n      C:\n",
                   "services:\n  web:\n    environment: [B=y, D=4]\n"});
  // compose-go turns both into KEY=VALUE lists (a map sorted by key) and keeps the last per key.
  EXPECT_TRUE(same(m, "services:\n  web:\n    environment: ['A=1', 'B=y', 'C', 'D=4']\n"));
}

TEST(Merge, EnvironmentMapValuesPrintedAsGoDoes) {
  Node m = merged({"services:\n  web:\n    environment: [X=0]\n",
                   "services:\n  web:\n    environment:\n      F: 1.50\n      G: true\n      H: 0x10\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    environment: ['X=0', 'F=1.5', 'G=true', 'H=16']\n"));
}

TEST(Merge, LabelsLastValueWinsAtFirstPosition) {
  Node m = merged({"services:\n  web:\n    labels: [a=1, b=2]\n", "services:\n  web:\n    labels: [b=3, a=4]\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    labels: ['a=4', 'b=3']\n"));
}

TEST(Merge, VolumesUniqueByTarget) {
  Node m = merged({"services:\n  web:\n    volumes:\n      - ./a:/data\n      - logs:/logs\n",
                   "services:\n  web:\n    volumes:\n      - type: bind\n        source: ./b\n        target: /data\n  "
                   "    - /x:/y:ro\n"});
  EXPECT_TRUE(same(m,
                   "services:\n  web:\n    volumes:\n      - type: bind\n        source: ./b\n        target: /data\n"
                   "      - logs:/logs\n      - /x:/y:ro\n"));
}

TEST(Merge, VolumeTargetsParsedAsCompose) {
  // A one-letter source reads as a Windows drive ("b:/b" is a target), ${...} hides colons.
  Node m = merged({"services:\n  web:\n    volumes: ['b:/b', '${SRC:-x}:/t', 'data:/d:ro']\n",
                   "services:\n  web:\n    volumes: ['./b:/b', './y:/t', 'other:/d']\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    volumes: ['b:/b', './y:/t', 'other:/d', './b:/b']\n"));
}

TEST(Merge, PortsUniqueByIpPublishedTargetProtocol) {
  Node m = merged({"services:\n  web:\n    ports: ['8080:80', '127.0.0.1:9000:90', '53:53/udp']\n",
                   "services:\n  web:\n    ports:\n      - '8080:80'\n      - '9000:90'\n      - '53:53'\n"
                   "      - target: 80\n        published: '8080'\n        protocol: tcp\n"});
  ASSERT_TRUE(m.find("services")->find("web")->find("ports")->is_sequence());
  const auto& ports = m.find("services")->find("web")->find("ports")->items();
  // As compose-config prints it: 8080:80 (the long form, last, at the first position),
  // 127.0.0.1:9000:90, 53/udp, 9000:90, 53/tcp.
  ASSERT_EQ(ports.size(), 5u);
  EXPECT_TRUE(ports[0].is_mapping());
  EXPECT_EQ(ports[3].value(), "9000:90");
  EXPECT_EQ(ports[4].value(), "53:53");
}

TEST(Merge, SecretsAndConfigsUniqueByTarget) {
  Node m = merged({"services:\n  web:\n    secrets: [a, b]\n    configs: [c]\n",
                   "services:\n  web:\n    secrets:\n      - source: a\n        mode: 0400\n    configs:\n      - "
                   "source: x\n        target: /c\n"});
  EXPECT_TRUE(same(m,
                   "services:\n  web:\n    secrets:\n      - source: a\n        mode: 0400\n      - b\n"
                   "    configs:\n      - source: x\n        target: /c\n"));
}

TEST(Merge, BuildStringAndMappingMerge) {
  Node m =
      merged({"services:\n  web:\n    build: ./app\n", "services:\n  web:\n    build:\n      dockerfile: Other\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Other\n"));
}

TEST(Merge, DependsOnListAndMapMerge) {
  Node m = merged({"services:\n  web:\n    depends_on: [db]\n",
                   "services:\n  web:\n    depends_on:\n      cache:\n        condition: service_healthy\n"});
  EXPECT_TRUE(
      same(m,
           "services:\n  web:\n    depends_on:\n      db:\n        condition: service_started\n        required: true\n"
           "      cache:\n        condition: service_healthy\n"));
}

TEST(Merge, NetworksListAndMapMerge) {
  Node m = merged({"services:\n  web:\n    networks: [front]\n",
                   "services:\n  web:\n    networks:\n      back:\n        aliases: [x]\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    networks:\n      front:\n      back:\n        aliases: [x]\n"));
}

TEST(Merge, EnvFileStringAndListAppend) {
  Node m = merged({"services:\n  web:\n    env_file: a.env\n", "services:\n  web:\n    env_file: [b.env, a.env]\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    env_file: [a.env, b.env]\n"));
}

TEST(Merge, LoggingOptionsMergeOnlyForTheSameDriver) {
  Node same_driver =
      merged({"services:\n  web:\n    logging:\n      driver: json-file\n      options: {max-size: 1m}\n",
              "services:\n  web:\n    logging:\n      options: {max-file: '3'}\n"});
  EXPECT_TRUE(same(same_driver,
                   "services:\n  web:\n    logging:\n      driver: json-file\n"
                   "      options: {max-size: 1m, max-file: '3'}\n"));
  Node other_driver =
      merged({"services:\n  web:\n    logging:\n      driver: json-file\n      options: {max-size: 1m}\n",
              "services:\n  web:\n    logging:\n      driver: syslog\n"});
  EXPECT_TRUE(same(other_driver, "services:\n  web:\n    logging:\n      driver: syslog\n"));
}

TEST(Merge, UlimitsIntReplacesMapping) {
  Node m = merged({"services:\n  web:\n    ulimits:\n      nofile: {soft: 1, hard: 2}\n      nproc: 5\n",
                   "services:\n  web:\n    ulimits:\n      nofile: 10\n      nproc: {soft: 3, hard: 4}\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    ulimits:\n      nofile: 10\n      nproc: {soft: 3, hard: 4}\n"));
}

TEST(Merge, ResetRemovesAndOverrideReplaces) {
  Node m = merged({"services:\n  web:\n    image: a\n    ports: ['80:80']\n    environment: {A: '1', B: '2'}\n",
                   "services:\n  web:\n    ports: !reset []\n    environment: !override {C: '3'}\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    image: a\n    environment: {C: '3'}\n"));
}

TEST(Merge, ResetOfAWholeService) {
  Node m = merged({"services:\n  web:\n    image: a\n  db:\n    image: b\n", "services:\n  db: !reset\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    image: a\n"));
}

TEST(Merge, ResetInTheFirstFileLeavesNothing) {
  Node m = merged({"services:\n  web:\n    image: a\n    command: !reset [x]\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    image: a\n"));
}

TEST(Merge, SingleFileDuplicatesCollapse) {
  Node m = merged({"services:\n  web:\n    environment: [A=1, A=2]\n    volumes: ['./a:/d', './b:/d']\n"});
  EXPECT_TRUE(same(m, "services:\n  web:\n    environment: ['A=2']\n    volumes: ['./b:/d']\n"));
}

TEST(Merge, IpamConfigMergedBySubnet) {
  Node m = merged(
      {"networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          gateway: 10.0.0.1\n",
       "networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          ip_range: 10.0.0.0/25\n"
       "        - subnet: 10.1.0.0/24\n"});
  EXPECT_TRUE(
      same(m,
           "networks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          gateway: 10.0.0.1\n"
           "          ip_range: 10.0.0.0/25\n        - subnet: 10.1.0.0/24\n"));
}

TEST(Merge, TypeMismatchIsAUserErrorWithLocation) {
  try {
    merged({"services:\n  web:\n    sysctls_x: {a: 1}\n", "services:\n  web:\n    sysctls_x: [a]\n"});
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("t.yml:3:16"), std::string::npos) << e.what();
  }
}

TEST(Merge, MergeServiceAppliesServiceRules) {
  Node base = Y("image: a\ncommand: [x]\nenvironment: [A=1]\n");
  merge_service(base, Y("command: [y]\nenvironment: {B: '2'}\n"));
  EXPECT_TRUE(same(base, "image: a\ncommand: [y]\nenvironment: ['A=1', 'B=2']\n"));
}

TEST(Merge, StripMergeTags) {
  Node n = Y("a: !reset 1\nb: !override {c: 1}\nd: [!reset x, y]\n");
  strip_merge_tags(n);
  EXPECT_TRUE(same(n, "b: {c: 1}\nd: [y]\n"));
  EXPECT_EQ(n.find("b")->tag(), "");
}

}  // namespace
}  // namespace slipway::compose
