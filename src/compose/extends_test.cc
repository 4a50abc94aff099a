#include "compose/extends.h"

#include <gtest/gtest.h>

#include "util/error.h"
#include "yaml/reader.h"

namespace slipway::compose {
namespace {

using yaml::Node;

Node Y(const std::string& text) { return yaml::read(text, "t.yml"); }

TEST(RebasePaths, RelativePathsMoveLocalOnesStay) {
  Node f =
      Y("services:\n"
        "  s:\n"
        "    build: {context: ./app, additional_contexts: {a: ../lib, b: 'docker-image://x', c: 'service:s'}}\n"
        "    env_file: [a.env, {path: ./b.env, required: false}]\n"
        "    label_file: l.labels\n"
        "    extends: {file: base.yaml, service: x}\n"
        "    volumes: ['./d:/d:ro', 'named:/n', '/abs:/abs', '~/h:/h', {type: bind, source: rel, target: /r}]\n"
        "  g:\n"
        "    build: 'https://github.com/x/y.git'\n"
        "secrets:\n  k: {file: ./k.txt}\n"
        "volumes:\n  v: {driver: local, driver_opts: {o: bind, type: none, device: ./dev}}\n");
  rebase_paths(f, "/p/q");
  const Node& s = *f.find("services")->find("s");
  EXPECT_EQ(s.find("build")->find("context")->value(), "/p/q/app");
  EXPECT_EQ(s.find("build")->find("additional_contexts")->find("a")->value(), "/p/lib");
  EXPECT_EQ(s.find("build")->find("additional_contexts")->find("b")->value(), "docker-image://x");
  EXPECT_EQ(s.find("build")->find("additional_contexts")->find("c")->value(), "service:s");
  EXPECT_EQ(s.find("env_file")->items()[0].value(), "/p/q/a.env");
  EXPECT_EQ(s.find("env_file")->items()[1].find("path")->value(), "/p/q/b.env");
  EXPECT_EQ(s.find("label_file")->value(), "/p/q/l.labels");
  EXPECT_EQ(s.find("extends")->find("file")->value(), "/p/q/base.yaml");
  const auto& v = s.find("volumes")->items();
  EXPECT_EQ(v[0].value(), "/p/q/d:/d:ro");
  EXPECT_EQ(v[1].value(), "named:/n");
  EXPECT_EQ(v[2].value(), "/abs:/abs");
  EXPECT_EQ(v[3].value(), "~/h:/h");
  EXPECT_EQ(v[4].find("source")->value(), "/p/q/rel");
  EXPECT_EQ(f.find("services")->find("g")->find("build")->value(), "https://github.com/x/y.git");
  EXPECT_EQ(f.find("secrets")->find("k")->find("file")->value(), "/p/q/k.txt");
  EXPECT_EQ(f.find("volumes")->find("v")->find("driver_opts")->find("device")->value(), "/p/q/dev");
}

TEST(Extends, SameFileMergesAndDropsExtends) {
  Node f = Y("services:\n  base: {image: a, ports: ['80:80']}\n  web: {extends: base, ports: ['81:81']}\n");
  apply_extends(f, "t.yml", "/", {});
  const Node& web = *f.find("services")->find("web");
  EXPECT_FALSE(web.has("extends"));
  EXPECT_EQ(web.find("image")->value(), "a");
  EXPECT_EQ(web.find("ports")->size(), 2u);
}

TEST(Extends, OtherFileThroughTheLoaderCallback) {
  Node f = Y("services:\n  web:\n    extends: {file: lib/base.yaml, service: app}\n");
  ExtendsContext c;
  std::vector<std::string> asked;
  c.load_file = [&](const std::string& path) {
    asked.push_back(path);
    return Y("services:\n  app: {build: ., image: x}\n");
  };
  apply_extends(f, "/proj/compose.yaml", "/proj", c);
  ASSERT_EQ(asked, std::vector<std::string>{"/proj/lib/base.yaml"});
  EXPECT_EQ(f.find("services")->find("web")->find("build")->value(), "/proj/lib");
}

TEST(Extends, CycleNamesTheChain) {
  Node f = Y("services:\n  a: {extends: b}\n  b: {extends: a}\n");
  try {
    apply_extends(f, "t.yml", "/", {});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("circular extends: a in t.yml -> b in t.yml -> a in t.yml"), std::string::npos)
        << e.what();
  }
}

TEST(Extends, SelfExtensionIsACycle) {
  Node f = Y("services:\n  a: {extends: a, image: x}\n");
  EXPECT_THROW(apply_extends(f, "t.yml", "/", {}), UserError);
}

}  // namespace
}  // namespace slipway::compose
