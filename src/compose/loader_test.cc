// compose::load end to end: discovery, variables, names, per-file pipeline, extends, include,
// profiles, and the compose-go fixtures of the corpus. Most tests load with normalize=false so
// they check the loader's own work (what is merged from where) in the files' own forms; the
// corpus tests at the end load fully and assert what `docker compose config` prints.
#include "compose/loader.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "compose/emit.h"
#include "util/error.h"
#include "util/subprocess.h"

namespace slipway::compose {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kCorpus = std::string(SLIPWAY_SOURCE_DIR) + "/../shared/corpus/compose/compose-go";

class Load : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-loader-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }

  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories(fs::path(path(rel)).parent_path());
    std::ofstream(path(rel)) << text;
  }

  // Options that check only the loader's own layer (no canonical forms).
  LoadOptions raw(std::vector<std::string> files = {}) const {
    LoadOptions o;
    for (auto& f : files) o.files.push_back(path(f));
    o.working_directory = dir_;
    o.normalize = false;
    o.consistency = false;
    o.warn = [](const std::string&) {};
    return o;
  }

  static std::string error_of(const LoadOptions& o) {
    try {
      load(o);
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
};

TEST_F(Load, DiscoversComposeAndOverrideFiles) {
  write("compose.yaml", "services:\n  web:\n    image: a\n");
  write("compose.override.yaml", "services:\n  web:\n    image: b\n");
  write("sub/deeper/.keep", "");
  LoadOptions o = raw();
  o.working_directory = path("sub/deeper");  // found in a parent directory, as Compose does
  Project p = load(o);
  ASSERT_EQ(p.config_files.size(), 2u);
  EXPECT_EQ(p.config_files[0], path("compose.yaml"));
  EXPECT_EQ(p.config_files[1], path("compose.override.yaml"));
  EXPECT_EQ(p.working_dir, dir_);
  EXPECT_EQ(p.model["services"]["web"]["image"], "b");
}

TEST_F(Load, PrefersComposeYamlAndWarnsAboutOthers) {
  write("compose.yaml", "services:\n  web:\n    image: a\n");
  write("docker-compose.yml", "services:\n  web:\n    image: b\n");
  std::vector<std::string> warnings;
  LoadOptions o = raw();
  o.warn = [&](const std::string& w) { warnings.push_back(w); };
  Project p = load(o);
  EXPECT_EQ(p.model["services"]["web"]["image"], "a");
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("Found multiple config files"), std::string::npos);
}

TEST_F(Load, NoFileIsAUserError) {
  LoadOptions o = raw();
  o.working_directory = "/";
  EXPECT_NE(error_of(o).find("no configuration file provided"), std::string::npos);
}

TEST_F(Load, ProjectNameFromDirectoryNormalized) {
  write("My App.d/compose.yaml", "services:\n  web:\n    image: a\n");
  LoadOptions o = raw({"My App.d/compose.yaml"});
  EXPECT_EQ(load(o).name, "myappd");
}

TEST_F(Load, ProjectNameFromNameKeyInterpolated) {
  write("compose.yaml", "name: Test-${TEST}-x\nservices:\n  web:\n    image: a\n");
  LoadOptions o = raw({"compose.yaml"});
  o.environment["TEST"] = "Me";
  Project p = load(o);
  EXPECT_EQ(p.name, "test-me-x");
  EXPECT_EQ(p.environment["COMPOSE_PROJECT_NAME"], "test-me-x");
}

TEST_F(Load, ExplicitNamesMustBeNormal) {
  write("compose.yaml", "services:\n  web:\n    image: a\n");
  LoadOptions o = raw({"compose.yaml"});
  o.project_name = "Bad";
  EXPECT_NE(error_of(o).find("invalid project name \"Bad\""), std::string::npos);
  o.project_name = "";
  o.environment["COMPOSE_PROJECT_NAME"] = "No Way";
  EXPECT_NE(error_of(o).find("invalid project name"), std::string::npos);
  o.environment["COMPOSE_PROJECT_NAME"] = "good_one";
  EXPECT_EQ(load(o).name, "good_one");
  o.project_name = "cli-wins";
  EXPECT_EQ(load(o).name, "cli-wins");
}

