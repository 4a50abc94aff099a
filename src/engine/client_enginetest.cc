// Against the real local engine. Every object carries io.slipway.test=<run id> and is removed
// in TearDown, also when a test fails.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <cstring>
#include <sstream>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include "engine/build_context.h"
#include "engine/client.h"

namespace slipway::engine {
namespace {

std::string run_id() {
  static const std::string id = [] {
    std::random_device rd;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08x%04x", rd(), rd() & 0xffff);
    return std::string(buf);
  }();
  return id;
}

struct TarFile {
  std::string path;
  std::string content;
  unsigned mode = 0644;
};

std::string make_tar(const std::vector<TarFile>& files) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* self, const void* d, size_t n) -> la_ssize_t {
        static_cast<std::string*>(self)->append(static_cast<const char*>(d), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& f : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, f.path.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, f.mode);
    archive_entry_set_size(e, static_cast<la_int64_t>(f.content.size()));
    archive_write_header(a, e);
    archive_write_data(a, f.content.data(), f.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::map<std::string, std::string> read_tar(const std::string& tar) {
  std::map<std::string, std::string> files;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string body;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) body.append(buf, n);
    files[archive_entry_pathname(e)] = body;
  }
  archive_read_free(a);
  return files;
}

BodyReader string_reader(std::string data) {
  auto s = std::make_shared<std::string>(std::move(data));
  auto pos = std::make_shared<size_t>(0);
  return [s, pos](char* buf, size_t cap) {
    size_t k = std::min(cap, s->size() - *pos);
    std::memcpy(buf, s->data() + *pos, k);
    *pos += k;
    return k;
  };
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Client c;
    c.ping();  // fails loudly when no engine answers
    // A tiny image: static busybox on scratch. Built once per run.
    image_ = "slipway-test-busybox:" + run_id();
    char tmpl[] = "/tmp/slipway-bb-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::filesystem::copy_file("/bin/busybox", dir + "/busybox");
    std::ofstream(dir + "/Dockerfile") << "FROM scratch\nCOPY busybox /bin/busybox\n";
    BuildOptions o;
    o.tags = {image_};
    o.labels = {{"io.slipway.test", run_id()}};
    auto ctx = scan_context(dir);
    image_id_ = c.build_image(context_tar_reader(ctx), o);
    std::filesystem::remove_all(dir);
  }

  static void TearDownTestSuite() {
    Client c;
    try {
      for (const auto& img : c.list_images(label_filters({{"io.slipway.test", run_id()}})))
        c.remove_image(img["Id"], true);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: %s\n", e.what());
    }
  }

  void TearDown() override {
    auto f = label_filters({{"io.slipway.test", run_id()}});
    try {
      for (const auto& ct : client.list_containers(f, true)) client.remove_container(ct["Id"], true, true);
      for (const auto& n : client.list_networks(f)) client.remove_network(n["Id"]);
      for (const auto& v : client.list_volumes(f)) client.remove_volume(v["Name"], true);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup: " << e.what();
    }
  }

  std::string name(const std::string& what) {
    static std::atomic<int> n{0};
    return "slipway-test-" + run_id() + "-" + what + "-" + std::to_string(n++);
  }

  json labels() { return {{"io.slipway.test", run_id()}}; }

  std::string container(const std::vector<std::string>& cmd, bool tty = false, const std::string& n = "") {
    json body = {{"Image", image_}, {"Cmd", cmd}, {"Labels", labels()}, {"Tty", tty}};
    return client.create_container(n.empty() ? name("c") : n, body);
  }

  Client client;
  static std::string image_;
  static std::string image_id_;
};
std::string EngineTest::image_;
std::string EngineTest::image_id_;

TEST_F(EngineTest, NegotiatesTheApiVersion) {
  std::string server = client.version()["ApiVersion"];
  std::string used = client.api_version();
  // min(server, newest known): equal here (1.41) and capped at 1.47 on newer engines.
  auto num = [](const std::string& v) { return std::stoi(v.substr(2)); };
  EXPECT_EQ(num(used), std::min(num(server), num(kNewestApiVersion)));
  ClientOptions forced;
  forced.api_version = "1.41";
  Client old(forced);
  EXPECT_EQ(old.api_version(), "1.41");
  EXPECT_TRUE(old.info().contains("Containers"));
}

