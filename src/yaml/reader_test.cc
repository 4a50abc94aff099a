#include "yaml/reader.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

namespace slipway::yaml {
namespace {

Node R(const std::string& text) { return read(text, "t.yml"); }

// The message of the UserError reading `text` throws ("" when it does not throw).
std::string error_of(const std::string& text, const ReadLimits& limits = {}) {
  try {
    read(text, "t.yml", limits);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Reader, ScalarsAndStyles) {
  Node n = R("a: 80\nb: '80'\nc: \"x\"\nd: |\n  block\ne: plain text\n");
  ASSERT_TRUE(n.is_mapping());
  EXPECT_EQ(n.size(), 5u);
  EXPECT_EQ(n.find("a")->value(), "80");
  EXPECT_EQ(n.find("a")->style(), Style::Plain);
  EXPECT_EQ(n.find("b")->style(), Style::Quoted);
  EXPECT_EQ(n.find("c")->style(), Style::Quoted);
  EXPECT_EQ(n.find("d")->style(), Style::Block);
  EXPECT_EQ(n.find("d")->value(), "block\n");
  EXPECT_EQ(n.find("e")->value(), "plain text");
}

TEST(Reader, NullForms) {
  Node n = R("a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: nULL\ng: ''\nh: \"null\"\n");
  for (const char* k : {"a", "b", "c", "d", "e"}) EXPECT_TRUE(n.find(k)->is_null()) << k;
  EXPECT_EQ(n.find("b")->value(), "~");
  EXPECT_TRUE(n.find("f")->is_scalar());
  EXPECT_TRUE(n.find("g")->is_scalar());
  EXPECT_EQ(n.find("g")->value(), "");
  EXPECT_TRUE(n.find("h")->is_scalar());
}

TEST(Reader, MarksAreOneBasedForNodesAndKeys) {
  Node n = R("services:\n  web:\n    image: nginx\n    ports: [80, \"443\"]\n");
  EXPECT_EQ(n.mark().line, 1);
  EXPECT_EQ(n.mark().column, 1);
  ASSERT_NE(n.mark().file, nullptr);
  EXPECT_EQ(*n.mark().file, "t.yml");
  const Node& web = *n.find("services")->find("web");
  EXPECT_EQ(web.mark().line, 3);
  EXPECT_EQ(web.mark().column, 5);
  const auto& e = n.find("services")->entries()[0];
  EXPECT_EQ(e.key.value(), "web");
  EXPECT_EQ(e.key.mark().line, 2);
  EXPECT_EQ(e.key.mark().column, 3);
  const Node& ports = *web.find("ports");
  EXPECT_EQ(ports.items()[1].mark().line, 4);
  EXPECT_EQ(ports.items()[1].mark().column, 17);
  EXPECT_EQ(ports.items()[1].location().str(), "t.yml:4:17");
}

TEST(Reader, AnchorsAreExpandedIntoIndependentCopies) {
  Node n = R("x: &a {k: [1, 2]}\ny: *a\nz: &s hello\nw: *s\n");
  ASSERT_TRUE(n.find("y")->is_mapping());
  EXPECT_TRUE(n.find("y")->same_value(*n.find("x")));
  EXPECT_EQ(n.find("w")->value(), "hello");
  n.find("y")->find("k")->items().clear();
  EXPECT_EQ(n.find("x")->find("k")->size(), 2u);
}

TEST(Reader, AnchorRedefinitionShadows) {
  Node n = R("- &a 1\n- *a\n- &a 2\n- *a\n");
  EXPECT_EQ(n.items()[1].value(), "1");
  EXPECT_EQ(n.items()[3].value(), "2");
}

TEST(Reader, UnknownAliasIsAnError) {
  std::string e = error_of("a: *nope\n");
  EXPECT_NE(e.find("t.yml:1:4: unknown alias *nope"), std::string::npos) << e;
  // An alias inside the node its anchor names is not yet defined.
  EXPECT_NE(error_of("a: &x [*x]\n").find("unknown alias *x"), std::string::npos);
}

TEST(Reader, MergeKeySingle) {
  Node n = R("base: &b {image: a, restart: always}\nsvc:\n  <<: *b\n  image: mine\n");
  const Node& s = *n.find("svc");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.find("image")->value(), "mine");
  EXPECT_EQ(s.find("restart")->value(), "always");
  EXPECT_FALSE(s.has("<<"));
  // Merged entries stand where << stood; restart keeps its source mark.
  EXPECT_EQ(s.entries()[0].key.value(), "restart");
  EXPECT_EQ(s.entries()[1].key.value(), "image");
}

TEST(Reader, MergeKeyExplicitBeforeMergeAlsoWins) {
  Node n = R("b: &b {image: a, x: 1}\nsvc:\n  image: mine\n  <<: *b\n  y: 2\n");
  const Node& s = *n.find("svc");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.entries()[0].key.value(), "image");
  EXPECT_EQ(s.entries()[0].value.value(), "mine");
  EXPECT_EQ(s.entries()[1].key.value(), "x");
  EXPECT_EQ(s.entries()[2].key.value(), "y");
}

TEST(Reader, MergeKeyListEarlierSourceWins) {
  Node n = R("a: &a {k: from_a, a: 1}\nb: &b {k: from_b, b: 2}\nm:\n  <<: [*a, *b]\n  own: 3\n");
  const Node& m = *n.find("m");
  EXPECT_EQ(m.find("k")->value(), "from_a");
  EXPECT_EQ(m.find("a")->value(), "1");
  EXPECT_EQ(m.find("b")->value(), "2");
  EXPECT_EQ(m.size(), 4u);
  std::vector<std::string> keys;
  for (const auto& e : m.entries()) keys.push_back(e.key.value());
  EXPECT_EQ(keys, (std::vector<std::string>{"k", "a", "b", "own"}));
}

TEST(Reader, MergeKeyInlineMapping) {
  Node n = R("m:\n  <<: {x: 1, y: 2}\n  y: 3\n");
  EXPECT_EQ(n.find("m")->find("x")->value(), "1");
  EXPECT_EQ(n.find("m")->find("y")->value(), "3");
}

TEST(Reader, MergeIsNotDeep) {
  Node n = R("a: &a {env: {A: 1}}\nm:\n  <<: *a\n  env: {B: 2}\n");
  const Node& env = *n.find("m")->find("env");
  EXPECT_EQ(env.size(), 1u);
  EXPECT_TRUE(env.has("B"));
}

TEST(Reader, NestedMergesResolveInsideAnchors) {
  Node n = R("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n");
  const Node& c = *n.find("c");
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.find("x")->value(), "1");
}

