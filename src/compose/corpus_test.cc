// Conformance: every project of the corpus loads, and `slipway config` prints it exactly as
// `docker compose config` (compose-go v2.16.2) does. The expected outputs were made by
// tests/golden/regenerate.sh. Documented differences, applied to the expected text here:
//   - our JSON ends with a newline.
//   - `$` is printed as `$$` (docker compose config escapes it so the output loads again; the
//     oracle, which is compose-go's loader alone, does not).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compose/emit.h"
#include "compose/loader.h"

namespace slipway::compose {
namespace {

// Canonical, as the loader makes every path absolute and clean.
const std::string kCorpus =
    std::filesystem::weakly_canonical(std::string(SLIPWAY_SOURCE_DIR) + "/../shared/corpus").string();
const std::string kGolden =
    std::filesystem::weakly_canonical(std::string(SLIPWAY_SOURCE_DIR) + "/tests/golden").string();

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

struct Case {
  std::string name;
  std::string file;  // relative to the corpus
};

std::vector<Case> cases() {
  std::vector<Case> out;
  std::ifstream f(kGolden + "/projects.txt");
  std::string name, file;
  while (f >> name >> file) out.push_back({name, file});
  return out;
}

// The environment regenerate.sh gives the oracle.
Project load_case(const std::string& file) {
  LoadOptions o;
  o.files = {file.rfind("inputs/", 0) == 0 ? kGolden + "/" + file : kCorpus + "/" + file};
  o.environment = {{"HOME", "/nonexistent-home"}, {"PATH", "/usr/bin:/bin"}};
  o.warn = [](const std::string&) {};
  return load(o);
}

std::string expected(const std::string& name, const std::string& ext) {
  std::string text = slurp(kGolden + "/" + name + "." + ext);
  text = replace_all(text, "@CORPUS@", kCorpus);
  text = replace_all(text, "@GOLDEN@", kGolden);
  // Our JSON ends with a newline (emit.h); the oracle's does not.
  if (ext == "json" && !text.empty() && text.back() != '\n') text += "\n";
  return replace_all(text, "$", "$$");
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Corpus : public ::testing::TestWithParam<Case> {};

TEST_P(Corpus, YamlMatchesDockerCompose) {
  const Case& c = GetParam();
  Project p = load_case(c.file);
  EXPECT_EQ(emit_yaml(p.model), expected(c.name, "yaml")) << c.file;
}

TEST_P(Corpus, JsonMatchesDockerCompose) {
  const Case& c = GetParam();
  Project p = load_case(c.file);
  EXPECT_EQ(emit_json(p.model), expected(c.name, "json")) << c.file;
}

INSTANTIATE_TEST_SUITE_P(Golden, Corpus, ::testing::ValuesIn(cases()), [](const ::testing::TestParamInfo<Case>& info) {
  std::string n;
  for (char ch : info.param.name) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return n;
});

TEST(CorpusList, CoversTheCorpus) { EXPECT_GE(cases().size(), 55u); }

TEST(CorpusValues, Features) {
  Project p = load_case("inputs/features/compose.yaml");
  const auto& web = p.model["services"]["web"];
  EXPECT_EQ(web["ports"].size(), 7u);
  EXPECT_EQ(web["ports"][2]["published"], "8002");
  EXPECT_EQ(web["ports"][2]["target"], 82);
  EXPECT_EQ(web["volumes"][0]["source"], kGolden + "/inputs/features/site");
  EXPECT_EQ(web["volumes"][0]["read_only"], true);
  EXPECT_EQ(web["environment"]["COMBINED"], "1x");
  EXPECT_EQ(web["environment"]["A"], "b");
  EXPECT_EQ(web["environment"]["NOPE"], nullptr);
  EXPECT_EQ(web["shm_size"], "1073741824");
  EXPECT_EQ(web["stop_grace_period"], "1m30s");
  EXPECT_EQ(web["x-slipway"]["backup"], false);
  EXPECT_EQ(web["depends_on"]["cache"]["restart"], true);
  EXPECT_EQ(web["secrets"][1]["mode"], "0440");
  EXPECT_FALSE(p.model["services"].contains("worker"));  // inactive profile
  EXPECT_EQ(p.model["volumes"]["legacy"]["name"], "real-name");
  EXPECT_EQ(p.model["x-shared"]["a"], 1);
}

TEST(CorpusValues, NginxFlaskMysql) {
  Project p = load_case("compose/awesome-compose/nginx-flask-mysql/compose.yaml");
  const auto& m = p.model;
  EXPECT_EQ(m["name"], "nginx-flask-mysql");
  const auto& backend = m["services"]["backend"];
  EXPECT_EQ(backend["ports"][0]["published"], "8000");
  EXPECT_EQ(backend["ports"][0]["target"], 8000);
  EXPECT_EQ(backend["ports"][0]["protocol"], "tcp");
  EXPECT_EQ(backend["build"]["context"], kCorpus + "/compose/awesome-compose/nginx-flask-mysql/backend");
  EXPECT_EQ(backend["build"]["dockerfile"], "Dockerfile");
  EXPECT_EQ(backend["depends_on"]["db"]["condition"], "service_healthy");
  EXPECT_EQ(backend["depends_on"]["db"]["required"], true);
  EXPECT_EQ(backend["secrets"][0]["target"], "/run/secrets/db-password");
  const auto& db = m["services"]["db"];
  EXPECT_EQ(db["command"][0], "--default-authentication-plugin=mysql_native_password");
  EXPECT_EQ(db["volumes"][0]["type"], "volume");
  EXPECT_EQ(db["volumes"][0]["source"], "db-data");
  EXPECT_EQ(db["expose"][0], "3306");
  EXPECT_EQ(db["healthcheck"]["interval"], "3s");
  EXPECT_EQ(db["healthcheck"]["retries"], 5);
  EXPECT_EQ(m["volumes"]["db-data"]["name"], "nginx-flask-mysql_db-data");
  EXPECT_EQ(m["networks"]["backnet"]["name"], "nginx-flask-mysql_backnet");
  EXPECT_EQ(m["secrets"]["db-password"]["file"],
            kCorpus + "/compose/awesome-compose/nginx-flask-mysql/db/password.txt");
}

TEST(CorpusValues, Minecraft) {
  Project p = load_case("compose/awesome-compose/minecraft/compose.yaml");
  const auto& s = p.model["services"]["minecraft"];
  EXPECT_EQ(s["deploy"]["resources"]["limits"]["memory"], "1610612736");
  EXPECT_EQ(s["volumes"][0]["type"], "bind");
  EXPECT_EQ(s["volumes"][0]["source"], "/nonexistent-home/minecraft_data");
  EXPECT_EQ(s["environment"]["EULA"], "TRUE");
  EXPECT_EQ(s["ports"][0]["published"], "25565");
  EXPECT_EQ(p.model["networks"]["default"]["name"], "minecraft_default");
  EXPECT_EQ(s["networks"]["default"], nullptr);
}

}  // namespace
}  // namespace slipway::compose
