#include "agent/edge_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "agent/http_server.h"
#include "util/error.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// One GET over the unix socket `path`; the whole answer, or "" when nobody listens.
std::string get_over(const std::string& path, const std::string& target = "/") {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "";
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: status.example.org\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

bool eventually(const std::function<bool()>& ok, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return ok();
}

class EdgeSocketTest : public ::testing::Test {
 protected:
  // One page server for the suite: stopping civetweb takes up to 2 s.
  static void SetUpTestSuite() {
    server_ = new HttpServer("127.0.0.1", 0, [](const HttpRequest& r) {
      return HttpResponse{200, "text/plain", "page of shop for " + r.remote + " at " + r.path + "\n"};
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("slipway-edge-socket-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "edge" / "shop");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string path(const std::string& project) { return edge_socket_path(root_.string(), project); }
  fs::path root_;
  static inline HttpServer* server_ = nullptr;
  std::vector<std::string> log_;
};

TEST_F(EdgeSocketTest, RelaysTheAgentsPageOverTheSocketInTheEdgeDirectory) {
  EXPECT_EQ(path("shop"), root_.string() + "/edge/shop/agent.sock");
  {
    EdgeSocketRelay relay({path("shop")}, "127.0.0.1", server_->port(), [&](const std::string& l) { log_.push_back(l); });
    struct stat st;
    ASSERT_EQ(::stat(path("shop").c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0666u) << "the edge's Caddy runs as its own uid; the directories are the gate";
    for (int i = 0; i < 3; ++i) {
      std::string answer = get_over(path("shop"), "/api/status");
      EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
      // The agent sees a loopback peer: its token rules apply unchanged.
      EXPECT_NE(answer.find("page of shop for 127.0.0.1 at /api/status"), std::string::npos) << answer;
    }
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_EQ(log_[0], "serving the status page to the edge on " + path("shop"));
  }
  EXPECT_FALSE(fs::exists(path("shop"))) << "the relay removes its socket when it stops";
}

TEST_F(EdgeSocketTest, WaitsForTheEdgesDirectoryAndPutsARemovedSocketBack) {
  EdgeSocketRelay relay({path("later")}, "0.0.0.0", server_->port(), [&](const std::string& l) { log_.push_back(l); },
                        100);
  EXPECT_FALSE(fs::exists(root_ / "edge" / "later")) << "the relay never makes the edge's directory";
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("no such directory yet"), std::string::npos) << log_[0];
  fs::create_directories(root_ / "edge" / "later");
  EXPECT_TRUE(eventually([&] { return get_over(path("later")).find("page of shop") != std::string::npos; }));
  // `slipway down` removes the directory, the next deploy makes it again.
  fs::remove_all(root_ / "edge" / "later");
  fs::create_directories(root_ / "edge" / "later");
  EXPECT_TRUE(eventually([&] { return get_over(path("later")).find("page of shop") != std::string::npos; }));
}

TEST_F(EdgeSocketTest, LeavesASocketAnotherAgentServesAndReplacesAStaleOne) {
  EdgeSocketRelay first({path("shop")}, "127.0.0.1", server_->port(), [](const std::string&) {});
  EdgeSocketRelay second({path("shop")}, "127.0.0.1", server_->port(), [&](const std::string& l) { log_.push_back(l); });
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("another process serves this socket"), std::string::npos) << log_[0];
  EXPECT_NE(get_over(path("shop")).find("page of shop"), std::string::npos);

  // A socket file nobody listens on (an agent that was killed) is replaced.
  fs::create_directories(root_ / "edge" / "stale");
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path("stale").c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);
  }
  EdgeSocketRelay third({path("stale")}, "127.0.0.1", server_->port(), [](const std::string&) {});
  EXPECT_NE(get_over(path("stale")).find("page of shop"), std::string::npos);
}

TEST_F(EdgeSocketTest, APathTooLongForAUnixSocketIsAnEnvError) {
  EXPECT_THROW(EdgeSocketRelay({root_.string() + "/" + std::string(120, 'x') + "/agent.sock"}, "127.0.0.1",
                               server_->port(), [](const std::string&) {}),
               EnvError);
}

}  // namespace
}  // namespace slipway::agent
