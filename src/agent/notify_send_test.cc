// Notifications delivered for real, to servers this test starts (tests/support/notify_sink.py):
// an SMTP sink (Debian's python3-aiosmtpd) that requires STARTTLS and AUTH, and an HTTP
// receiver. Mail with AUTH PLAIN and LOGIN, the webhook's ntfy/Gotify payload and token, pings
// and /fail; an unreachable SMTP server, a wrong password and a webhook that times out give
// one-line errors without secrets; and the agent reports them and keeps running its jobs.
#include "agent/notify_send.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "agent/agent.h"
#include "agent/notify.h"
#include "agent/notify_child.h"
#include "util/subprocess.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kPassword = "pa55-w0rd-never-logged";

// The sink, its certificate (for 127.0.0.1) and what it received; one for all the tests here.
class Sink {
 public:
  Sink() {
    dir_ = fs::temp_directory_path() / ("slipway-notify-sink-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
    auto cert = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key(), "-out",
                             ca(), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    if (cert.exit_code != 0) throw std::runtime_error("openssl: " + cert.err);
    thread_ = std::thread([this] {
      SubprocessOptions o;
      o.on_stdout = [this](const std::string& chunk) {
        std::lock_guard lock(mutex_);
        ready_ += chunk;
      };
      o.should_stop = [this] { return stop_.load(); };
      o.stop_grace_seconds = 2;
      result_ = run_process({"/usr/bin/python3", std::string(SLIPWAY_SOURCE_DIR) + "/tests/support/notify_sink.py",
                             (dir_ / "out").string(), ca(), key(), "slipway", kPassword},
                            o);
      std::lock_guard lock(mutex_);
      exited_ = true;
    });
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (ready_.find('\n') != std::string::npos || exited_) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard lock(mutex_);
    if (std::sscanf(ready_.c_str(), "ready %d %d", &smtp_port_, &http_port_) != 2)
      throw std::runtime_error("the sink did not start (is python3-aiosmtpd installed? scripts/setup): " +
                               result_.err);
  }
  ~Sink() {
    stop_ = true;
    thread_.join();
    fs::remove_all(dir_);
  }
  std::string ca() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }
  std::string smtp() const { return "smtp://127.0.0.1:" + std::to_string(smtp_port_); }
  std::string http(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http_port_) + path; }
  std::string password_file() const {
    std::string f = (dir_ / "smtp-password").string();
    std::ofstream(f) << kPassword << "\n";
    return f;
  }
  // What arrived, by kind ("mail", "hook", "ping"), in order; removed once read.
  std::vector<json> take(const std::string& kind) {
    std::vector<std::pair<int, json>> found;
    for (const auto& e : fs::directory_iterator(dir_ / "out")) {
      std::string name = e.path().filename().string();
      if (name.rfind(kind + "-", 0) != 0 || e.path().extension() != ".json") continue;
      found.push_back({std::stoi(name.substr(kind.size() + 1)), json::parse(std::ifstream(e.path()))});
      fs::remove(e.path());
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<json> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
  }

 private:
  fs::path dir_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string ready_;
  bool exited_ = false;
  SubprocessResult result_;
  int smtp_port_ = 0, http_port_ = 0;
};

class NotifySendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sink = new Sink(); }
  static void TearDownTestSuite() {
    delete sink;
    sink = nullptr;
  }
  void SetUp() override { sink->take("mail"), sink->take("hook"), sink->take("ping"); }

  EmailConfig email(const std::string& auth) const {
    EmailConfig e;
    e.url = sink->smtp();
    e.from = "slipway@example.org";
    e.to = {"owner@example.org", "ops@example.org"};
    e.username = "slipway";
    e.password.file = sink->password_file();
    e.auth = auth;
    e.ca_file = sink->ca();
    e.timeout = 10;
    return e;
  }
  static NotifyMessage failure() {
    return NotifyMessage{{{"shop", "backup", NotifyEventKind::failure, "restic: repository locked", 1764470000}}};
  }

  static Sink* sink;
};
Sink* NotifySendTest::sink = nullptr;

TEST_F(NotifySendTest, MailGoesThroughStartTlsWithAuthPlainAndLogin) {
  for (const char* auth : {"PLAIN", "LOGIN"}) {
    EXPECT_EQ(send_email(email(auth), failure(), "http://127.0.0.1:8477/", 1764470000), "") << auth;
    auto mails = sink->take("mail");
    ASSERT_EQ(mails.size(), 1u) << auth;
    EXPECT_EQ(mails[0]["mechanism"], auth);
    EXPECT_EQ(mails[0]["from"], "slipway@example.org");
    EXPECT_EQ(mails[0]["to"], json::array({"owner@example.org", "ops@example.org"}));
    std::string data = mails[0]["data"];
    EXPECT_NE(data.find("Subject: slipway: backup of shop failed\r\n"), std::string::npos) << data;
    EXPECT_NE(data.find("restic: repository locked"), std::string::npos);
    EXPECT_NE(data.find("Status page: http://127.0.0.1:8477/"), std::string::npos);
    EXPECT_NE(data.find("Date: Sun, 30 Nov 2025"), std::string::npos) << data;
  }
}

