// The fault relay against a fake engine: a unix-socket server that answers every request
// with "METHOD /path" and echoes raw bytes after an upgrade. The client side is this process
// (the relay never kills its own process, it only drops the request) or a forked child
// (which the relay does kill).
#include "support/fault_relay.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/request_framer.h"

extern char** environ;

namespace slipway::testsupport {
namespace {

int connect_to(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), (ssize_t)s.size());
}

// Reads until `done(text)` or EOF or 20 s without data.
std::string read_until(int fd, const std::function<bool(const std::string&)>& done) {
  std::string text;
  char buf[4096];
  while (!done(text)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20000) <= 0) break;
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) break;
    text.append(buf, static_cast<size_t>(r));
  }
  return text;
}

// Reads `n` complete responses of the fake engine (each has a Content-Length).
std::string read_responses(int fd, int n) {
  return read_until(fd, [n](const std::string& t) {
    int complete = 0;
    size_t at = 0;
    while (complete < n) {
      size_t end = t.find("\r\n\r\n", at);
      if (end == std::string::npos) return false;
      size_t cl = t.find("Content-Length: ", at);
      size_t len = std::stoul(t.substr(cl + 16));
      if (t.size() < end + 4 + len) return false;
      at = end + 4 + len;
      ++complete;
    }
    return true;
  });
}

// A fake engine: answers each request with its "METHOD /path"; after an upgrade request it
// answers 101 and echoes raw bytes until the client half-closes, then writes "bye" and closes.
class FakeEngine {
 public:
  explicit FakeEngine(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("fake engine: cannot listen");
    acceptor_ = std::thread([this] {
      for (;;) {
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::lock_guard lock(mu_);
        clients_.push_back(c);
        threads_.emplace_back([this, c, index = received_.size()] { serve(c, index); });
        received_.emplace_back();
      }
    });
  }
  ~FakeEngine() {
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int c : clients_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : threads_) t.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
    ::unlink(path_.c_str());
  }

  // The bytes each connection received, in the order the connections were accepted.
  std::vector<std::string> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::string all_received() {
    std::string all;
    for (const auto& r : received()) all += r;
    return all;
  }
  // all_received() once it is `want` (or after 20 s): what the relay forwarded may still be on
  // its way when the test looks.
  std::string all_received(const std::string& want) {
    for (int i = 0; i < 2000 && all_received() != want; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return all_received();
  }

 private:
  void serve(int c, size_t index) {
    RequestFramer framer;
    std::string pending, path;
    bool upgraded = false;
    char buf[4096];
    ssize_t r;
    while ((r = ::recv(c, buf, sizeof buf, 0)) > 0) {
      {
        std::lock_guard lock(mu_);
        received_[index].append(buf, static_cast<size_t>(r));
      }
      if (upgraded) {
        ::send(c, buf, static_cast<size_t>(r), MSG_NOSIGNAL);
        continue;
      }
      pending.append(buf, static_cast<size_t>(r));
      for (;;) {
        auto piece = framer.next(pending);
        if (piece.kind == RequestFramer::Kind::need_more || piece.kind == RequestFramer::Kind::error) break;
        if (piece.kind == RequestFramer::Kind::head) path = piece.head.method + " " + piece.head.path();
        pending.erase(0, piece.length);
        if (framer.raw() && !upgraded) {
          std::string answer = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" + pending;
          ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
          upgraded = true;
          break;
        }
        if (framer.between_requests()) {
          std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(path.size()) + "\r\n\r\n" + path;
          ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        }
      }
    }
    if (upgraded) ::send(c, "bye", 3, MSG_NOSIGNAL);
    ::shutdown(c, SHUT_WR);
  }

  std::string path_;
  int fd_ = -1;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::string> received_;
  std::vector<int> clients_;
  std::list<std::thread> threads_;
};

class FaultRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slipway-relay-XXXXXX";
    dir = mkdtemp(tmpl);
    engine = std::make_unique<FakeEngine>(dir + "/engine.sock");
    FaultRelayOptions options;
    options.listen = dir + "/relay.sock";
    options.upstream = dir + "/engine.sock";
    relay = std::make_unique<FaultRelay>(options);
    relay->start();
  }
  void TearDown() override {
    relay.reset();
    engine.reset();
    std::filesystem::remove_all(dir);
  }
  int client() {
    int fd = connect_to(dir + "/relay.sock");
    EXPECT_GE(fd, 0);
    return fd;
  }

  std::string dir;
  std::unique_ptr<FakeEngine> engine;
  std::unique_ptr<FaultRelay> relay;
};