TEST_F(EngineTest, ContainerLifecycle) {
  std::string n = name("life");
  std::string id = container({"/bin/busybox", "sleep", "30"}, false, n);
  EXPECT_FALSE(id.empty());
  client.start_container(id);
  client.start_container(id);  // already started: fine
  EXPECT_TRUE(client.inspect_container(n)["State"]["Running"].get<bool>());
  client.pause_container(id);
  EXPECT_EQ(client.inspect_container(id)["State"]["Status"], "paused");
  client.unpause_container(id);
  client.rename_container(id, n + "-renamed");
  EXPECT_EQ(client.inspect_container(id)["Name"], "/" + n + "-renamed");
  auto listed = client.list_containers(label_filters({{"io.slipway.test", run_id()}}));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["Id"], id);
  client.stop_container(id, 1);
  client.stop_container(id, 1);               // already stopped: fine
  EXPECT_EQ(client.wait_container(id), 137);  // busybox sleep ignores SIGTERM as PID 1
  client.remove_container(id);
  EXPECT_FALSE(client.find_container(id).has_value());
}

TEST_F(EngineTest, WaitReturnsTheExitCode) {
  std::string id = container({"/bin/busybox", "sh", "-c", "exit 3"});
  client.start_container(id);
  EXPECT_EQ(client.wait_container(id), 3);
}

TEST_F(EngineTest, LogsAreDemultiplexed) {
  std::string id = container({"/bin/busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2"});
  client.start_container(id);
  client.wait_container(id);
  auto logs = client.logs(id);
  EXPECT_EQ(logs.out, "out1\nout2\n");
  EXPECT_EQ(logs.err, "err1\n");
  LogsOptions tail;
  // stdout and stderr are copied independently, so err1 may land after out2 in the log.
  tail.tail = "2";
  tail.stderr_ = false;
  auto last = client.logs(id, tail);
  EXPECT_TRUE(last.out == "out2\n" || last.out == "out1\nout2\n") << last.out;
  EXPECT_EQ(last.err, "");

  std::string tty = container({"/bin/busybox", "sh", "-c", "echo a; echo b >&2"}, true);
  client.start_container(tty);
  client.wait_container(tty);
  auto t = client.logs(tty);
  EXPECT_EQ(t.out, "a\r\nb\r\n");
  EXPECT_EQ(t.err, "");
}

TEST_F(EngineTest, FollowedLogsStreamUntilTheSinkStops) {
  std::string id =
      container({"/bin/busybox", "sh", "-c", "i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done"});
  client.start_container(id);
  LogsOptions o;
  o.follow = true;
  std::string seen;
  client.logs(id, o, [&](StreamKind, const std::string& d) {
    seen += d;
    return seen.find("line3\n") == std::string::npos;
  });
  EXPECT_NE(seen.find("line0\nline1\nline2\nline3\n"), std::string::npos);
}

TEST_F(EngineTest, ExecCapturesOutputAndExitCode) {
  std::string id = container({"/bin/busybox", "sleep", "30"});
  client.start_container(id);
  ExecOptions o;
  o.cmd = {"/bin/busybox", "sh", "-c", "echo hi; echo bad >&2; exit 4"};
  auto r = client.exec(id, o);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "bad\n");

  ExecOptions in;
  in.cmd = {"/bin/busybox", "wc", "-c"};
  in.stdin_data = std::string(200000, 'x');
  auto w = client.exec(id, in);
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_NE(w.out.find("200000"), std::string::npos) << w.out << w.err;

  ExecOptions env;
  env.cmd = {"/bin/busybox", "sh", "-c", "echo $FOO; pwd"};
  env.env = {"FOO=bar baz"};
  env.working_dir = "/bin";
  EXPECT_EQ(client.exec(id, env).out, "bar baz\n/bin\n");
}

