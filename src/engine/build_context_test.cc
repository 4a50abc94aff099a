#include "engine/build_context.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::engine {
namespace {

bool ex(const std::vector<std::string>& patterns, const std::string& path) {
  return IgnoreMatcher(patterns).excluded(path);
}

// Expected results are Docker's (moby/patternmatcher) documented and tested behaviour.
TEST(IgnoreMatcher, SinglePatterns) {
  struct Case {
    const char* pattern;
    const char* path;
    bool excluded;
  } cases[] = {
      {"*", "fileutils.go", true},
      {"*.go", "fileutils.go", true},
      {"**", "file", true},
      {"**", "dir/file", true},
      {"**/", "dir/file", true},
      {"**/**", "dir/file", true},
      {"dir/**", "dir/file", true},
      {"dir/**", "dir/dir2/file", true},
      {"**/dir", "dir", true},
      {"**/dir", "dir/file", true},
      {"**/dir2/*", "dir/dir2/file", true},
      {"**/dir2/**", "dir/dir2/dir3/file", true},
      {"**file", "file", true},
      {"**file", "dir/dir/file", true},
      {"**/file", "dir/dir/file", true},
      {"**/file*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt2", "dir/dir/file.txt", false},
      {"**/*.txt", "file.txt", true},
      {"a**/*.txt", "a/dir/dir/file.txt", true},
      {"a/*.txt", "a/dir/file.txt", false},
      {"a/*.txt", "a/file.txt", true},
      {"a[b-d]e", "ae", false},
      {"a[b-d]e", "ace", true},
      {"a[^b-d]e", "aze", true},
      {".*", ".foo", true},
      {".*", "foo", false},
      {"abc.def", "abcdef", false},
      {"abc.def", "abc.def", true},
      {"abc?def", "abcZdef", true},
      {"abc?def", "abcdef", false},
      {"**/foo/bar", "foo/bar", true},
      {"**/foo/bar", "dir/dir2/foo/bar", true},
      {"abc/**", "abc", false},
      {"abc/**", "abc/def/ghi", true},
      {"**/.foo", ".foo", true},
      {"**/.foo", "bar.foo", false},
      {"a(b)c/def", "a(b)c/def", true},
      {"a(b)c/def", "a(b)c/xyz", false},
      {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
      {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
      {"a\\\\", "a\\", true},
      {"a\\*b", "a*b", true},
      {"a\\*b", "ab", false},
      {"a*/b", "abc/b", true},
      {"a*/b", "a/c/b", false},
      {"a*b?c*x", "abxbbxdbxebxczzx", true},
      {"ab[^e-g]", "abc", true},
      {"[\\]a]", "]", true},
      {"[x\\-]", "-", true},
      {"[x\\-]", "z", false},
      {"a?b", "a/b", false},
      {"a*b", "a/b", false},
      {"*x", "xxx", true},
      // A directory pattern excludes everything below it.
      {"docs", "docs/a/b.md", true},
      {"docs/", "docs/README.md", true},
  };
  for (const auto& c : cases) EXPECT_EQ(ex({c.pattern}, c.path), c.excluded) << c.pattern << " vs " << c.path;
}

TEST(IgnoreMatcher, ExceptionsAndOrder) {
  EXPECT_TRUE(ex({"!fileutils.go", "*.go"}, "fileutils.go"));
  EXPECT_FALSE(ex({"*.go", "!fileutils.go"}, "fileutils.go"));
  EXPECT_FALSE(ex({"docs", "!docs/README.md"}, "docs/README.md"));
  EXPECT_FALSE(ex({"docs/*", "!docs/README.md"}, "docs/README.md"));
  EXPECT_TRUE(ex({"docs", "!docs/README.md"}, "docs/other.md"));
  EXPECT_FALSE(ex({"**", "!util/docker/web"}, "util/docker/web/foo"));
  EXPECT_TRUE(ex({"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo"));
  EXPECT_FALSE(ex({"**", "!dist/*.whl"}, "dist/x-1.0-py3-none-any.whl"));
  EXPECT_FALSE(ex({"*.go"}, "."));
  EXPECT_FALSE(ex({}, "any/path"));
  // The leading "/" is dropped when the file is read, not by the matcher.
  EXPECT_TRUE(ex(parse_dockerignore("/docs\n"), "docs/README.md"));
}

TEST(IgnoreMatcher, MustDescendOnlyForExceptionsBelow) {
  IgnoreMatcher m({"docs", "!docs/README.md"});
  EXPECT_TRUE(m.has_exceptions());
  EXPECT_TRUE(m.must_descend("docs"));
  EXPECT_FALSE(m.must_descend("other"));
  IgnoreMatcher wild({"*", "!*/keep"});
  // Docker compares the exception's text literally, so a wildcard exception does not reach in.
  EXPECT_FALSE(wild.must_descend("dir"));
}

TEST(IgnoreMatcher, BadPatternsAreUserErrors) {
  for (const char* bad : {"!", "[", "a[", "[^bc", "[]a]", "[-]", "[x-]", "[a-b-c]", "\\"}) {
    EXPECT_THROW(IgnoreMatcher({bad}), UserError) << bad;
  }
}

TEST(ParseDockerignore, DockerSemantics) {
  auto p = parse_dockerignore(
      "\xEF\xBB\xBFtest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n"
      "  spaced  \r\n  # not a comment\nx/./y/../z\n");
  std::vector<std::string> want = {"test1", "test2", "a/file/here", "lastfile",        "!inverted/abs/path",
                                   "!",     "!",     "spaced",      "# not a comment", "x/z"};
  EXPECT_EQ(p, want);
}

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-ctx-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& rel, const std::string& content, unsigned mode = 0644) {
    auto p = std::filesystem::path(dir) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
    ::chmod(p.c_str(), mode);
  }
  std::vector<std::string> paths(const BuildContext& c) {
    std::vector<std::string> out;
    for (const auto& e : c.entries) out.push_back(e.path);
    return out;
  }
  std::string dir;
};

TEST_F(ContextTest, HonoursDockerignoreAndAlwaysSendsDockerfile) {
  write("Dockerfile", "FROM scratch\n");
  write(".dockerignore", "Dockerfile\n.dockerignore\n*.log\nsecret/\nnode_modules\n!node_modules/keep.js\n");
  write("app.js", "x");
  write("debug.log", "x");
  write("secret/key", "x");
  write("node_modules/a.js", "x");
  write("node_modules/keep.js", "x");
  write("sub/run.sh", "#!/bin/sh\n", 0755);
  auto c = scan_context(dir);
  EXPECT_EQ(c.dockerfile, "Dockerfile");
  std::vector<std::string> want = {".dockerignore",        "Dockerfile", "app.js",
                                   "node_modules/keep.js", "sub",        "sub/run.sh"};
  EXPECT_EQ(paths(c), want);
  for (const auto& e : c.entries)
    if (e.path == "sub/run.sh") {
      EXPECT_EQ(e.mode, 0755u);
    }
}

TEST_F(ContextTest, HashIgnoresMtimeButNotContentOrMode) {
  write("Dockerfile", "FROM scratch\n");
  write("a", "1");
  auto h1 = scan_context(dir).hash;
  write("a", "1");
  EXPECT_EQ(scan_context(dir).hash, h1);
  write("a", "2");
  auto h2 = scan_context(dir).hash;
  EXPECT_NE(h2, h1);
  ::chmod((dir + "/a").c_str(), 0600);
  EXPECT_NE(scan_context(dir).hash, h2);
}

TEST_F(ContextTest, TarRoundTrips) {
  write("Dockerfile", "FROM scratch\nCOPY . /\n");
  write("data/big.bin", std::string(300000, 'z'));
  write("x.sh", "echo", 0750);
  ASSERT_EQ(::symlink("x.sh", (dir + "/link").c_str()), 0);
  auto c = scan_context(dir);
  std::string tar = context_tar(c);
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  ASSERT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e;
  std::map<std::string, std::string> files;
  std::map<std::string, unsigned> modes;
  std::string link;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    modes[name] = archive_entry_perm(e);
    if (archive_entry_filetype(e) == AE_IFLNK) link = archive_entry_symlink(e);
    std::string body;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) body.append(buf, n);
    files[name] = body;
  }
  archive_read_free(a);
  EXPECT_EQ(files["data/big.bin"], std::string(300000, 'z'));
  EXPECT_EQ(files["Dockerfile"], "FROM scratch\nCOPY . /\n");
  EXPECT_EQ(modes["x.sh"], 0750u);
  EXPECT_EQ(link, "x.sh");
  EXPECT_EQ(context_tar(scan_context(dir)), tar);  // deterministic
}

TEST_F(ContextTest, DockerfileOutsideOrInlineIsSentUnderAGeneratedName) {
  write("ctx/a", "1");
  write("other/Dockerfile.prod", "FROM scratch\n");
  ContextOptions o;
  o.dockerfile = dir + "/other/Dockerfile.prod";
  auto c = scan_context(dir + "/ctx", o);
  EXPECT_EQ(c.dockerfile.rfind(".slipway.Dockerfile.", 0), 0u);
  EXPECT_EQ(c.entries.back().content, "FROM scratch\n");
  o.dockerfile_inline = "FROM scratch\nLABEL a=b\n";
  auto i = scan_context(dir + "/ctx", o);
  EXPECT_EQ(i.entries.back().content, o.dockerfile_inline);
  EXPECT_NE(i.hash, c.hash);
}

TEST_F(ContextTest, MissingThingsAreUserErrors) {
  EXPECT_THROW(scan_context(dir + "/nope"), UserError);
  EXPECT_THROW(scan_context(dir), UserError);  // no Dockerfile
  write("Dockerfile", "FROM scratch\n");
  write(".dockerignore", "[\n");
  EXPECT_THROW(scan_context(dir), UserError);
}

}  // namespace
}  // namespace slipway::engine