TEST_F(NotifySendTest, SmtpFailuresAreOneLineWithoutTheSecret) {
  EmailConfig wrong = email("PLAIN");
  std::string f = sink->password_file() + ".wrong";
  std::ofstream(f) << "not-it\n";
  wrong.password.file = f;
  std::string denied = send_email(wrong, failure(), "", 1764470000);
  EXPECT_NE(denied.find("email to " + sink->smtp() + ":"), std::string::npos) << denied;
  EXPECT_EQ(denied.find("not-it"), std::string::npos);

  EmailConfig unreachable = email("PLAIN");
  unreachable.url = "smtp://127.0.0.1:1";
  std::string error = send_email(unreachable, failure(), "", 1764470000);
  EXPECT_NE(error.find("email to smtp://127.0.0.1:1: "), std::string::npos) << error;
  EXPECT_EQ(error.find(kPassword), std::string::npos);
  EXPECT_EQ(error.find('\n'), std::string::npos);

  EmailConfig untrusted = email("PLAIN");
  untrusted.ca_file.clear();  // the sink's certificate is self-signed: refused, nothing sent in clear
  EXPECT_NE(send_email(untrusted, failure(), "", 1764470000), "");
  EXPECT_TRUE(sink->take("mail").empty());
}

TEST_F(NotifySendTest, WebhookPostsAnNtfyAndGotifyShapedJsonWithTheToken) {
  WebhookConfig w{sink->http("/hook"), "alerts", {"", "SLIPWAY_TEST_NTFY_TOKEN"}, 5};
  ::setenv("SLIPWAY_TEST_NTFY_TOKEN", "tk_123", 1);
  EXPECT_EQ(post_webhook(w, failure(), "http://127.0.0.1:8477/"), "");
  ::unsetenv("SLIPWAY_TEST_NTFY_TOKEN");
  auto hooks = sink->take("hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["headers"]["Authorization"], "Bearer tk_123");
  EXPECT_EQ(hooks[0]["headers"]["Content-Type"], "application/json");
  json body = json::parse(hooks[0]["body"].get<std::string>());
  EXPECT_EQ(body["topic"], "alerts");  // ntfy
  EXPECT_EQ(body["title"], "slipway: backup of shop failed");
  EXPECT_EQ(body["priority"], 4);  // ntfy 1-5 "high"; Gotify's priority scale
  EXPECT_NE(body["message"].get<std::string>().find("restic: repository locked"), std::string::npos);
  EXPECT_EQ(body["click"], "http://127.0.0.1:8477/");
  EXPECT_EQ(body["slipway"]["events"][0]["event"], "failure");
  EXPECT_EQ(body["slipway"]["events"][0]["stack"], "shop");
}

// What slipway-agent does: each delivery by a child `slipway agent-notify`, the request on its
// stdin; the secrets named, read by the child.
TEST_F(NotifySendTest, TheChildSlipwayAgentNotifyDeliversMailAndWebhooks) {
  NotifySenders child = child_senders(SLIPWAY_BINARY);
  EXPECT_EQ(child.email(email("LOGIN"), failure(), "http://127.0.0.1:8477/", 1764470000), "");
  auto mails = sink->take("mail");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["mechanism"], "LOGIN");
  EXPECT_NE(mails[0]["data"].get<std::string>().find("restic: repository locked"), std::string::npos);

  ::setenv("SLIPWAY_TEST_NTFY_TOKEN", "tk_456", 1);  // the child inherits the agent's environment
  WebhookConfig w{sink->http("/hook"), "alerts", {"", "SLIPWAY_TEST_NTFY_TOKEN"}, 5};
  EXPECT_EQ(child.webhook(w, failure(), ""), "");
  ::unsetenv("SLIPWAY_TEST_NTFY_TOKEN");
  auto hooks = sink->take("hook");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["headers"]["Authorization"], "Bearer tk_456");

  EmailConfig wrong = email("PLAIN");
  wrong.url = "smtp://127.0.0.1:1";
  std::string error = child.email(wrong, failure(), "", 1764470000);
  EXPECT_NE(error.find("email to smtp://127.0.0.1:1: "), std::string::npos) << error;
  EXPECT_EQ(error.find(kPassword), std::string::npos);
}

