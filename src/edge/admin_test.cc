// The admin client against a small HTTP server on a unix socket that plays Caddy's part: it
// records each request and answers from a script.
#include "edge/admin.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace slipway::edge {
namespace {

struct Seen {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string raw_head;
};

struct Reply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

class FakeCaddy {
 public:
  using Handler = std::function<Reply(const Seen&)>;

  explicit FakeCaddy(Handler handler) : handler_(std::move(handler)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("slipway-admin-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "admin.sock").string();
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("fake caddy: cannot listen");
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeCaddy() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  const std::string& socket_path() const { return path_; }
  std::vector<Seen> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      handle(c);
      ::close(c);
    }
  }

  void handle(int c) {
    std::string data;
    char buf[4096];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = ::recv(c, buf, sizeof buf, 0);
      if (r <= 0) return;
      data.append(buf, static_cast<size_t>(r));
    }
    Seen s;
    s.raw_head = data.substr(0, head_end);
    std::istringstream lines(s.raw_head);
    std::string line;
    std::getline(lines, line);
    std::istringstream first(line);
    first >> s.method >> s.path;
    size_t length = 0;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      s.headers[name] = value;
      if (name == "content-length") length = std::stoul(value);
    }
    s.body = data.substr(head_end + 4);
    while (s.body.size() < length) {
      ssize_t r = ::recv(c, buf, sizeof buf, 0);
      if (r <= 0) break;
      s.body.append(buf, static_cast<size_t>(r));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(s);
    }
    Reply reply = handler_(s);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                      " X\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n";
    for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
    out += "\r\n" + reply.body;
    ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
  }

  static inline std::atomic<int> counter_{0};
  Handler handler_;
  std::filesystem::path dir_;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

Routing routing() {
  ojson model = ojson::parse(R"({"services": {"web": {}, "api": {}},
    "x-slipway": {"routes": {"a.test": "web:8000", "a.test/api": "api:9000"}}})");
  return parse_routing(model, fixed_locator());
}

// The front, running `config` (what GET /config/ answers); POST /load succeeds.
FakeCaddy::Handler front_running(const json& config) {
  return [config](const Seen& s) { return s.method == "GET" ? Reply{200, config.dump(), {}} : Reply{200, "", {}}; };
}

TEST(Admin, SendsAnEmptyHostHeaderAsCaddyWantsOnAUnixSocket) {
  FakeCaddy caddy([](const Seen&) { return Reply{200, "{}", {}}; });
  Admin(caddy.socket_path()).current_config();
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, "/config/");
  ASSERT_TRUE(seen[0].headers.count("host"));
  EXPECT_EQ(seen[0].headers["host"], "");
}

TEST(Admin, ApplyRoutesLoadsTheWholeConfigInOneCallKeepingLiveUpstreams) {
  json running = back_config(routing(), {{"route:a.test", {"g7-web-1:8000"}}});
  json& routes = running["apps"]["http"]["servers"]["https"]["routes"];
  for (size_t i = 0; i < routes.size(); ++i)
    if (routes[i].value("@id", "") == "route:a.test:api") routes.erase(i);  // the edge lacks the api route
  FakeCaddy caddy([&](const Seen& s) {
    return s.method == "GET" ? Reply{200, running.dump(), {}} : Reply{200, "", {}};
  });
  FakeCaddy front(front_running(front_config(routing())));
  Admin admin(caddy.socket_path(), front.socket_path());
  json loaded = admin.apply_routes(routing());
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/config/");
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].path, "/load");
  EXPECT_EQ(seen[1].headers["content-type"], "application/json");
  EXPECT_EQ(json::parse(seen[1].body), loaded);
  // The switched route keeps its generation; the other one gets the service name.
  UpstreamMap live = live_upstreams(loaded);
  EXPECT_EQ(live["route:a.test"], std::vector<std::string>{"g7-web-1:8000"});
  EXPECT_EQ(live["route:a.test:api"], std::vector<std::string>{"api:9000"});
}