TEST_F(Load, DotEnvInterpolatesAndProcessEnvironmentWins) {
  write("compose.yaml", "services:\n  web:\n    image: ${IMAGE}:${TAG}\n");
  write(".env", "IMAGE=nginx\nTAG=1\n");
  LoadOptions o = raw({"compose.yaml"});
  o.environment["TAG"] = "2";
  Project p = load(o);
  EXPECT_EQ(p.model["services"]["web"]["image"], "nginx:2");
  EXPECT_EQ(p.environment["IMAGE"], "nginx");
}

TEST_F(Load, EnvFileOptionReplacesDotEnvAndLaterFilesWin) {
  write("compose.yaml", "services:\n  web:\n    image: ${IMAGE}\n");
  write(".env", "IMAGE=dotenv\n");
  write("a.env", "IMAGE=a\n");
  write("b.env", "IMAGE=b\n");
  LoadOptions o = raw({"compose.yaml"});
  o.env_files = {path("a.env"), path("b.env")};
  EXPECT_EQ(load(o).model["services"]["web"]["image"], "b");
  o.env_files = {path("missing.env")};
  EXPECT_NE(error_of(o).find("couldn't find env file"), std::string::npos);
}

TEST_F(Load, ComposeFileVariableWithSeparator) {
  write("a.yaml", "services:\n  web:\n    image: a\n");
  write("b.yaml", "services:\n  web:\n    image: b\n");
  LoadOptions o = raw();
  o.environment["COMPOSE_FILE"] = "a.yaml;b.yaml";
  o.environment["COMPOSE_PATH_SEPARATOR"] = ";";
  Project p = load(o);
  ASSERT_EQ(p.config_files.size(), 2u);
  EXPECT_EQ(p.model["services"]["web"]["image"], "b");
  o.environment["COMPOSE_FILE"] = "a.yaml;nope.yaml";
  EXPECT_NE(error_of(o).find("COMPOSE_FILE"), std::string::npos);
}

TEST_F(Load, ComposeFileFromDotEnv) {
  write("main.yaml", "services:\n  web:\n    image: a\n");
  write(".env", "COMPOSE_FILE=main.yaml\nCOMPOSE_PROJECT_NAME=from_dotenv\n");
  Project p = load(raw());
  EXPECT_EQ(p.config_files[0], path("main.yaml"));
  EXPECT_EQ(p.name, "from_dotenv");
}

TEST_F(Load, ProjectDirectoryOption) {
  write("files/compose.yaml", "services:\n  web:\n    image: ${X}\n");
  write("proj/.env", "X=from-project-dir\n");
  LoadOptions o = raw({"files/compose.yaml"});
  o.project_directory = path("proj");
  Project p = load(o);
  EXPECT_EQ(p.working_dir, path("proj"));
  EXPECT_EQ(p.name, "proj");
  EXPECT_EQ(p.model["services"]["web"]["image"], "from-project-dir");
}

TEST_F(Load, MultipleDocumentsMerge) {
  write("compose.yaml", "services:\n  web:\n    image: a\n---\nservices:\n  db:\n    image: b\n");
  Project p = load(raw({"compose.yaml"}));
  EXPECT_EQ(p.model["services"]["db"]["image"], "b");
  EXPECT_EQ(p.model["services"]["web"]["image"], "a");
}

TEST_F(Load, EmptyFileAndNonMappingAreErrors) {
  write("empty.yaml", "# nothing\n");
  EXPECT_NE(error_of(raw({"empty.yaml"})).find("empty compose file"), std::string::npos);
  write("list.yaml", "- a\n");
  EXPECT_NE(error_of(raw({"list.yaml"})).find("list.yaml:1:1: top-level object must be a mapping"), std::string::npos);
}

TEST_F(Load, MissingFileIsAUserError) { EXPECT_NE(error_of(raw({"nope.yaml"})).find("nope.yaml"), std::string::npos); }