const std::string kVersion = "GET /v1.41/version HTTP/1.1\r\nHost: localhost\r\n\r\n";
const std::string kCreate =
    "POST /v1.41/containers/create?name=web HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "Content-Length: 13\r\n\r\n{\"Image\":\"x\"}";
const std::string kStart = "POST /v1.41/containers/web/start HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n";
const std::string kBuild =
    "POST /v1.41/build?t=img HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
    "4\r\ntar!\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
const std::string kRemove = "DELETE /v1.41/containers/web?force=1 HTTP/1.1\r\nHost: localhost\r\n\r\n";

TEST_F(FaultRelayTest, CountsAndForwardsKeepAliveRequestsByteForByte) {
  int fd = client();
  for (const auto& req : {kVersion, kCreate, kBuild}) {
    // Byte by byte for the chunked one: framing must not depend on how reads split it.
    if (req == kBuild)
      for (char ch : req) send_text(fd, std::string(1, ch));
    else
      send_text(fd, req);
    std::string answer = read_responses(fd, 1);
    EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
  }
  // Pipelined: two requests in one write, two answers.
  send_text(fd, kStart + kRemove);
  std::string answers = read_responses(fd, 2);
  EXPECT_NE(answers.find("POST /v1.41/containers/web/start"), std::string::npos) << answers;
  EXPECT_NE(answers.find("DELETE /v1.41/containers/web"), std::string::npos) << answers;
  ::close(fd);

  EXPECT_EQ(engine->all_received(), kVersion + kCreate + kBuild + kStart + kRemove);
  EXPECT_EQ(engine->received().size(), 1u);  // one connection, kept alive
  EXPECT_EQ(relay->state_changing_count(), 4);
  EXPECT_EQ(relay->forwarded_changes(),
            (std::vector<std::string>{"POST /v1.41/containers/create", "POST /v1.41/build",
                                      "POST /v1.41/containers/web/start", "DELETE /v1.41/containers/web"}));
  auto all = relay->requests();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].str(), "GET /v1.41/version");
  EXPECT_FALSE(all[0].state_changing);
  EXPECT_EQ(all[2].ordinal, 2);
  EXPECT_EQ(all[2].peer, ::getpid());
  EXPECT_FALSE(relay->killed());
}

TEST_F(FaultRelayTest, SeveralConnectionsAtOnceAreNumberedByHeadArrival) {
  int a = client(), b = client();
  send_text(a, kCreate.substr(0, 20));  // an incomplete head is not a request yet
  send_text(b, kStart);
  EXPECT_NE(read_responses(b, 1).find("POST /v1.41/containers/web/start"), std::string::npos);
  send_text(a, kCreate.substr(20));
  EXPECT_NE(read_responses(a, 1).find("POST /v1.41/containers/create"), std::string::npos);
  ::close(a);
  ::close(b);
  EXPECT_EQ(relay->forwarded_changes(),
            (std::vector<std::string>{"POST /v1.41/containers/web/start", "POST /v1.41/containers/create"}));
}

TEST_F(FaultRelayTest, AfterAnUpgradeBytesAreRawBothWaysAndHalfCloseIsPassedOn) {
  int fd = client();
  const std::string body = "{\"Detach\":false}";
  send_text(fd,
            "POST /v1.41/exec/e1/start HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
            "Content-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string head = read_until(fd, [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(head.rfind("HTTP/1.1 101 UPGRADED", 0), 0u) << head;
  // Looks like a request, but it is stdin of the exec: not counted, echoed back.
  send_text(fd, kRemove);
  ::shutdown(fd, SHUT_WR);
  std::string rest = read_until(fd, [](const std::string&) { return false; });  // until EOF
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4) + rest, kRemove + "bye");
  ::close(fd);
  EXPECT_EQ(relay->state_changing_count(), 1);
  EXPECT_EQ(relay->forwarded_changes(), std::vector<std::string>{"POST /v1.41/exec/e1/start"});
}

