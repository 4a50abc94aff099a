#include "engine/http1.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "support/temp_dir.h"
#include "util/error.h"

namespace slipway::engine {
namespace {

// A one-connection engine on a unix socket: reads the request (head and the body its framing
// announces), keeps it, writes the canned answer in small pieces, then closes (or holds the
// connection open for `hold`).
class FakeEngine {
 public:
  FakeEngine(std::string answer, std::chrono::milliseconds hold = std::chrono::milliseconds(0))
      : path_(dir_.path + "/engine.sock") {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    thread_ = std::thread([this, answer = std::move(answer), hold] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      char buf[4096];
      while (!complete()) {
        ssize_t r = ::recv(fd, buf, sizeof buf, 0);
        if (r <= 0) break;
        request_.append(buf, static_cast<size_t>(r));
      }
      for (size_t i = 0; i < answer.size(); i += 7) {
        ::send(fd, answer.data() + i, std::min<size_t>(7, answer.size() - i), MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      std::this_thread::sleep_for(hold);
      ::close(fd);
    });
  }
  ~FakeEngine() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

  Endpoint endpoint() const { return Endpoint::parse("unix://" + path_); }
  const std::string& request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  bool complete() const {
    size_t head = request_.find("\r\n\r\n");
    if (head == std::string::npos) return false;
    if (request_.find("Transfer-Encoding: chunked") < head) return request_.find("\r\n0\r\n\r\n", head) != std::string::npos;
    size_t cl = request_.find("Content-Length: ");
    if (cl == std::string::npos || cl > head) return true;
    return request_.size() >= head + 4 + std::stoul(request_.substr(cl + 16));
  }

  testsupport::TempDir dir_;
  std::string path_;
  int listener_ = -1;
  std::string request_;
  std::thread thread_;
};

TEST(Http1, SendsAGetAndReadsALengthFramedBody) {
  FakeEngine engine("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}");
  Request r;
  r.target = "/v1.41/containers/json?all=1";
  Response resp = http1_send(engine.endpoint(), 5, r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"a\": true}");
  EXPECT_EQ(resp.headers["content-type"], "application/json");
  const std::string& sent = engine.request();
  EXPECT_EQ(sent.rfind("GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: localhost\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("Content-Length"), std::string::npos) << "a GET carries no length";
}

TEST(Http1, ReadsAChunkedBodyIntoTheSinkAndSkipsInterimAnswers) {
  FakeEngine engine(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
  Request r;
  r.method = "POST";
  r.target = "/build";
  r.body = "{}";
  std::string streamed;
  Response resp = http1_send(engine.endpoint(), 5, r, [&](const char* d, size_t n) {
    streamed.append(d, n);
    return true;
  });
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(streamed, "hello, world");
  EXPECT_EQ(resp.body, "");
  EXPECT_EQ(resp.headers["x-trailer"], "t");
  EXPECT_NE(engine.request().find("Content-Length: 2\r\n\r\n{}"), std::string::npos);
}

TEST(Http1, AnErrorStatusBodyIsCollectedNotStreamed) {
  FakeEngine engine("HTTP/1.1 404 Not Found\r\nContent-Length: 27\r\n\r\n{\"message\":\"No such thing\"}");
  Request r;
  r.target = "/containers/x/json";
  bool sunk = false;
  Response resp = http1_send(engine.endpoint(), 5, r, [&](const char*, size_t) { return sunk = true; });
  EXPECT_EQ(resp.status, 404);
  EXPECT_FALSE(sunk);
  EXPECT_EQ(resp.body, "{\"message\":\"No such thing\"}");
}

TEST(Http1, ABodyEndedByTheConnectionAndASinkThatStops) {
  {
    FakeEngine engine("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    Response resp = http1_send(engine.endpoint(), 5, Request{});
    EXPECT_EQ(resp.body, "until the end");
  }
  FakeEngine engine("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst", std::chrono::milliseconds(3000));
  auto start = std::chrono::steady_clock::now();
  std::string got;
  Response resp = http1_send(engine.endpoint(), 5, Request{}, [&](const char* d, size_t n) {
    got.append(d, n);
    return false;  // enough: the exchange ends without waiting for the rest
  });
  EXPECT_EQ(resp.status, 200);
  EXPECT_FALSE(got.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Http1, SendsAStreamedBodyChunked) {
  FakeEngine engine("HTTP/1.1 204 No Content\r\n\r\n");
  Request r;
  r.method = "PUT";
  r.target = "/containers/x/archive?path=%2F";
  int calls = 0;
  r.reader = [&](char* buf, size_t cap) -> size_t {
    if (calls++ == 2) return 0;
    std::memcpy(buf, "abc", 3);
    return 3;
  };
  Response resp = http1_send(engine.endpoint(), 5, r);
  EXPECT_EQ(resp.status, 204);
  const std::string& sent = engine.request();
  EXPECT_NE(sent.find("Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n"), std::string::npos) << sent;
}

TEST(Http1, ATimeoutAndABrokenResponseNameTheEngineAndTheRequest) {
  {
    FakeEngine engine("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", std::chrono::milliseconds(2500));
    Request r;
    r.target = "/info";
    r.timeout_seconds = 1;
    try {
      http1_send(engine.endpoint(), 5, r);
      FAIL() << "no timeout";
    } catch (const EnvError& e) {
      EXPECT_NE(std::string(e.what()).find("did not answer GET /info within 1 s"), std::string::npos) << e.what();
    }
  }
  FakeEngine engine("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  Request r;
  r.target = "/info";
  try {
    http1_send(engine.endpoint(), 5, r);
    FAIL() << "a short body was accepted";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("(GET /info): the connection closed inside the response body"),
              std::string::npos)
        << e.what();
  }
}

TEST(Http1, NoSocketIsSaidPlainly) {
  testsupport::TempDir dir;
  try {
    http1_send(Endpoint::parse("unix://" + dir.path + "/none.sock"), 5, Request{});
    FAIL() << "connected to nothing";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach the container engine at unix://" + dir.path +
                                         "/none.sock: no such socket"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace slipway::engine