TEST(Reader, QuotedMergeKeyIsAnOrdinaryKey) {
  Node n = R("m:\n  \"<<\": {x: 1}\n");
  EXPECT_TRUE(n.find("m")->has("<<"));
}

TEST(Reader, MergeKeyErrors) {
  EXPECT_NE(error_of("m:\n  <<: 3\n").find("t.yml:2:7: merge key << needs a mapping"), std::string::npos);
  EXPECT_NE(error_of("a: &a [1]\nm:\n  <<: [*a]\n").find("merge key << lists a sequence"), std::string::npos);
}

TEST(Reader, DuplicateKeys) {
  std::string e = error_of("services:\n  web: {}\n  db: {}\n  web: {}\n");
  EXPECT_EQ(e, "t.yml:4:3: mapping key \"web\" already defined at line 2 (remove one of the two)");
  EXPECT_NE(error_of("{a: 1, a: 2}").find("mapping key \"a\" already defined"), std::string::npos);
  // Large mappings use an index; still detected.
  std::string big;
  for (int i = 0; i < 100; ++i) big += "k" + std::to_string(i) + ": v\n";
  big += "k42: again\n";
  EXPECT_NE(error_of(big).find("t.yml:101:1: mapping key \"k42\" already defined at line 43"), std::string::npos);
  EXPECT_NE(error_of("<<: {a: 1}\n<<: {b: 1}\n").find("already defined"), std::string::npos);
}

TEST(Reader, NonScalarKeysAreErrors) {
  EXPECT_NE(error_of("? [a, b]\n: 1\n").find("a sequence cannot be a mapping key"), std::string::npos);
  EXPECT_NE(error_of("{{a: 1}: 2}").find("a mapping cannot be a mapping key"), std::string::npos);
  Node n = R("~: 1\n");
  EXPECT_TRUE(n.entries()[0].key.is_scalar());
  EXPECT_EQ(n.entries()[0].key.value(), "~");
}