TEST_F(FaultRelayTest, NeverKillsItsOwnProcessButDropsTheRequest) {
  relay->kill_at(2);
  int fd = client();
  send_text(fd, kCreate);
  EXPECT_NE(read_responses(fd, 1).find("200 OK"), std::string::npos);
  send_text(fd, kVersion + kStart);                          // the GET passes, the start is request 2
  read_until(fd, [](const std::string&) { return false; });  // closed (the GET's answer may be cut off)
  ::close(fd);
  EXPECT_EQ(engine->all_received(kCreate + kVersion), kCreate + kVersion);
  ASSERT_TRUE(relay->killed());
  EXPECT_EQ(relay->held()->str(), "POST /v1.41/containers/web/start");
  EXPECT_EQ(relay->held()->ordinal, 2);
  EXPECT_FALSE(relay->held()->forwarded);

  // Once fired, every later state-changing request is dropped too, until re-armed.
  int again = client();
  send_text(again, kRemove);
  EXPECT_EQ(read_until(again, [](const std::string&) { return false; }), "");
  ::close(again);
  EXPECT_EQ(relay->state_changing_count(), 3);
  relay->reset();
  int plain = client();
  send_text(plain, kRemove);
  EXPECT_NE(read_responses(plain, 1).find("DELETE"), std::string::npos);
  ::close(plain);
  EXPECT_EQ(engine->all_received(kCreate + kVersion + kRemove), kCreate + kVersion + kRemove);
}

// Forks a client that sends `first` (and reads its answer), then `second`, then waits for an
// answer; it exits 3 when the connection closes instead. The relay should kill it first.
pid_t fork_client(const std::string& socket, const std::string& first, const std::string& second,
                  bool own_group = false) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (own_group) ::setpgid(0, 0);
  int fd = connect_to(socket);
  char buf[4096];
  if (fd < 0 || ::send(fd, first.data(), first.size(), MSG_NOSIGNAL) < 0 || ::recv(fd, buf, sizeof buf, 0) <= 0)
    ::_exit(4);
  ::send(fd, second.data(), second.size(), MSG_NOSIGNAL);
  while (::recv(fd, buf, sizeof buf, 0) > 0) {
  }
  ::_exit(3);
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST_F(FaultRelayTest, KillsTheClientBeforeRequestNAndTheEngineNeverSeesIt) {
  relay->kill_at(2);
  pid_t child = fork_client(dir + "/relay.sock", kCreate, kStart);
  int status = wait_status(child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(engine->all_received(), kCreate);
  ASSERT_TRUE(relay->killed());
  EXPECT_EQ(relay->held()->str(), "POST /v1.41/containers/web/start");
  EXPECT_EQ(relay->held()->peer, child);
}

TEST_F(FaultRelayTest, KillsAGivenPidOrTheClientsGroup) {
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    ::pause();
    ::_exit(0);
  }
  relay->kill_at(1, KillTarget::pid, sleeper);
  pid_t child = fork_client(dir + "/relay.sock", kVersion, kCreate);
  int sleeper_status = wait_status(sleeper);
  EXPECT_TRUE(WIFSIGNALED(sleeper_status) && WTERMSIG(sleeper_status) == SIGKILL) << sleeper_status;
  int child_status = wait_status(child);  // not killed: its connection was closed
  EXPECT_TRUE(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 3) << child_status;

  relay->kill_at(1, KillTarget::peer_group);
  pid_t leader = fork_client(dir + "/relay.sock", kVersion, kCreate, /*own_group=*/true);
  int leader_status = wait_status(leader);
  EXPECT_TRUE(WIFSIGNALED(leader_status) && WTERMSIG(leader_status) == SIGKILL) << leader_status;
  EXPECT_EQ(engine->all_received(), kVersion + kVersion);
}

TEST_F(FaultRelayTest, TheExecutableLogsAndKills) {
  relay.reset();
  std::string log = dir + "/log";
  std::vector<std::string> args = {
      SLIPWAY_FAULT_RELAY, "--listen", dir + "/exe.sock", "--upstream", dir + "/engine.sock",
      "--kill-at",         "3",        "--log",           log};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t exe = 0;
  ASSERT_EQ(::posix_spawn(&exe, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  for (int i = 0; i < 2000 && !std::filesystem::exists(dir + "/exe.sock"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  int fd = -1;
  for (int i = 0; i < 100 && fd < 0; ++i) {
    fd = connect_to(dir + "/exe.sock");
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(fd, 0);
  send_text(fd, kCreate + kVersion + kStart);
  EXPECT_NE(read_responses(fd, 3).find("POST /v1.41/containers/web/start"), std::string::npos);
  ::close(fd);
  pid_t child = fork_client(dir + "/exe.sock", kVersion, kRemove);
  int status = wait_status(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  ::kill(exe, SIGTERM);
  int exe_status = wait_status(exe);
  EXPECT_TRUE(WIFEXITED(exe_status) && WEXITSTATUS(exe_status) == 0) << exe_status;
  EXPECT_FALSE(std::filesystem::exists(dir + "/exe.sock"));
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "POST /v1.41/containers/create\nPOST /v1.41/containers/web/start\n! killed " +
                            std::to_string(child) + " before DELETE /v1.41/containers/web\n");
}

}  // namespace
}  // namespace slipway::testsupport
