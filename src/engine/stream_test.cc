#include "engine/stream.h"

#include <gtest/gtest.h>

namespace slipway::engine {
namespace {

std::string frame(char kind, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = kind;
  uint32_t n = payload.size();
  f[4] = char(n >> 24);
  f[5] = char(n >> 16);
  f[6] = char(n >> 8);
  f[7] = char(n);
  return f + payload;
}

TEST(Demultiplexer, SplitsFramesAcrossArbitraryChunks) {
  std::string wire = frame(1, "hello ") + frame(2, "oops\n") + frame(1, "world\n") + frame(1, "");
  for (size_t step : {1, 3, 7, 8, 9, 1000}) {
    std::string out, err;
    Demultiplexer d([&](StreamKind k, const std::string& s) {
      (k == StreamKind::out ? out : err) += s;
      return true;
    });
    for (size_t i = 0; i < wire.size(); i += step)
      ASSERT_TRUE(d.feed(wire.data() + i, std::min(step, wire.size() - i)));
    EXPECT_EQ(out, "hello world\n") << step;
    EXPECT_EQ(err, "oops\n") << step;
  }
}

TEST(Demultiplexer, StopsWhenSinkSaysSo) {
  std::string wire = frame(1, "a") + frame(1, "b");
  int calls = 0;
  Demultiplexer d([&](StreamKind, const std::string&) { return ++calls < 1; });
  EXPECT_FALSE(d.feed(wire.data(), wire.size()));
  EXPECT_EQ(calls, 1);
}

TEST(JsonLines, ParsesSplitMessagesAndKeepsGarbageAsText) {
  std::vector<nlohmann::json> got;
  JsonLines j([&](const nlohmann::json& m) { got.push_back(m); });
  j.feed("{\"stream\":\"Step 1/2\\n\"}\r\n{\"aux\":{\"ID\":");
  j.feed("\"sha256:abc\"}}\n\nnot json\n{\"error\":\"boom\"}");
  j.finish();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["stream"], "Step 1/2\n");
  EXPECT_EQ(got[1]["aux"]["ID"], "sha256:abc");
  EXPECT_EQ(got[2]["stream"], "not json\n");
  EXPECT_EQ(got[3]["error"], "boom");
}

TEST(LineSplitter, HandlesCrLfAndUnterminatedLastLine) {
  std::vector<std::string> lines;
  LineSplitter s([&](const std::string& l) { lines.push_back(l); });
  s.feed("a\r\nb");
  s.feed("c\nd");
  s.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bc", "d"}));
}

}  // namespace
}  // namespace slipway::engine
