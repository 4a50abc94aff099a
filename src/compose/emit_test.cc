#include "compose/emit.h"

#include <gtest/gtest.h>

namespace slipway::compose {
namespace {

using json = nlohmann::ordered_json;

TEST(EmitYaml, LayoutLikeComposeConfig) {
  json m = json::parse(R"({
    "name": "demo",
    "services": {
      "web": {
        "command": ["echo", "a b"],
        "environment": {"A": "1", "B": null, "C": ""},
        "networks": {"default": null},
        "volumes": [{"type": "volume", "source": "data", "target": "/data", "volume": {}}],
        "ports": [{"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}],
        "healthcheck": {"retries": 3}
      }
    },
    "x-extra": {"flag": true, "ratio": 0.5}
  })");
  EXPECT_EQ(emit_yaml(m),
            "name: demo\n"
            "services:\n"
            "  web:\n"
            "    command:\n"
            "      - echo\n"
            "      - a b\n"
            "    environment:\n"
            "      A: \"1\"\n"
            "      B: null\n"
            "      C: \"\"\n"
            "    networks:\n"
            "      default: null\n"
            "    volumes:\n"
            "      - type: volume\n"
            "        source: data\n"
            "        target: /data\n"
            "        volume: {}\n"
            "    ports:\n"
            "      - mode: ingress\n"
            "        target: 80\n"
            "        published: \"8080\"\n"
            "        protocol: tcp\n"
            "    healthcheck:\n"
            "      retries: 3\n"
            "x-extra:\n"
            "  flag: true\n"
            "  ratio: 0.5\n");
}

TEST(EmitYaml, EscapesDollarsUnlessAsked) {
  json m = {{"name", "p"}, {"services", {{"s", {{"command", {"echo $HOME"}}}}}}};
  EXPECT_NE(emit_yaml(m).find("echo $$HOME"), std::string::npos);
  EmitOptions raw;
  raw.escape_dollars = false;
  EXPECT_NE(emit_yaml(m, raw).find("echo $HOME"), std::string::npos);
}

TEST(EmitYaml, LiteralBlocksAndQuoting) {
  json m = {{"a", "line1\nline2"}, {"b", "line1\nline2\n"}, {"c", "a: b"}, {"d", "80"},
            {"e", json::array()},  {"f", json::object()},   {"g", 1e6},    {"h", 2.5}};
  EmitOptions raw;
  raw.escape_dollars = false;
  EXPECT_EQ(emit_yaml(m, raw),
            "a: |-\n"
            "  line1\n"
            "  line2\n"
            "b: |\n"
            "  line1\n"
            "  line2\n"
            "c: 'a: b'\n"
            "d: \"80\"\n"
            "e: []\n"
            "f: {}\n"
            "g: 1e+06\n"
            "h: 2.5\n");
}

TEST(EmitYaml, NestedSequences) {
  json m = {{"a", {{{"x", 1}, {"y", {1, 2}}}, {1, 2}}}};
  EXPECT_EQ(emit_yaml(m),
            "a:\n"
            "  - x: 1\n"
            "    \"y\":\n"
            "      - 1\n"
            "      - 2\n"
            "  - - 1\n"
            "    - 2\n");
}

TEST(EmitJson, ComposeLayout) {
  json m = json::parse(R"({
    "name": "p",
    "services": {"s": {"image": "x<y>&", "networks": {"default": null}, "x-own": 1}},
    "networks": {"default": {"name": "p_default"}},
    "x-top": "kept"
  })");
  EXPECT_EQ(emit_json(m),
            "{\n"
            "  \"name\": \"p\",\n"
            "  \"networks\": {\n"
            "    \"default\": {\n"
            "      \"name\": \"p_default\",\n"
            "      \"ipam\": {}\n"
            "    }\n"
            "  },\n"
            "  \"services\": {\n"
            "    \"s\": {\n"
            "      \"command\": null,\n"
            "      \"entrypoint\": null,\n"
            "      \"image\": \"x\\u003cy\\u003e\\u0026\",\n"
            "      \"networks\": {\n"
            "        \"default\": null\n"
            "      }\n"
            "    }\n"
            "  },\n"
            "  \"x-top\": \"kept\"\n"
            "}\n");
}

TEST(EmitJson, ModelAsIs) {
  json m = {{"b", 1}, {"a", {{"x-k", "$v"}}}, {"c", json::array()}};
  EmitOptions o;
  o.compose_json = false;
  EXPECT_EQ(emit_json(m, o), "{\n  \"b\": 1,\n  \"a\": {\n    \"x-k\": \"$$v\"\n  },\n  \"c\": []\n}\n");
}

}  // namespace
}  // namespace slipway::compose