TEST_F(EngineTest, ArchivePutAndGet) {
  std::string id = container({"/bin/busybox", "sleep", "30"});
  client.put_archive(id, "/", make_tar({{"etc/hello.txt", "hello\n", 0600}}));
  auto files = read_tar(client.get_archive(id, "/etc/hello.txt"));
  EXPECT_EQ(files["hello.txt"], "hello\n");
  try {
    client.get_archive(id, "/no/such/file");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_TRUE(e.not_found()) << e.what();
  }
}

TEST_F(EngineTest, NetworksAndVolumes) {
  std::string nn = name("net");
  std::string net = client.create_network({{"Name", nn}, {"Driver", "bridge"}, {"Labels", labels()}});
  EXPECT_EQ(client.inspect_network(nn)["Id"], net);
  EXPECT_EQ(client.list_networks(label_filters({{"io.slipway.test", run_id()}})).size(), 1u);
  std::string id = container({"/bin/busybox", "sleep", "30"});
  client.start_container(id);
  client.connect_network(net, id, {{"Aliases", {"web"}}});
  EXPECT_TRUE(client.inspect_container(id)["NetworkSettings"]["Networks"].contains(nn));
  client.disconnect_network(net, id);
  EXPECT_FALSE(client.inspect_container(id)["NetworkSettings"]["Networks"].contains(nn));
  client.remove_network(net);
  EXPECT_FALSE(client.find_network(net).has_value());

  std::string vn = name("vol");
  json v = client.create_volume({{"Name", vn}, {"Labels", labels()}});
  EXPECT_EQ(v["Name"], vn);
  EXPECT_EQ(client.inspect_volume(vn)["Labels"]["io.slipway.test"], run_id());
  EXPECT_EQ(client.list_volumes(label_filters({{"io.slipway.test", run_id()}})).size(), 1u);
  client.remove_volume(vn);
  EXPECT_FALSE(client.find_volume(vn).has_value());
}

