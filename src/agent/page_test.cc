// The status document rendered: the page (escaped, no external assets), the metrics format,
// and the routes' token rule; collected from a FakeEngine and a RunLog.
#include "agent/page.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/status.h"
#include "engine/fake_engine.h"
#include "plan/labels.h"
#include "util/subprocess.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

class PageTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("slipway-page-" + std::to_string(getpid()));
  engine::FakeEngine engine;
  std::vector<compose::Project> projects;
  std::vector<StackSpec> schedules;
  std::unique_ptr<RunLog> log;
  DefaultSources sources{dir.string()};
  DiskUsage disk;
  RepositoryUsage repository;
  std::unique_ptr<Notifications> notify;

  void SetUp() override {
    fs::remove_all(dir);
    log = std::make_unique<RunLog>(dir.string());
    compose::Project p;
    p.name = "shop<script>";
    p.config_files = {"/srv/shop/compose.yaml"};
    p.model = ojson::parse(R"({"name": "shop", "services": {"web": {"image": "web:1"}}, "volumes": {}})");
    projects.push_back(p);
    schedules.push_back(read_schedule(projects[0]));
    engine.add_image("web:1");
    std::string id = engine.create_container("shop-web-1", {{"Image", "web:1"},
                                                            {"Labels",
                                                             {{plan::label::kProject, "shop<script>"},
                                                              {plan::label::kService, "web"},
                                                              {plan::label::kOneoff, "False"},
                                                              {plan::label::kGeneration, "4"}}}});
    engine.start_container(id);
  }
  void TearDown() override { fs::remove_all(dir); }

  json status(int64_t now = 100000) {
    StatusContext ctx{&projects, &schedules, &engine, log.get(), &sources, &disk, {}, now, now - 60, {}};
    ctx.repository = &repository;
    ctx.notify = notify.get();
    ctx.snapshot.upcoming = {{"shop<script>", "backup", now + 3600}};
    return collect_status(ctx);
  }
};