TEST_F(NotifySendTest, AWebhookThatTimesOutIsAnErrorWithinItsTimeout) {
  WebhookConfig slow{sink->http("/slow?token=secret"), "", {}, 1};
  auto start = std::chrono::steady_clock::now();
  std::string error = post_webhook(slow, failure(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(error, "webhook to " + sink->http("") + ": no answer within 1 s");
}

TEST_F(NotifySendTest, PingsOnSuccessAndFailOnFailure) {
  Notifications n(curl_senders(), [](const std::string&) {});
  NotifyConfig c;
  c.ping = PingConfig{sink->http("/ping/abc"), true, {"backup"}, 5};
  RunLog runs((fs::temp_directory_path() / ("slipway-notify-ping-" + std::to_string(getpid()))).string());
  n.add_stack("shop", c, runs, {"backup", "drift"});
  n.on_finished("shop", "backup", "ok", "", 100);
  n.on_finished("shop", "drift", "ok", "", 101);  // not one of ping.jobs
  n.on_finished("shop", "backup", "failed", "disk full", 102);
  auto pings = sink->take("ping");
  ASSERT_EQ(pings.size(), 2u);
  EXPECT_EQ(pings[0]["path"], "/ping/abc");
  EXPECT_EQ(pings[1]["path"], "/ping/abc/fail");
  EXPECT_GT(n.status("shop")["channels"][0]["last_ok"].get<int64_t>(), 0);
  fs::remove_all(fs::temp_directory_path() / ("slipway-notify-ping-" + std::to_string(getpid())));
}

// The agent with a failing job, an SMTP server that does not answer and a webhook that times
// out: both failures are in the log and the status, and the agent goes on running jobs.
TEST_F(NotifySendTest, TheAgentReportsFailedDeliveriesAndKeepsRunning) {
  fs::path dir = fs::temp_directory_path() / ("slipway-notify-agent-" + std::to_string(getpid()));
  fs::remove_all(dir);
  RunLog runs(dir.string());
  compose::Project p;
  p.name = "shop";
  p.config_files = {"/srv/shop/compose.yaml"};
  p.model = {{"name", "shop"}, {"services", nlohmann::ordered_json::object()}};
  StackSpec spec = read_schedule(p);

  std::mutex m;
  std::vector<std::string> lines;
  auto log = [&](const std::string& l) {
    std::lock_guard lock(m);
    lines.push_back(l);
  };
  NotifyConfig c;
  c.rate_limit = 0;
  c.email = email("PLAIN");
  c.email->url = "smtp://127.0.0.1:1";
  c.webhook = WebhookConfig{sink->http("/slow"), "", {}, 1};
  Notifications n(curl_senders(), log);
  n.add_stack("shop", c, runs, {"backup", "drift"});

  AgentOptions o;
  o.slipway = "/usr/bin/slipway";
  o.log = log;
  o.runner = [](const std::vector<std::string>& argv, const std::function<bool()>&) {
    return JobResult{argv.back() == "backup" ? 1 : 0, "{\"clean\": true, \"findings\": []}", "disk full\n"};
  };
  o.run_now = {"backup"};
  o.on_finished = [&](const Due& d, const std::string& outcome, const std::string& detail, int64_t now) {
    n.on_finished(d.stack, d.job, outcome, detail, now);
  };
  o.on_wake = [&](int64_t now) { return n.on_wake(now); };
  Agent agent({spec}, runs, o);
  std::thread t([&] { agent.run(); });
  auto wait_for = [&](const std::string& job) {
    for (int i = 0; i < 600; ++i) {
      auto r = runs.last("shop", job);
      if (r && r->outcome != "running") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  ASSERT_TRUE(wait_for("backup"));
  // The notification is sent after the run is recorded: wait for both deliveries to fail.
  for (int i = 0; i < 600 && n.status("shop")["channels"][1].value("last_error", "").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(agent.run_now("shop", "drift"));  // the agent still runs jobs
  bool drift_ran = wait_for("drift");
  agent.request_stop();
  t.join();
  EXPECT_TRUE(drift_ran);
  EXPECT_EQ(runs.last("shop", "drift")->outcome, "ok");

  json status = n.status("shop");
  EXPECT_NE(status["channels"][0].value("last_error", "").find("email to smtp://127.0.0.1:1"), std::string::npos)
      << status.dump(2);
  EXPECT_EQ(status["channels"][1].value("last_error", ""), "webhook to " + sink->http("") + ": no answer within 1 s");
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("cannot notify (shop): email to smtp://127.0.0.1:1"), std::string::npos) << all;
  EXPECT_NE(all.find("cannot notify (shop): webhook to"), std::string::npos) << all;
  EXPECT_EQ(all.find(kPassword), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slipway::agent