TEST_F(EngineTest, ErrorsCarryTheEnginesMessage) {
  try {
    client.inspect_container("slipway-test-does-not-exist-" + run_id());
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_NE(e.engine_message().find("No such container"), std::string::npos) << e.what();
  }
  std::string n = name("dup");
  container({"/bin/busybox", "true"}, false, n);
  try {
    container({"/bin/busybox", "true"}, false, n);
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_TRUE(e.conflict());
    EXPECT_NE(e.engine_message().find("already in use"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(client.find_image("slipway-test-no-such-image:" + run_id()).has_value());
}

TEST_F(EngineTest, BuildHonoursDockerignoreAndReportsBuilderErrors) {
  char tmpl[] = "/tmp/slipway-build-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/Dockerfile") << "FROM " << image_
                                     << "\nCOPY . /ctx/\nRUN [\"/bin/busybox\", \"ls\", \"/ctx\"]\n";
  std::ofstream(dir + "/.dockerignore") << "*.secret\n";
  std::ofstream(dir + "/kept.txt") << "k";
  std::ofstream(dir + "/key.secret") << "s";
  BuildOptions o;
  o.tags = {"slipway-test-built:" + run_id()};
  o.labels = {{"io.slipway.test", run_id()}};
  std::vector<std::string> lines;
  std::string id =
      client.build_image(context_tar_reader(scan_context(dir)), o, [&](const std::string& l) { lines.push_back(l); });
  EXPECT_EQ(id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(client.inspect_image(o.tags[0])["Id"], id);
  std::string all;
  for (auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("kept.txt"), std::string::npos) << all;
  EXPECT_EQ(all.find("key.secret"), std::string::npos) << all;

  std::ofstream(dir + "/Dockerfile", std::ios::trunc) << "FROM " << image_ << "\nRUN [\"/bin/busybox\", \"false\"]\n";
  try {
    client.build_image(context_tar_reader(scan_context(dir)), o);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_NE(e.engine_message().find("returned a non-zero code: 1"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST_F(EngineTest, ImportTurnsARootfsTarIntoAnImage) {
  std::string tar = make_tar({{"bin/busybox", slurp("/bin/busybox"), 0755}, {"etc/os-release", "ID=test\n"}});
  std::string repo = "slipway-test-imported";
  std::string id = client.import_image(string_reader(tar), repo, run_id(),
                                       {"LABEL io.slipway.test=" + run_id(), "CMD [\"/bin/busybox\", \"sh\"]"});
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  json img = client.inspect_image(repo + ":" + run_id());
  EXPECT_EQ(img["Config"]["Labels"]["io.slipway.test"], run_id());
  std::string c = client.create_container(
      name("imp"),
      {{"Image", repo + ":" + run_id()}, {"Cmd", {"/bin/busybox", "cat", "/etc/os-release"}}, {"Labels", labels()}});
  client.start_container(c);
  client.wait_container(c);
  EXPECT_EQ(client.logs(c).out, "ID=test\n");
}

TEST_F(EngineTest, EventsStreamWithFilters) {
  std::string n = name("ev");
  std::atomic<bool> seen{false};
  auto since = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
      1);
  std::thread creator([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    container({"/bin/busybox", "true"}, false, n);
  });
  EventsOptions o;
  o.since = since;
  o.filters = label_filters({{"io.slipway.test", run_id()}});
  o.filters["type"] = {"container"};
  client.events(o, [&](const json& e) {
    if (e.value("Action", "") == "create" && e["Actor"]["Attributes"].value("name", "") == n) seen = true;
    return !seen;
  });
  creator.join();
  EXPECT_TRUE(seen);
}

// Forwards 127.0.0.1:<port> to the engine's unix socket, so the tcp:// transport (including the
// upgraded exec connection and its half-close) is exercised against the real engine.
class TcpProxy {
 public:
  TcpProxy() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, 16);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(listen_fd_, nullptr, nullptr);
        if (c < 0) return;
        std::thread(pump, c).detach();
      }
    });
  }
  ~TcpProxy() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  static void pump(int client) {
    int engine = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un ua{};
    ua.sun_family = AF_UNIX;
    std::strcpy(ua.sun_path, "/var/run/docker.sock");
    if (::connect(engine, reinterpret_cast<sockaddr*>(&ua), sizeof ua) != 0) {
      ::close(client);
      ::close(engine);
      return;
    }
    bool open[2] = {true, true};  // client->engine, engine->client
    char buf[65536];
    while (open[0] || open[1]) {
      pollfd p[2] = {{client, static_cast<short>(open[0] ? POLLIN : 0), 0},
                     {engine, static_cast<short>(open[1] ? POLLIN : 0), 0}};
      if (::poll(p, 2, 10000) <= 0) break;
      for (int i = 0; i < 2; ++i) {
        if (!open[i] || !p[i].revents) continue;
        int from = i == 0 ? client : engine, to = i == 0 ? engine : client;
        ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0) {
          open[i] = false;
          ::shutdown(to, SHUT_WR);
        } else if (::send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) {
          open[0] = open[1] = false;
        }
      }
    }
    ::close(client);
    ::close(engine);
  }
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(EngineTest, TcpEndpointSpeaksTheSameApi) {
  TcpProxy proxy;
  ClientOptions o;
  o.host = "tcp://127.0.0.1:" + std::to_string(proxy.port());
  Client tcp(o);
  tcp.ping();
  EXPECT_EQ(tcp.api_version(), client.api_version());
  std::string id = container({"/bin/busybox", "sleep", "30"});
  tcp.start_container(id);
  ExecOptions e;
  e.cmd = {"/bin/busybox", "wc", "-c"};
  e.stdin_data = std::string(100000, 'y');
  auto r = tcp.exec(id, e);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("100000"), std::string::npos) << r.out << r.err;
  EXPECT_TRUE(tcp.find_container(id).has_value());
}

}  // namespace
}  // namespace slipway::engine