// Each change reloads Caddy and replaces its listening sockets (admin.h): the same routes
// again, holders included, must not cost a reload.
TEST(Admin, ApplyRoutesLoadsNothingWhenTheEdgeRunsThatConfigAlready) {
  json running = back_config(routing(), {{"route:a.test", {"g7-web-1:8000"}}}, {{"route:a.test", {"g6-web-1:8000"}}});
  FakeCaddy caddy([&](const Seen& s) {
    return s.method == "GET" ? Reply{200, running.dump(), {}} : Reply{200, "", {}};
  });
  FakeCaddy front(front_running(front_config(routing())));
  json loaded = Admin(caddy.socket_path(), front.socket_path()).apply_routes(routing());
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  ASSERT_EQ(front.requests().size(), 1u);  // the front is read, not reloaded
  EXPECT_EQ(front.requests()[0].method, "GET");
  EXPECT_EQ(loaded, running);
  EXPECT_EQ(held_upstreams(loaded)["route:a.test"], std::vector<std::string>{"g6-web-1:8000"});
}

TEST(Admin, ApplyRoutesSwitchesSeveralRoutesInOneLoadHoldingWhatTheyServed) {
  json running = back_config(routing(), {{"route:a.test", {"blue:80"}}});
  FakeCaddy caddy([&](const Seen& s) {
    return s.method == "GET" ? Reply{200, running.dump(), {}} : Reply{200, "", {}};
  });
  FakeCaddy front(front_running(front_config(routing())));
  json loaded = Admin(caddy.socket_path(), front.socket_path())
                    .apply_routes(routing(), {{"route:a.test", {"green:80"}}, {"route:a.test:api", {"api-2:9000"}}});
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 2u);
  // A switch reloads the back only: the front's config does not name upstreams.
  ASSERT_EQ(front.requests().size(), 1u);
  EXPECT_EQ(front.requests()[0].method, "GET");
  EXPECT_EQ(seen[1].path, "/load");
  EXPECT_EQ(live_upstreams(loaded)["route:a.test"], std::vector<std::string>{"green:80"});
  EXPECT_EQ(held_upstreams(loaded)["route:a.test"], std::vector<std::string>{"blue:80"});
  EXPECT_EQ(live_upstreams(loaded)["route:a.test:api"], std::vector<std::string>{"api-2:9000"});
  EXPECT_EQ(held_upstreams(loaded)["route:a.test:api"], std::vector<std::string>{"api:9000"});
}

TEST(Admin, ApplyRoutesWithoutKeepLiveResetsToTheDeclaredServices) {
  FakeCaddy caddy([](const Seen&) { return Reply{200, "", {}}; });
  FakeCaddy front(front_running(front_config(routing())));
  json loaded =
      Admin(caddy.socket_path(), front.socket_path()).apply_routes(routing(), {{"route:a.test:api", {"x:1"}}}, false);
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 1u);  // no GET: nothing is kept
  UpstreamMap live = live_upstreams(loaded);
  EXPECT_EQ(live["route:a.test"], std::vector<std::string>{"web:8000"});
  EXPECT_EQ(live["route:a.test:api"], std::vector<std::string>{"x:1"});
}

TEST(Admin, ApplyRoutesLoadsTheFrontWhenItsHostsChangeAfterTheBack) {
  std::vector<std::string> order;
  std::mutex mu;
  auto record = [&](const std::string& who, const Seen& s) {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(who + " " + s.method);
  };
  FakeCaddy caddy([&](const Seen& s) {
    record("back", s);
    return s.method == "GET" ? Reply{200, "{}", {}} : Reply{200, "", {}};
  });
  FakeCaddy front([&](const Seen& s) {
    record("front", s);
    return s.method == "GET" ? Reply{200, "{}", {}} : Reply{200, "", {}};
  });
  Admin(caddy.socket_path(), front.socket_path()).apply_routes(routing());
  // The back has the routes before the front forwards their hosts.
  EXPECT_EQ(order, (std::vector<std::string>{"back GET", "back POST", "front GET", "front POST"}));
  ASSERT_EQ(front.requests().size(), 2u);
  EXPECT_EQ(front.requests()[1].path, "/load");
  EXPECT_EQ(json::parse(front.requests()[1].body), front_config(routing()));
}

TEST(Admin, ApplyRoutesNeedsTheFrontsSocket) {
  EXPECT_THROW(Admin("/nonexistent/admin.sock").apply_routes(routing()), std::logic_error);
}