TEST_F(PageTest, AllGoodPageIsEscapedAndSelfContained) {
  json s = status();
  EXPECT_TRUE(s["ok"].get<bool>()) << s.dump(2);
  EXPECT_EQ(s["stacks"][0]["generation"]["value"]["live"], "4");
  EXPECT_FALSE(s["stacks"][0]["generation"]["available"].get<bool>());
  std::string page = render_page(s);
  EXPECT_NE(page.find("All good"), std::string::npos);
  EXPECT_NE(page.find("shop&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);  // no external asset
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.find("name=viewport"), std::string::npos);
  EXPECT_NE(page.find("in 60 min"), std::string::npos);  // the next backup
  EXPECT_NE(page.find("no generation recorded"), std::string::npos);
}

TEST_F(PageTest, GenerationsShowWhichIsLive) {
  deploy::GenerationStore store(dir.string());
  for (auto [n, st] : std::vector<std::pair<int, const char*>>{{3, "deployed"}, {4, "deployed"}, {5, "rolled-back"}}) {
    deploy::GenerationRecord r;
    r.stack = "shop<script>";
    r.number = n;
    r.status = st;
    r.started = "2026-11-0" + std::to_string(n) + "T10:00:00Z";
    r.git_commit = "0123456789abcdef";
    store.save(r);
  }
  json s = status();
  const json& g = s["stacks"][0]["generation"];
  ASSERT_TRUE(g["available"].get<bool>()) << g.dump(2);
  EXPECT_EQ(g["value"]["live"], "4");
  ASSERT_EQ(g["value"]["generations"].size(), 3u);
  EXPECT_EQ(g["value"]["generations"][0]["generation"], 5);  // newest first
  EXPECT_FALSE(g["value"]["generations"][0]["live"].get<bool>());
  EXPECT_TRUE(g["value"]["generations"][1]["live"].get<bool>());
  std::string page = render_page(s);
  EXPECT_NE(page.find("4 <b>live</b>"), std::string::npos) << page;
  EXPECT_NE(page.find("rolled-back"), std::string::npos);
  EXPECT_NE(page.find("0123456789"), std::string::npos);
}

TEST_F(PageTest, BackupRepositorySizeAndNotificationErrorsAreShown) {
  fs::create_directories(dir / "repo" / "data" / "00");
  std::ofstream(dir / "repo" / "config") << std::string(1000, 'c');
  std::ofstream(dir / "repo" / "data" / "00" / "pack") << std::string(3000, 'd');
  projects[0].model["x-slipway"] = {{"backup", {{"repository", (dir / "repo").string()}}}};
  NotifyConfig config;
  config.webhook = WebhookConfig{"https://ntfy.example.org/alerts?auth=secret", "", {}, 1};
  NotifySenders senders;
  senders.webhook = [](const WebhookConfig&, const NotifyMessage&, const std::string&) {
    return std::string("webhook to https://ntfy.example.org: no answer within 1 s");
  };
  notify = std::make_unique<Notifications>(senders, [](const std::string&) {});
  notify->add_stack("shop<script>", config, *log, {"backup"});
  notify->on_finished("shop<script>", "backup", "failed", "restic: locked", 99000);
  json s = status();
  const json& st = s["stacks"][0];
  ASSERT_TRUE(st.contains("repository")) << st.dump(2);
  EXPECT_EQ(st["repository"].value("bytes", 0), 4000) << st.dump(2);
  EXPECT_EQ(st["repository"].value("how", ""), "directory");
  EXPECT_FALSE(s["ok"].get<bool>());
  EXPECT_NE(st["problems"].dump().find("notification failed: webhook to https://ntfy.example.org: no answer"),
            std::string::npos)
      << st["problems"].dump();
  std::string page = render_page(s);
  EXPECT_NE(page.find("backup repository"), std::string::npos);
  EXPECT_NE(page.find("<h3>Notifications</h3>"), std::string::npos);
  EXPECT_EQ(page.find("secret"), std::string::npos);  // the URL's query is never shown
  std::string metrics = render_metrics(s);
  EXPECT_NE(metrics.find("slipway_repository_bytes{stack=\"shop<script>\"} 4000"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("slipway_notify_ok{stack=\"shop<script>\",channel=\"webhook\"} 0"), std::string::npos);
}

TEST_F(PageTest, FailuresDriftAndUnhealthyNeedAttention) {
  log->finish(log->start("shop<script>", "backup", 1, false, 90000), "failed", 1, "restic: repository locked", "",
              90010);
  json drift = {
      {"clean", false},
      {"findings",
       {{{"kind", "filesystem"}, {"object", "shop-web-1"}, {"detail", "1 path(s)"}, {"action", "recreate"}}}}};
  log->finish(log->start("shop<script>", "drift", 1, false, 90000), "failed", 1, "", drift.dump(), 90001);
  engine.set_health("shop-web-1", "unhealthy");
  json s = status();
  EXPECT_FALSE(s["ok"].get<bool>());
  auto problems = s["stacks"][0]["problems"].dump();
  EXPECT_NE(problems.find("backup failed: restic: repository locked"), std::string::npos) << problems;
  EXPECT_NE(problems.find("drift: filesystem shop-web-1"), std::string::npos) << problems;
  EXPECT_NE(problems.find("shop-web-1 is unhealthy"), std::string::npos) << problems;
  std::string page = render_page(s);
  EXPECT_NE(page.find("Needs attention"), std::string::npos);
  std::string metrics = render_metrics(s);
  EXPECT_NE(metrics.find("slipway_stack_ok{stack=\"shop<script>\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("slipway_job_last_ok{stack=\"shop<script>\",job=\"backup\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("slipway_drift_findings{stack=\"shop<script>\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("slipway_container_up{stack=\"shop<script>\",container=\"shop-web-1\"} 0"), std::string::npos);
}

TEST_F(PageTest, AnEngineThatDoesNotAnswerIsShownNotThrown) {
  engine.die_at(1);
  EXPECT_THROW(engine.create_volume({{"Name", "x"}}), EnvError);  // the fake is now dead for every call
  json s = status();
  EXPECT_FALSE(s["ok"].get<bool>());
  EXPECT_TRUE(s["stacks"][0].contains("engine_error"));
  EXPECT_NE(render_page(s).find("Engine:"), std::string::npos);
}

TEST(Routes, TokenGuardsTheApiNotThePage) {
  int runs = 0;
  auto routes = status_routes(
      [] {
        return json{{"generated", 0}, {"ok", true}, {"agent", {{"uptime_seconds", 1}}}, {"stacks", json::array()}};
      },
      "s3cret",
      [&](const std::string& s, const std::string& j) {
        ++runs;
        return s == "shop" && j == "drift";
      });
  EXPECT_EQ(routes({"GET", "/", "", ""}).status, 200);
  EXPECT_EQ(routes({"GET", "/healthz", "", ""}).status, 200);
  EXPECT_EQ(routes({"GET", "/api/status", "", ""}).status, 401);
  EXPECT_EQ(routes({"GET", "/metrics", "Bearer wrong!", ""}).status, 401);
  EXPECT_EQ(routes({"GET", "/api/status", "Bearer s3cret", ""}).status, 200);
  EXPECT_EQ(routes({"GET", "/metrics", "Bearer s3cret", ""}).status, 200);
  EXPECT_EQ(routes({"POST", "/api/run/shop/drift", "", ""}).status, 401);
  EXPECT_EQ(routes({"POST", "/api/run/shop/drift", "Bearer s3cret", ""}).status, 202);
  EXPECT_EQ(routes({"POST", "/api/run/shop/nosuch", "Bearer s3cret", ""}).status, 404);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(routes({"GET", "/etc/passwd", "", ""}).status, 404);
}

TEST(Routes, TokenMatching) {
  EXPECT_TRUE(token_matches("Bearer abc", "abc"));
  EXPECT_FALSE(token_matches("Bearer abd", "abc"));
  EXPECT_FALSE(token_matches("Bearer ab", "abc"));
  EXPECT_FALSE(token_matches("Basic abc", "abc"));
  EXPECT_FALSE(token_matches("Bearer ", ""));
}

TEST(Listen, Parsing) {
  EXPECT_EQ(parse_listen("127.0.0.1:8477"), (std::pair<std::string, int>{"127.0.0.1", 8477}));
  EXPECT_EQ(parse_listen("[::1]:0"), (std::pair<std::string, int>{"::1", 0}));
  EXPECT_EQ(parse_listen(":9000"), (std::pair<std::string, int>{"127.0.0.1", 9000}));
  EXPECT_THROW(parse_listen("localhost"), UserError);
  EXPECT_THROW(parse_listen("example.org:80"), UserError);
  EXPECT_THROW(parse_listen("127.0.0.1:70000"), UserError);
}

TEST(HttpServerTest, ServesOnAFreePort) {
  HttpServer server("127.0.0.1", 0, [](const HttpRequest& r) {
    return HttpResponse{200, "text/plain", "hi " + r.path};
  });
  EXPECT_GT(server.port(), 0);
  EXPECT_NE(server.url().find("http://127.0.0.1:"), std::string::npos);
  auto r = run_process({"curl", "-sS", "-i", server.url() + "/x"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hi /x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Content-Security-Policy: default-src 'none'"), std::string::npos) << r.out;
  EXPECT_THROW(HttpServer("127.0.0.1", server.port(), nullptr), EnvError);  // the port is taken
}

TEST(HttpServerTest, AnIpv6AddressIsRefusedPlainlyWhenTheServerHasNoIpv6) {
  try {
    HttpServer server("::1", 0, [](const HttpRequest&) { return HttpResponse{}; });
    EXPECT_NE(server.url().find("http://[::1]:"), std::string::npos);  // a civetweb built with IPv6
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("has no IPv6; listen on 127.0.0.1"), std::string::npos) << e.what();
  }
}

TEST(HttpServerTest, StatusHeadersQueryAndFailures) {
  HttpServer server("127.0.0.1", 0, [](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/boom") throw std::runtime_error("kaput");
    if (r.authorization != "Bearer t") return {401, "text/plain", "token needed\n"};
    return {200, "application/json", "{\"path\": \"" + r.path + "\", \"method\": \"" + r.method + "\"}"};
  });
  auto denied = run_process({"curl", "-sS", "-i", server.url() + "/api/status"});
  EXPECT_NE(denied.out.find("HTTP/1.1 401"), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("WWW-Authenticate: Bearer"), std::string::npos) << denied.out;
  auto ok = run_process({"curl", "-sS", "-H", "Authorization: Bearer t", "-X", "POST", server.url() + "/api/run/a/b?x=1"});
  EXPECT_EQ(ok.out, R"({"path": "/api/run/a/b", "method": "POST"})");
  auto head = run_process({"curl", "-sS", "-I", "-H", "Authorization: Bearer t", server.url() + "/"});
  EXPECT_NE(head.out.find("Content-Length: "), std::string::npos) << head.out;
  auto boom = run_process({"curl", "-sS", "-i", server.url() + "/boom"});
  EXPECT_NE(boom.out.find("HTTP/1.1 500"), std::string::npos) << boom.out;
  EXPECT_NE(boom.out.find("internal error: kaput"), std::string::npos) << boom.out;
}

}  // namespace
}  // namespace slipway::agent
