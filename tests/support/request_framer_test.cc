#include "support/request_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slipway::testsupport {
namespace {

// Feeds `stream` in pieces of `step` bytes (as a socket might deliver it) and returns what
// the framer made of it: "HEAD METHOD /path" for each head and "BYTES n" for each run of
// body bytes, merged, so the result does not depend on `step`.
std::vector<std::string> frame(const std::string& stream, size_t step, bool* raw = nullptr) {
  RequestFramer framer;
  std::vector<std::string> out;
  std::string pending;
  size_t bytes = 0;
  auto flush = [&] {
    if (bytes) out.push_back("BYTES " + std::to_string(bytes));
    bytes = 0;
  };
  for (size_t off = 0; off < stream.size(); off += step) {
    pending += stream.substr(off, step);
    for (;;) {
      auto piece = framer.next(pending);
      if (piece.kind == RequestFramer::Kind::need_more) break;
      if (piece.kind == RequestFramer::Kind::error) {
        flush();
        out.push_back("ERROR " + piece.error);
        return out;
      }
      if (piece.kind == RequestFramer::Kind::head) {
        flush();
        out.push_back("HEAD " + piece.head.method + " " + piece.head.path());
      } else {
        bytes += piece.length;
      }
      pending.erase(0, piece.length);
    }
  }
  flush();
  if (raw) *raw = framer.raw();
  EXPECT_TRUE(pending.empty()) << "left over: " << pending;
  return out;
}

using Lines = std::vector<std::string>;

TEST(RequestFramer, KeepAliveRequestsWithAndWithoutBodies) {
  std::string stream =
      "GET /v1.41/version HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "POST /v1.41/containers/create?name=web HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}"
      "DELETE /v1.41/containers/x?force=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
      "POST /v1.41/containers/x/start HTTP/1.1\r\n\r\n";
  Lines want = {"HEAD GET /v1.41/version", "HEAD POST /v1.41/containers/create", "BYTES 11",
                "HEAD DELETE /v1.41/containers/x", "HEAD POST /v1.41/containers/x/start"};
  for (size_t step : {1, 3, 7, 64, 4096}) EXPECT_EQ(frame(stream, step), want) << "step " << step;
}

TEST(RequestFramer, ChunkedBodyWithExtensionsAndTrailer) {
  std::string body = "5;name=v\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";
  std::string stream = "POST /v1.41/build HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body +
                       "GET /v1.41/images/json HTTP/1.1\r\n\r\n";
  Lines want = {"HEAD POST /v1.41/build", "BYTES " + std::to_string(body.size()), "HEAD GET /v1.41/images/json"};
  for (size_t step : {1, 2, 5, 4096}) EXPECT_EQ(frame(stream, step), want) << "step " << step;
}

TEST(RequestFramer, ChunkedWinsOverContentLength) {
  std::string stream = "PUT /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(frame(stream, 4096), (Lines{"HEAD PUT /x", "BYTES 5"}));
}

TEST(RequestFramer, UpgradeMakesTheRestRaw) {
  std::string stream =
      "POST /v1.41/exec/e/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}"
      "POST /looks/like/http HTTP/1.1\r\n\r\nanything";
  bool raw = false;
  EXPECT_EQ(frame(stream, 5, &raw), (Lines{"HEAD POST /v1.41/exec/e/start", "BYTES 44"}));
  EXPECT_TRUE(raw);
  // "Connection: keep-alive" without an Upgrade header is plain HTTP.
  std::string plain = "POST /a HTTP/1.1\r\nConnection: keep-alive\r\n\r\nPOST /b HTTP/1.1\r\n\r\n";
  EXPECT_EQ(frame(plain, 4096, &raw), (Lines{"HEAD POST /a", "HEAD POST /b"}));
  EXPECT_FALSE(raw);
}

TEST(RequestFramer, StateChangingMethods) {
  RequestHead h;
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) {
    h.method = m;
    EXPECT_TRUE(h.state_changing()) << m;
  }
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) {
    h.method = m;
    EXPECT_FALSE(h.state_changing()) << m;
  }
  h.target = "/v1.41/containers/create?name=a&b=c";
  EXPECT_EQ(h.path(), "/v1.41/containers/create");
}

TEST(RequestFramer, RefusesWhatIsNotHttp) {
  EXPECT_EQ(frame("\x16\x03\x01 binary\r\n\r\n", 4096).back().rfind("ERROR not an HTTP/1.x request line", 0), 0u);
  EXPECT_EQ(frame("get / HTTP/1.1\r\n\r\n", 4096).back().rfind("ERROR not an HTTP method", 0), 0u);
  EXPECT_EQ(frame("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 4096).back().rfind("ERROR a Content-Length", 0), 0u);
  EXPECT_EQ(frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 4096).back().rfind("ERROR a chunk", 0),
            0u);
  EXPECT_EQ(frame("POST / HTTP/1.1\r\nno colon\r\n\r\n", 4096).back().rfind("ERROR a header line", 0), 0u);
  RequestFramer framer;
  EXPECT_EQ(framer.next(std::string(RequestFramer::kMaxHeadBytes + 1, 'a')).kind, RequestFramer::Kind::error);
}

}  // namespace
}  // namespace slipway::testsupport