TEST(Reader, Tags) {
  Node n =
      R("a: !reset []\nb: !override {x: 1}\nc: !!str 80\nd: !!int 80\ne: !custom text\nf: !reset null\n"
        "g: ! 12\nh: !!null ''\n");
  EXPECT_EQ(n.find("a")->tag(), "!reset");
  EXPECT_TRUE(n.find("a")->is_sequence());
  EXPECT_EQ(n.find("b")->tag(), "!override");
  EXPECT_TRUE(n.find("b")->is_mapping());
  EXPECT_EQ(n.find("c")->style(), Style::Quoted);
  EXPECT_EQ(n.find("c")->tag(), "");
  EXPECT_EQ(n.find("d")->style(), Style::Plain);
  EXPECT_EQ(R("!!int '7'").style(), Style::Plain);
  long long i = 0;
  EXPECT_TRUE(n.find("d")->plain_int(&i));
  EXPECT_EQ(i, 80);
  EXPECT_EQ(n.find("e")->tag(), "!custom");
  EXPECT_EQ(n.find("e")->value(), "text");
  EXPECT_TRUE(n.find("f")->is_null());
  EXPECT_EQ(n.find("f")->tag(), "!reset");
  EXPECT_EQ(n.find("g")->style(), Style::Quoted);
  EXPECT_TRUE(n.find("h")->is_null());
}

TEST(Reader, LibyamlErrorsCarryPositions) {
  std::string tab = error_of("a:\n\tb: 1\n");
  EXPECT_EQ(tab.rfind("t.yml:2:1: ", 0), 0u) << tab;
  EXPECT_NE(tab.find("tabs cannot be used for indentation"), std::string::npos) << tab;

  std::string indent = error_of("a:\n  b: 1\n c: 2\n");
  EXPECT_EQ(indent.rfind("t.yml:3:2: ", 0), 0u) << indent;
  EXPECT_NE(indent.find("did not find expected key"), std::string::npos) << indent;

  std::string quote = error_of("a: \"open\n");
  EXPECT_EQ(quote.rfind("t.yml:", 0), 0u) << quote;
  EXPECT_NE(quote.find("quoted scalar"), std::string::npos) << quote;

  std::string flow = error_of("a: [1, 2\nb: 3\n");
  EXPECT_NE(flow.find("t.yml:"), std::string::npos);
}

TEST(Reader, InvalidUtf8IsReportedAsSuch) {
  std::string e = error_of("a: ok\nb: caf\xe9\n");
  EXPECT_EQ(e.rfind("t.yml:2:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid UTF-8"), std::string::npos) << e;
  EXPECT_NE(error_of(std::string("a: \xff\xfe\n")).find("UTF-8"), std::string::npos);
  EXPECT_NE(error_of(std::string("a: b\0c\n", 7)).find("control characters"), std::string::npos);
}

TEST(Reader, Documents) {
  EXPECT_TRUE(read_all("", "t.yml").empty());
  EXPECT_TRUE(read_all("# only a comment\n", "t.yml").empty());
  EXPECT_TRUE(R("").is_null());
  auto docs = read_all("a: 1\n---\nb: 2\n", "t.yml");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_TRUE(docs[1].has("b"));
  EXPECT_NE(error_of("a: 1\n---\nb: 2\n").find("t.yml:2:1: expected a single YAML document"), std::string::npos);
  // Anchors do not cross documents.
  EXPECT_THROW(read_all("a: &x 1\n---\nb: *x\n", "t.yml"), UserError);
}

TEST(Reader, AliasAsKeyAndInSequences) {
  Node n = R("k: &k name\nm:\n  *k : 1\nl: [&x {a: 1}, *x, *x]\n");
  EXPECT_EQ(n.find("m")->entries()[0].key.value(), "name");
  EXPECT_EQ(n.find("l")->size(), 3u);
  EXPECT_TRUE(n.find("l")->items()[2].same_value(n.find("l")->items()[0]));
}