TEST(Admin, SwitchIsOnePatchGuardedByTheEtagAndKeepsThePreviousUpstreams) {
  json handle = route_handlers({"blue:80"});
  FakeCaddy caddy([&](const Seen& s) {
    if (s.method == "GET") return Reply{200, handle.dump(), {{"Etag", "\"/config/apps/x/handle 1a2b\""}}};
    return Reply{200, "", {}};
  });
  Admin(caddy.socket_path()).switch_upstreams("route:a.test:api", {"green-1:80", "green-2:80"});
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, "/id/route%3Aa.test%3Aapi/handle");
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_EQ(seen[1].path, "/id/route%3Aa.test%3Aapi/handle");
  EXPECT_EQ(seen[1].headers["if-match"], "\"/config/apps/x/handle 1a2b\"");
  EXPECT_EQ(json::parse(seen[1].body), route_handlers({"green-1:80", "green-2:80"}, {"blue:80"}));
}

TEST(Admin, SwitchToWhatServesAlreadyAddsNoHolder) {
  json handle = route_handlers({"blue:80"}, {"old:80"});
  FakeCaddy caddy([&](const Seen& s) {
    return s.method == "GET" ? Reply{200, handle.dump(), {}} : Reply{200, "", {}};
  });
  Admin(caddy.socket_path()).switch_upstreams("r", {"blue:80"});
  auto seen = caddy.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].headers.count("if-match"));  // no ETag offered, none sent
  EXPECT_EQ(json::parse(seen[1].body), route_handlers({"blue:80"}));
}

TEST(Admin, SwitchReportsCaddysRefusals) {
  std::atomic<int> status{404};
  FakeCaddy caddy([&](const Seen& s) {
    if (s.method == "GET" && status == 404) return Reply{404, R"({"error":"unknown object ID 'r'"})", {}};
    if (s.method == "GET") return Reply{200, route_handlers({"a:1"}).dump(), {{"Etag", "\"/p 1\""}}};
    return Reply{412, R"({"error":"If-Match header did not match current config hash"})", {}};
  });
  Admin admin(caddy.socket_path());
  try {
    admin.switch_upstreams("r", {"b:1"});
    FAIL() << "no error";
  } catch (const AdminError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_STREQ(e.what(), "switching route r: the edge answered 404: unknown object ID 'r'");
  }
  status = 200;
  try {
    admin.switch_upstreams("r", {"b:1"});
    FAIL() << "no error";
  } catch (const AdminError& e) {
    EXPECT_EQ(e.status(), 412);
    EXPECT_NE(std::string(e.what()).find("someone else changed the route meanwhile"), std::string::npos);
  }
}

TEST(Admin, SwitchRejectsBadUpstreamsBeforeAsking) {
  FakeCaddy caddy([](const Seen&) { return Reply{200, "[]", {}}; });
  Admin admin(caddy.socket_path());
  EXPECT_THROW(admin.switch_upstreams("r", {}), UserError);
  EXPECT_THROW(admin.switch_upstreams("r", {"nohost"}), UserError);
  EXPECT_THROW(admin.switch_upstreams("r", {"host:"}), UserError);
  EXPECT_TRUE(caddy.requests().empty());
}

TEST(Admin, InFlightSumsTheUpstreamPool) {
  FakeCaddy caddy([](const Seen&) {
    return Reply{200,
                 R"([{"address":"a:80","num_requests":2,"fails":0},{"address":"b:80","num_requests":0,"fails":1},
                    {"address":"a:80","num_requests":1,"fails":0}])",
                 {}};
  });
  Admin admin(caddy.socket_path());
  EXPECT_EQ(admin.in_flight("a:80"), 3);
  EXPECT_EQ(admin.in_flight("b:80"), 0);
  EXPECT_EQ(admin.in_flight("unknown:80"), 0);
  auto status = admin.upstream_status();
  ASSERT_EQ(status.size(), 3u);
  EXPECT_EQ(status[1].fails, 1);
  EXPECT_EQ(caddy.requests()[0].path, "/reverse_proxy/upstreams");
}