TEST_F(Load, VersionIsDroppedWithAWarning) {
  write("compose.yaml", "version: '3'\nservices:\n  web:\n    image: a\n");
  std::vector<std::string> warnings;
  LoadOptions o = raw({"compose.yaml"});
  o.warn = [&](const std::string& w) { warnings.push_back(w); };
  Project p = load(o);
  EXPECT_FALSE(p.model.contains("version"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("`version` is obsolete"), std::string::npos);
}

TEST_F(Load, InterpolationPerFileBeforeMerge) {
  write("a.yaml", "services:\n  web:\n    image: ${A}\n    environment: [\"X=$${NOT}\"]\n");
  write("b.yaml", "services:\n  web:\n    environment: [\"Y=${A}\"]\n");
  LoadOptions o = raw({"a.yaml", "b.yaml"});
  o.environment["A"] = "v";
  Project p = load(o);
  EXPECT_EQ(p.model["services"]["web"]["image"], "v");
  EXPECT_EQ(p.model["services"]["web"]["environment"], json::parse(R"(["X=${NOT}", "Y=v"])"));
  o.interpolate = false;
  EXPECT_EQ(load(o).model["services"]["web"]["image"], "${A}");
}

// Compose reads an interpolated value as a string, casting it only where the schema wants a
// number: `user: ${UID}` is the string "1000", a port target the integer 80.
TEST_F(Load, InterpolatedNumbersAreStringsWhereTheSchemaWantsOne) {
  write(
      "compose.yaml",
      "services:\n  web:\n    image: x\n    user: ${ID}\n    ports:\n      - target: ${P}\n        published: ${P}\n");
  LoadOptions o = raw({"compose.yaml"});
  o.normalize = true;
  o.environment["ID"] = "1000";
  o.environment["P"] = "80";
  Project p = load(o);
  EXPECT_EQ(p.model["services"]["web"]["user"], "1000");
  EXPECT_EQ(p.model["services"]["web"]["ports"][0]["target"], 80);
  EXPECT_EQ(p.model["services"]["web"]["ports"][0]["published"], "80");
}

TEST_F(Load, ResetAcrossFilesAndInExtends) {
  write("a.yaml", "services:\n  web:\n    image: a\n    ports: ['80:80']\n");
  write("b.yaml",
        "services:\n  base:\n    image: b\n    command: [x]\n  web:\n    ports: !reset []\n"
        "  child:\n    extends: base\n    command: !reset\n");
  Project p = load(raw({"a.yaml", "b.yaml"}));
  EXPECT_FALSE(p.model["services"]["web"].contains("ports"));
  EXPECT_FALSE(p.model["services"]["child"].contains("command"));
  EXPECT_EQ(p.model["services"]["child"]["image"], "b");
}

TEST_F(Load, ExtendsSameFileNested) {
  write("compose.yaml",
        "services:\n  base:\n    image: a\n    environment: [A=1]\n  mid:\n    extends: base\n    environment: [B=2]\n"
        "  top:\n    extends:\n      service: mid\n    command: [run]\n");
  Project p = load(raw({"compose.yaml"}));
  auto& top = p.model["services"]["top"];
  EXPECT_EQ(top["image"], "a");
  EXPECT_EQ(top["environment"], json::parse(R"(["A=1", "B=2"])"));
  EXPECT_FALSE(top.contains("extends"));
}

TEST_F(Load, ExtendsOtherFileRebasesRelativePaths) {
  write("compose.yaml",
        "services:\n  web:\n    extends:\n      file: lib/base.yaml\n      service: app\n"
        "    env_file: local.env\n");
  write("lib/base.yaml",
        "services:\n  app:\n    build: ./ctx\n    env_file: ./app.env\n"
        "    volumes: ['./data:/data', 'named:/named']\n"
        "  other:\n    extends:\n      file: ../other.yaml\n      service: x\n");
  write("other.yaml", "services:\n  x:\n    image: x\n");
  Project p = load(raw({"compose.yaml"}));
  auto& web = p.model["services"]["web"];
  EXPECT_EQ(web["build"], path("lib/ctx"));
  EXPECT_EQ(web["env_file"], json::parse("[\"" + path("lib/app.env") + "\", \"local.env\"]"));
  EXPECT_EQ(web["volumes"][0], path("lib/data") + ":/data");
  EXPECT_EQ(web["volumes"][1], "named:/named");
}

TEST_F(Load, ExtendsCycleNamesTheChain) {
  write("compose.yaml", "services:\n  a:\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n");
  std::string e = error_of(raw({"compose.yaml"}));
  EXPECT_NE(e.find("circular extends"), std::string::npos) << e;
  EXPECT_NE(e.find("a in " + path("compose.yaml") + " -> b in"), std::string::npos) << e;
  EXPECT_EQ(e.rfind(path("compose.yaml") + ":", 0), 0u) << e;  // file:line:col first
}

TEST_F(Load, ExtendsCycleAcrossFiles) {
  write("compose.yaml", "services:\n  a:\n    extends: {file: other.yaml, service: b}\n");
  write("other.yaml", "services:\n  b:\n    extends: {file: compose.yaml, service: a}\n");
  EXPECT_NE(error_of(raw({"compose.yaml"})).find("circular extends"), std::string::npos);
}

TEST_F(Load, ExtendsMissingServiceOrFile) {
  write("compose.yaml", "services:\n  a:\n    extends: nope\n");
  std::string e = error_of(raw({"compose.yaml"}));
  EXPECT_NE(e.find("cannot extend service \"a\""), std::string::npos) << e;
  EXPECT_NE(e.find(":3:14:"), std::string::npos) << e;
  write("b.yaml", "services:\n  a:\n    extends: {file: missing.yaml, service: x}\n");
  EXPECT_NE(error_of(raw({"b.yaml"})).find("missing.yaml"), std::string::npos);
}

TEST_F(Load, IncludeShortAndLongForms) {
  write("compose.yaml",
        "include:\n  - sub/a.yaml\n  - path: [other/b.yaml, other/b.override.yaml]\n"
        "    env_file: vars.env\nservices:\n  main:\n    image: m\n");
  write("sub/a.yaml", "services:\n  a:\n    build: .\n    image: ${MISSING:-a}\n");
  write("other/b.yaml", "services:\n  b:\n    image: ${B_IMAGE}\n    volumes: ['./d:/d']\n");
  write("other/b.override.yaml", "services:\n  b:\n    environment: [O=1]\n");
  write("vars.env", "B_IMAGE=from-include-env\n");
  Project p = load(raw({"compose.yaml"}));
  auto& s = p.model["services"];
  EXPECT_EQ(s["main"]["image"], "m");
  EXPECT_EQ(s["a"]["build"], path("sub"));
  EXPECT_EQ(s["b"]["image"], "from-include-env");
  EXPECT_EQ(s["b"]["volumes"][0], path("other/d") + ":/d");
  EXPECT_EQ(s["b"]["environment"][0], "O=1");
  EXPECT_FALSE(p.model.contains("include"));
}

TEST_F(Load, IncludeProjectDirectoryAndDefaultDotEnv) {
  write("compose.yaml", "include:\n  - path: defs/c.yaml\n    project_directory: proj\n");
  write("defs/c.yaml", "services:\n  c:\n    image: ${C}\n    build: ./ctx\n");
  write("proj/.env", "C=from-proj-dotenv\n");
  Project p = load(raw({"compose.yaml"}));
  EXPECT_EQ(p.model["services"]["c"]["image"], "from-proj-dotenv");
  EXPECT_EQ(p.model["services"]["c"]["build"], path("proj/ctx"));
}

TEST_F(Load, IncludingProjectDefinitionMergesOverIncluded) {
  write("compose.yaml", "include: [inc.yaml]\nservices:\n  web:\n    image: local\n");
  write("inc.yaml", "services:\n  web:\n    image: included\n    restart: always\n");
  Project p = load(raw({"compose.yaml"}));
  EXPECT_EQ(p.model["services"]["web"]["image"], "local");
  EXPECT_EQ(p.model["services"]["web"]["restart"], "always");
}

TEST_F(Load, IncludeCycleIsReported) {
  write("compose.yaml", "include: [a.yaml]\n");
  write("a.yaml", "include: [b.yaml]\nservices:\n  a:\n    image: a\n");
  write("b.yaml", "include: [a.yaml]\nservices:\n  b:\n    image: b\n");
  std::string e = error_of(raw({"compose.yaml"}));
  EXPECT_NE(e.find("include cycle detected"), std::string::npos) << e;
  EXPECT_NE(e.find(path("a.yaml")), std::string::npos) << e;
}

TEST_F(Load, IncludeMissingEnvFile) {
  write("compose.yaml", "include:\n  - path: a.yaml\n    env_file: nope.env\n");
  write("a.yaml", "services:\n  a:\n    image: a\n");
  EXPECT_NE(error_of(raw({"compose.yaml"})).find("nope.env"), std::string::npos);
}

TEST_F(Load, Profiles) {
  write("compose.yaml",
        "services:\n  web:\n    image: a\n  debug:\n    image: b\n    profiles: [debug]\n"
        "  tools:\n    image: c\n    profiles: [tools, ops]\n");
  LoadOptions o = raw({"compose.yaml"});
  Project p = load(o);
  EXPECT_TRUE(p.model["services"].contains("web"));
  EXPECT_FALSE(p.model["services"].contains("debug"));
  EXPECT_EQ(p.all_profiles, (std::vector<std::string>{"debug", "ops", "tools"}));
  o.profiles = {"ops"};
  p = load(o);
  EXPECT_TRUE(p.model["services"].contains("tools"));
  EXPECT_FALSE(p.model["services"].contains("debug"));
  o.profiles = {};
  o.environment["COMPOSE_PROFILES"] = "debug, tools";
  p = load(o);
  EXPECT_TRUE(p.model["services"].contains("debug"));
  EXPECT_TRUE(p.model["services"].contains("tools"));
  o.profiles = {"*"};
  EXPECT_EQ(load(o).model["services"].size(), 3u);
}

TEST_F(Load, StdinFile) {
  // "-" reads stdin; here through a pipe replacing fd 0 for the duration of the call.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string text = "services:\n  web:\n    image: from-stdin\n";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fds[1]);
  int saved = dup(0);
  dup2(fds[0], 0);
  close(fds[0]);
  LoadOptions o = raw();
  o.files = {"-"};
  o.project_name = "stdin";
  Project p;
  try {
    p = load(o);
  } catch (...) {
    dup2(saved, 0);
    close(saved);
    throw;
  }
  dup2(saved, 0);
  close(saved);
  std::cin.clear();
  EXPECT_EQ(p.model["services"]["web"]["image"], "from-stdin");
  EXPECT_EQ(p.working_dir, dir_);
}

// ---- compose-go's own fixtures -----------------------------------------------------------------

LoadOptions corpus(const std::string& file) {
  LoadOptions o;
  o.files = {kCorpus + "/" + file};
  o.working_directory = kCorpus;
  o.warn = [](const std::string&) {};
  return o;
}

TEST(LoadCorpus, ExtendsFromAnotherFileKeepsItsRelativePaths) {
  LoadOptions o = corpus("loader/testdata/compose-test-extends.yaml");
  o.normalize = false;
  o.consistency = false;
  Project p = load(o);
  EXPECT_EQ(p.name, "compose-test-extends");
  auto& s = p.model["services"]["importer"];
  EXPECT_EQ(s["image"], "nginx");
  EXPECT_EQ(s["container_name"], "imported");
  EXPECT_EQ(s["env_file"][0], fs::path(kCorpus + "/loader/testdata/subdir/extra.env").lexically_normal().string());
}

TEST(LoadCorpus, CombinedIncludeOfAnExtendingFile) {
  LoadOptions o = corpus("loader/testdata/combined/compose.yaml");
  o.normalize = false;
  o.consistency = false;
  Project p = load(o);
  EXPECT_EQ(p.name, "combined");
  EXPECT_EQ(p.model["services"]["service"]["build"],
            fs::path(kCorpus + "/loader/testdata/combined/dir").lexically_normal().string());
}

TEST(LoadCorpus, IncludeWithProjectDirectory) {
  LoadOptions o = corpus("loader/testdata/include/project-directory.yaml");
  o.normalize = false;
  o.consistency = false;
  Project p = load(o);
  std::string subdir = fs::path(kCorpus + "/loader/testdata/subdir").lexically_normal().string();
  auto& s = p.model["services"]["service"];
  EXPECT_EQ(s["build"]["context"], subdir);  // the default context is the included project's
  EXPECT_EQ(s["volumes"][0]["source"], subdir + "/compose-test-extends-imported.yaml");
  EXPECT_EQ(s["env_file"][0], subdir + "/extra.env");
}

TEST(LoadCorpus, ExtendsReset) {
  LoadOptions o = corpus("loader/testdata/extends/reset.yaml");
  o.normalize = false;
  o.consistency = false;
  Project p = load(o);
  EXPECT_FALSE(p.model["services"]["base"].contains("command"));
  EXPECT_EQ(p.model["services"]["base"]["image"], "alpine:latest");
}

TEST(LoadCorpus, ExtendsNestedDirectories) {
  LoadOptions o = corpus("loader/testdata/extends/withdir/compose.yaml");
  o.normalize = false;
  Project p = load(o);
  EXPECT_EQ(p.name, "withdir");
  EXPECT_EQ(p.model["services"]["test"]["image"], "hello-world");
}

TEST(LoadCorpus, CliEnvFileFixtureUsesDotEnvForFileAndName) {
  LoadOptions o;
  o.working_directory = kCorpus + "/cli/testdata/env-file";
  o.normalize = false;
  o.consistency = false;
  o.warn = [](const std::string&) {};
  Project p = load(o);
  EXPECT_EQ(p.name, "my_project_from_dot_env");
  ASSERT_EQ(p.config_files.size(), 1u);
  EXPECT_EQ(fs::path(p.config_files[0]).filename(), "compose-with-env-file.yaml");
  o.files = {kCorpus + "/cli/testdata/env-file/compose-with-env-files.yaml"};
  o.env_files = {kCorpus + "/cli/testdata/env-file/override.env"};
  o.environment.clear();
  p = load(o);
  EXPECT_EQ(p.model["services"]["simple"]["ports"][0], "9000:80");
}

TEST(LoadCorpus, CliSimpleFixtureNameFromVariables) {
  LoadOptions o;
  o.files = {kCorpus + "/cli/testdata/simple/compose-name.yaml"};
  o.environment["TEST"] = "ME";
  o.normalize = false;
  o.warn = [](const std::string&) {};
  EXPECT_EQ(load(o).name, "test-me-test");
  o.files = {kCorpus + "/cli/testdata/simple/compose-with-variables.yaml"};
  Project p = load(o);
  EXPECT_EQ(p.name, "simple");
  EXPECT_EQ(p.model["services"]["simple"]["ports"][0], "8000:80");
}

// Full loads, checked against what `docker compose config` prints for the same files.
TEST(LoadCorpusCanonical, IncludeAndExtendsAsComposeConfigPrintsThem) {
  Project p = load(corpus("loader/testdata/compose-include.yaml"));
  EXPECT_EQ(p.name, "testdata");
  auto& s = p.model["services"];
  EXPECT_EQ(s["bar"]["environment"]["FOO"], "BAR");
  EXPECT_EQ(s["imported"]["container_name"], "imported");
  EXPECT_EQ(s["imported"]["environment"]["SOURCE"], "extends");
  EXPECT_EQ(s["imported"]["volumes"][0]["source"], "/opt/data");
  EXPECT_EQ(p.model["networks"]["default"]["name"], "testdata_default");

  Project inc = load(corpus("loader/testdata/include/compose.yaml"));
  std::string dir = fs::path(kCorpus + "/loader/testdata/include").lexically_normal().string();
  EXPECT_EQ(inc.model["services"]["included"]["build"]["context"], dir);
  EXPECT_EQ(inc.model["services"]["included"]["volumes"][0]["source"], dir);

  Project nested = load(corpus("loader/testdata/extends/nested.yaml"));
  EXPECT_EQ(nested.model["services"]["with-build"]["build"]["context"],
            fs::path(kCorpus + "/loader/testdata/extends").lexically_normal().string());
}

TEST(LoadCorpusCanonical, ServiceThatIsNullFailsValidation) {
  try {
    load(corpus("loader/testdata/extends/base.yaml"));
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("nil"), std::string::npos) << e.what();
  }
}