TEST(Reader, CrlfAndBlockScalars) {
  Node n = R("a: 1\r\nb: |\r\n  x\r\n  y\r\nc: >-\r\n  folded\r\n  text\r\n");
  EXPECT_EQ(n.find("a")->value(), "1");
  EXPECT_EQ(n.find("b")->value(), "x\ny\n");
  EXPECT_EQ(n.find("b")->style(), Style::Block);
  EXPECT_EQ(n.find("c")->value(), "folded text");
}

TEST(Reader, ExplicitDocumentMarkers) {
  EXPECT_TRUE(R("---\n").is_null());
  EXPECT_TRUE(R("---\n...\n").is_null());
  EXPECT_EQ(R("--- a\n").value(), "a");
  EXPECT_EQ(read_all("---\n---\n", "t.yml").size(), 2u);
}

TEST(Reader, MergedMappingsAreCopies) {
  Node n = R("a: &a {x: {y: 1}}\nb: {<<: *a}\n");
  n.find("b")->find("x")->set("y", Node::scalar("2"));
  EXPECT_EQ(n.find("a")->find("x")->find("y")->value(), "1");
}

TEST(Reader, NonPrintableAndOddInputsNeverCrash) {
  const std::string inputs[] = {std::string("\0", 1),
                                "\xef\xbb\xbf",
                                "\xef\xbb\xbf"
                                "a: 1",
                                "[",
                                "]",
                                "{",
                                "a: [",
                                "&",
                                "*",
                                "!<tag:x> a",
                                "%YAML 1.1\n---\na: 1",
                                "%TAG ! tag:e.com,2000:\n--- !foo x",
                                "? ",
                                "- &a\n- *a",
                                "<<: *a",
                                "a: !!binary aGVsbG8=",
                                std::string(5000, '-'),
                                "a: &a\n  <<: *a\n"};
  for (const auto& in : inputs) {
    try {
      read_all(in, "t.yml");
    } catch (const UserError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("t.yml", 0), 0u) << e.what();
    }
  }
}

std::string billion_laughs() {
  std::string s = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    s += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) s += std::string(i ? "," : "") + "*" + prev;
    s += "]\n";
    prev = c;
  }
  return s;
}

TEST(Reader, AliasBombIsRejected) {
  std::string e = error_of(billion_laughs());
  EXPECT_NE(e.find("the document expands to more than " + std::to_string(ReadLimits{}.max_nodes) +
                   " nodes through its aliases (an alias bomb?"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.rfind("t.yml:", 0), 0u);
  ReadLimits small;
  small.max_nodes = 50;
  EXPECT_NE(error_of("a: &a [1,2,3,4,5,6,7,8,9]\nb: [*a, *a, *a, *a, *a, *a]\n", small).find("more than 50 nodes"),
            std::string::npos);
  EXPECT_EQ(error_of("a: &a [1,2,3]\nb: [*a, *a]\n", small), "");
}

// The bomb runs in a child so its peak memory is measured alone (ru_maxrss of the child).
TEST(Reader, AliasBombIsCheapInTimeAndMemory) {
  std::string bomb = billion_laughs();
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      read(bomb, "bomb.yml");
    } catch (const UserError&) {
      _exit(0);
    }
    _exit(1);
  }
  int status = 0;
  struct rusage ru {};
  ASSERT_EQ(wait4(pid, &status, 0, &ru), pid);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the bomb was not rejected";
  EXPECT_LT(seconds, 0.5);
  EXPECT_LT(ru.ru_maxrss, 64 * 1024) << "peak RSS in KiB";
}

TEST(Reader, DeepNestingIsACleanError) {
  std::string flow(20000, '[');
  std::string e = error_of(flow);
  EXPECT_NE(e.find("nested deeper than 256 levels"), std::string::npos) << e;
  EXPECT_NE(error_of(std::string(20000, '{')).find("nested deeper"), std::string::npos);
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(i * 2, ' ') + "- \n";
  EXPECT_NE(error_of(block), "");
  // Exactly at the limit is fine.
  std::string ok = std::string(256, '[') + std::string(256, ']');
  EXPECT_EQ(error_of(ok), "");
}