TEST(Admin, WaitDrainedPollsUntilZero) {
  std::atomic<int> calls{0};
  FakeCaddy caddy([&](const Seen&) {
    int n = ++calls < 3 ? 1 : 0;
    return Reply{200, R"([{"address":"a:80","num_requests":)" + std::to_string(n) + "}]", {}};
  });
  Admin admin(caddy.socket_path());
  EXPECT_TRUE(admin.wait_drained({"a:80"}, std::chrono::seconds(10), std::chrono::milliseconds(1)));
  EXPECT_EQ(calls.load(), 3);
}

TEST(Admin, WaitDrainedGivesUpAtTheTimeout) {
  FakeCaddy caddy([&](const Seen&) { return Reply{200, R"([{"address":"a:80","num_requests":1}])", {}}; });
  EXPECT_FALSE(
      Admin(caddy.socket_path()).wait_drained({"a:80"}, std::chrono::milliseconds(50), std::chrono::milliseconds(5)));
}

TEST(Admin, LoadErrorsQuoteCaddy) {
  FakeCaddy caddy([](const Seen&) { return Reply{400, R"({"error":"loading config: bad thing"})", {}}; });
  try {
    Admin(caddy.socket_path()).load(json::object());
    FAIL() << "no error";
  } catch (const AdminError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_STREQ(e.what(), "loading the edge's config: the edge answered 400: loading config: bad thing");
  }
}

TEST(Admin, InternalCaRootComesFromTheFrontWhichHoldsTls) {
  FakeCaddy back([](const Seen&) { return Reply{200, R"({"id":"local","root_certificate":"BACK"})", {}}; });
  FakeCaddy front([](const Seen&) { return Reply{200, R"({"id":"local","root_certificate":"PEM"})", {}}; });
  EXPECT_EQ(Admin(back.socket_path(), front.socket_path()).internal_ca_root(), "PEM");
  ASSERT_EQ(front.requests().size(), 1u);
  EXPECT_EQ(front.requests()[0].path, "/pki/ca/local");
  EXPECT_TRUE(back.requests().empty());
}

TEST(Admin, NothingListeningIsAnEnvErrorNamingTheSocket) {
  try {
    Admin("/nonexistent/slipway/admin.sock").current_config();
    FAIL() << "no error";
  } catch (const AdminError&) {
    FAIL() << "not an answer";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach the edge's admin API at unix:///nonexistent/slipway/admin.sock: "
                                         "no such socket"),
              std::string::npos)
        << e.what();
  }
}

TEST(Admin, WaitReadyTimesOutWithTheLastReason) {
  auto started = std::chrono::steady_clock::now();
  try {
    Admin("/nonexistent/admin.sock").wait_ready(std::chrono::milliseconds(300));
    FAIL() << "no error";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("did not come up"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("no such socket"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(Admin, WaitReadyWaitsForTheFrontToo) {
  FakeCaddy caddy([](const Seen&) { return Reply{200, "{}", {}}; });
  try {
    Admin(caddy.socket_path(), "/nonexistent/front.sock").wait_ready(std::chrono::milliseconds(300));
    FAIL() << "ready without the front";
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/front.sock"), std::string::npos) << e.what();
  }
  FakeCaddy front([](const Seen&) { return Reply{200, "{}", {}}; });
  Admin(caddy.socket_path(), front.socket_path()).wait_ready(std::chrono::seconds(10));
}

TEST(Admin, WaitReadyStopsWhenTheContainerDied) {
  int checks = 0;
  EXPECT_THROW(Admin("/nonexistent/admin.sock")
                   .wait_ready(std::chrono::minutes(5),
                               [&] {
                                 if (++checks == 2) throw EnvError("the edge container stopped");
                               }),
               EnvError);
  EXPECT_EQ(checks, 2);
}

TEST(AdminHttp, PathSegmentsArePercentEncoded) {
  EXPECT_EQ(path_segment("route:[::1]:a~b_c.d-e/f"), "route%3A%5B%3A%3A1%5D%3Aa~b_c.d-e%2Ff");
  EXPECT_EQ(path_segment("route:*.example.org"), "route%3A%2A.example.org");
}

}  // namespace
}  // namespace slipway::edge