// ---- golden projects: tests/compose/loader/<case>/, expected.json from `docker compose config` ----

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesComposeConfig) {
  std::string dir =
      fs::path(std::string(SLIPWAY_SOURCE_DIR) + "/tests/compose/loader/" + GetParam()).lexically_normal();
  std::ifstream in(dir + "/expected.json");
  ASSERT_TRUE(in) << dir;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t pos; (pos = text.find("@DIR@")) != std::string::npos;) text.replace(pos, 5, dir);
  nlohmann::json want = nlohmann::json::parse(text);

  LoadOptions o;
  o.working_directory = dir;  // discovery, as `docker compose config` run there
  o.warn = [](const std::string&) {};
  Project p = load(o);
  EmitOptions eo;
  eo.escape_dollars = false;
  nlohmann::json got = nlohmann::json::parse(emit_json(p.model, eo));
  EXPECT_EQ(got, want) << "got:\n" << got.dump(1);
}

INSTANTIATE_TEST_SUITE_P(Loader, Golden,
                         ::testing::Values("merge", "extends-include", "env-file", "include-project-directory",
                                           "anchors-reset", "volumes-ports"));

// ---- the CLI: exit codes and messages ------------------------------------------------------

TEST_F(Load, ConfigCommandExitCodes) {
  if (!fs::exists(SLIPWAY_BINARY)) GTEST_SKIP() << "slipway binary not built";
  write("good/compose.yaml", "services:\n  web:\n    image: a\n    profiles: [x]\n  db:\n    image: b\n");
  write("bad/compose.yaml", "services:\n  web:\n    extends: nope\n");
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {SLIPWAY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  };
  auto ok = run({"-f", path("good/compose.yaml"), "config", "--services"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "db\n");
  auto profiles = run({"-f", path("good/compose.yaml"), "config", "--profiles"});
  EXPECT_EQ(profiles.out, "x\n");
  auto quiet = run({"-f", path("good/compose.yaml"), "config", "-q"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out, "");
  auto bad = run({"-f", path("bad/compose.yaml"), "config"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(path("bad/compose.yaml") + ":3:14: "), std::string::npos) << bad.err;
  auto badname = run({"-f", path("good/compose.yaml"), "-p", "Nope", "config"});
  EXPECT_EQ(badname.exit_code, 2);
  auto json = run({"-f", path("good/compose.yaml"), "config", "--format", "json", "-o", path("out.json")});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  std::ifstream in(path("out.json"));
  auto model = json::parse(in);
  EXPECT_EQ(model["name"], "good");
  EXPECT_EQ(model["services"]["db"]["image"], "b");
}

// config --services/--volumes/--images read the model through compose::Model; their output is
// what it was when they read the JSON: services after their dependencies (names in order
// otherwise), volume keys sorted, images sorted with Compose's name for a built one.
TEST_F(Load, ConfigListsServicesVolumesAndImages) {
  if (!fs::exists(SLIPWAY_BINARY)) GTEST_SKIP() << "slipway binary not built";
  write("lists/api/Dockerfile", "FROM scratch\n");
  write("lists/compose.yaml",
        "services:\n"
        "  worker: {image: w}\n"
        "  web: {image: nginx, depends_on: [api]}\n"
        "  api: {build: ./api, depends_on: [db]}\n"
        "  db: {image: postgres, volumes: [zeta:/z, alpha:/a]}\n"
        "volumes: {zeta: {}, alpha: {}}\n");
  auto run = [&](const char* flag) {
    auto r = run_process({SLIPWAY_BINARY, "-f", path("lists/compose.yaml"), "-p", "shop", "config", flag});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(run("--services"), "db\napi\nweb\nworker\n");
  EXPECT_EQ(run("--volumes"), "alpha\nzeta\n");
  EXPECT_EQ(run("--images"), "nginx\npostgres\nshop-api\nw\n");
}

}  // namespace
}  // namespace slipway::compose