// Many plain aliases of a big anchor are no bomb in shape, but still bounded by the node budget.
TEST(Reader, WideAliasExpansionIsBounded) {
  std::string s = "a: &a [";
  for (int i = 0; i < 999; ++i) s += i ? ",x" : "x";
  s += "]\nb: [";
  for (int i = 0; i < 1990; ++i) s += i ? ",*a" : "*a";
  s += "]\n";
  auto start = std::chrono::steady_clock::now();
  EXPECT_NE(error_of(s).find("alias bomb?"), std::string::npos);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.5);
}

TEST(Reader, NodeLimitWithoutAliasesDoesNotBlameAliases) {
  ReadLimits small;
  small.max_nodes = 20;
  std::string s;
  for (int i = 0; i < 30; ++i) s += "k" + std::to_string(i) + ": v\n";
  std::string e = error_of(s, small);
  EXPECT_NE(e.find("the document holds more than 20 nodes, slipway's limit for one project"), std::string::npos) << e;
  EXPECT_EQ(e.find("alias"), std::string::npos) << e;
}

// An alias of a long string repeated is few nodes but many bytes.
TEST(Reader, AliasOfALongStringIsBoundedInBytes) {
  std::string s = "a: &a " + std::string(1 << 20, 'x') + "\nb: [";
  for (int i = 0; i < 100; ++i) s += i ? ",*a" : "*a";
  s += "]\n";
  auto start = std::chrono::steady_clock::now();
  std::string e = error_of(s);
  EXPECT_NE(e.find("expands to more than 16 MiB of text through its aliases"), std::string::npos) << e;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

TEST(Reader, LimitsAreSharedAcrossReads) {
  ReadLimits lim;
  lim.max_nodes = 100;
  ReadCounts counts;
  read_all("a: [1, 2, 3]\n", "one.yml", lim, &counts);
  EXPECT_EQ(counts.nodes, 6u);  // mapping, key, sequence, three items
  EXPECT_EQ(counts.bytes, 4u);
  lim.nodes_before = 98;
  std::string e = error_of("a: [1, 2, 3]\n", lim);
  EXPECT_NE(e.find("the project's Compose files hold more than 100 nodes"), std::string::npos) << e;
}

TEST(Reader, AliasesCannotBuildDepthBeyondTheLimit) {
  ReadLimits lim;
  lim.max_depth = 8;
  std::string s = "a0: &a0 [x]\n";
  for (int i = 1; i < 12; ++i)
    s += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + "]\n";
  EXPECT_NE(error_of(s, lim).find("nested deeper than 8 levels"), std::string::npos);
}

TEST(Reader, ReadFile) {
  EXPECT_THROW(read_file("/nonexistent/compose.yml"), EnvError);
  EXPECT_THROW(read_file("/"), EnvError);
  auto dir = std::filesystem::temp_directory_path() / ("slipway-reader-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto f = dir / "c.yml";
  {
    FILE* fp = fopen(f.c_str(), "w");
    fputs("a: 1\n", fp);
    fclose(fp);
  }
  Node n = read_file(f.string());
  EXPECT_EQ(n.find("a")->value(), "1");
  EXPECT_EQ(*n.mark().file, f.string());
  std::filesystem::remove_all(dir);
}

TEST(Node, PlainBool) {
  bool b = false;
  for (const char* t : {"true", "True", "TRUE"}) {
    EXPECT_TRUE(Node::scalar(t, {}, Style::Plain).plain_bool(&b)) << t;
    EXPECT_TRUE(b);
  }
  for (const char* f : {"false", "False", "FALSE"}) {
    EXPECT_TRUE(Node::scalar(f, {}, Style::Plain).plain_bool(&b)) << f;
    EXPECT_FALSE(b);
  }
  for (const char* s : {"yes", "no", "on", "off", "y", "n", "tRUE", ""})
    EXPECT_FALSE(Node::scalar(s, {}, Style::Plain).plain_bool(&b)) << s;
  EXPECT_FALSE(Node::scalar("true", {}, Style::Quoted).plain_bool(&b));
}

TEST(Node, PlainInt) {
  struct Case {
    const char* text;
    long long value;
  } ok[] = {{"0", 0},
            {"80", 80},
            {"-12", -12},
            {"+7", 7},
            {"0x1F", 31},
            {"0o17", 15},
            {"017", 15},
            {"0b101", 5},
            {"1_000", 1000},
            {"-0x10", -16},
            {"9223372036854775807", 9223372036854775807LL},
            {"-9223372036854775808", (-9223372036854775807LL - 1)}};
  for (const auto& c : ok) {
    long long v = -1;
    EXPECT_TRUE(Node::scalar(c.text, {}, Style::Plain).plain_int(&v)) << c.text;
    EXPECT_EQ(v, c.value) << c.text;
  }
  long long v;
  for (const char* s : {"", "1.5", "08", "0x", "abc", "1e3", "9223372036854775808", "12abc", "- 1", "0o8", "--1"})
    EXPECT_FALSE(Node::scalar(s, {}, Style::Plain).plain_int(&v)) << s;
  EXPECT_FALSE(Node::scalar("80", {}, Style::Quoted).plain_int(&v));
}

TEST(Node, PlainFloat) {
  double d = 0;
  struct Case {
    const char* text;
    double value;
  } ok[] = {{"1.5", 1.5}, {"1e3", 1000}, {"-2.5E-1", -0.25}, {".5", 0.5},
            {"3", 3},     {"08", 8},     {"1.", 1},          {"1_0.5", 10.5}};
  for (const auto& c : ok) {
    EXPECT_TRUE(Node::scalar(c.text, {}, Style::Plain).plain_float(&d)) << c.text;
    EXPECT_DOUBLE_EQ(d, c.value) << c.text;
  }
  EXPECT_TRUE(Node::scalar(".inf", {}, Style::Plain).plain_float(&d));
  EXPECT_TRUE(std::isinf(d) && d > 0);
  EXPECT_TRUE(Node::scalar("-.Inf", {}, Style::Plain).plain_float(&d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_TRUE(Node::scalar(".NaN", {}, Style::Plain).plain_float(&d));
  EXPECT_TRUE(std::isnan(d));
  for (const char* s : {"", "abc", "1.2.3", "inf", "nan", "1e", ".", "e3", "0x1p3", "1.5s"})
    EXPECT_FALSE(Node::scalar(s, {}, Style::Plain).plain_float(&d)) << s;
}

TEST(Node, MappingEditing) {
  Node m = Node::mapping();
  m.set("a", Node::scalar("1"));
  m.set("b", Node::scalar("2"));
  m.set("a", Node::scalar("3"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.entries()[0].key.value(), "a");
  EXPECT_EQ(m.find("a")->value(), "3");
  EXPECT_TRUE(m.erase("a"));
  EXPECT_FALSE(m.erase("a"));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(Node::scalar("x").size(), 0u);
  EXPECT_STREQ(Node().kind_name(), "null");
  EXPECT_STREQ(m.kind_name(), "mapping");
}

TEST(Node, SameValue) {
  Node a = R("{x: [1, 2], y: {z: ~}}");
  Node b = R("{y: {z: null}, x: ['1', \"2\"]}");
  EXPECT_TRUE(a.same_value(b));
  Node c = R("{x: [2, 1], y: {z: ~}}");
  EXPECT_FALSE(a.same_value(c));
  EXPECT_FALSE(R("[]").same_value(R("{}")));
}

TEST(Node, InternFile) {
  const std::string* a = intern_file("x.yml");
  const std::string* b = intern_file(std::string("x.yml"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, intern_file("y.yml"));
}

// Every real Compose file in the corpus reads (or fails with a located UserError), never crashes.
TEST(Reader, Corpus) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(SLIPWAY_SOURCE_DIR) / ".." / "shared" / "corpus";
  ASSERT_TRUE(fs::exists(root));
  int ok = 0, failed = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    auto ext = e.path().extension();
    if (ext != ".yml" && ext != ".yaml") continue;
    try {
      read_all(std::string(), e.path().string());
      read_file(e.path().string());
      ++ok;
    } catch (const UserError& err) {
      std::printf("%s\n", err.what());
      ++failed;
    }
  }
  EXPECT_GT(ok, 50);
  EXPECT_LT(failed, ok / 5);
}

}  // namespace
}  // namespace slipway::yaml
