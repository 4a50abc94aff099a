#include "agent/notify_child.h"

#include <gtest/gtest.h>

#include <sstream>

#include "util/subprocess.h"

namespace slipway::agent {
namespace {

NotifyMessage two_events() {
  NotifyMessage m;
  m.events.push_back({"shop", "backup", NotifyEventKind::failure, "restic: repository locked", 1764472329});
  m.events.push_back({"shop", "drill", NotifyEventKind::recovery, "", 1764472400});
  return m;
}

void expect_same(const NotifyMessage& a, const NotifyMessage& b) {
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].stack, b.events[i].stack);
    EXPECT_EQ(a.events[i].job, b.events[i].job);
    EXPECT_EQ(a.events[i].kind, b.events[i].kind);
    EXPECT_EQ(a.events[i].detail, b.events[i].detail);
    EXPECT_EQ(a.events[i].at, b.events[i].at);
  }
}

TEST(NotifyChild, AnEmailRequestCarriesTheSettingsAndNamesTheSecretWithoutIt) {
  EmailConfig c;
  c.url = "smtp://mail.example.org:587";
  c.from = "slipway@example.org";
  c.to = {"a@example.org", "b@example.org"};
  c.username = "slipway";
  c.password.file = "/etc/slipway/smtp-password";
  c.auth = "LOGIN";
  c.ca_file = "/etc/ssl/mail-ca.pem";
  c.starttls = false;
  c.timeout = 12;
  std::string text = email_request(c, two_events(), "http://127.0.0.1:8477/", 1764472500).dump();

  EmailConfig got;
  NotifyMessage message;
  std::string page;
  int64_t now = 0;
  NotifySenders fake;
  fake.email = [&](const EmailConfig& e, const NotifyMessage& m, const std::string& p, int64_t n) {
    got = e;
    message = m;
    page = p;
    now = n;
    return "";
  };
  EXPECT_EQ(serve_notify_request(text, fake), "");
  EXPECT_EQ(got.url, c.url);
  EXPECT_EQ(got.from, c.from);
  EXPECT_EQ(got.to, c.to);
  EXPECT_EQ(got.username, c.username);
  EXPECT_EQ(got.password.file, c.password.file);
  EXPECT_EQ(got.auth, "LOGIN");
  EXPECT_EQ(got.ca_file, c.ca_file);
  EXPECT_FALSE(got.starttls);
  EXPECT_EQ(got.timeout, 12);
  EXPECT_EQ(page, "http://127.0.0.1:8477/");
  EXPECT_EQ(now, 1764472500);
  expect_same(message, two_events());
}

TEST(NotifyChild, WebhookAndPingRequestsAndTheirErrors) {
  WebhookConfig w;
  w.url = "https://ntfy.example.org/";
  w.topic = "alerts";
  w.token.env = "NTFY_TOKEN";
  w.timeout = 7;
  WebhookConfig got;
  std::string pinged;
  int ping_timeout = 0;
  NotifySenders fake;
  fake.webhook = [&](const WebhookConfig& c, const NotifyMessage&, const std::string&) {
    got = c;
    return "webhook to https://ntfy.example.org:443: timed out";
  };
  fake.ping = [&](const std::string& url, int timeout) {
    pinged = url;
    ping_timeout = timeout;
    return "";
  };
  EXPECT_EQ(serve_notify_request(webhook_request(w, two_events(), "").dump(), fake),
            "webhook to https://ntfy.example.org:443: timed out");
  EXPECT_EQ(got.url, w.url);
  EXPECT_EQ(got.topic, "alerts");
  EXPECT_EQ(got.token.env, "NTFY_TOKEN");
  EXPECT_EQ(got.timeout, 7);
  EXPECT_EQ(serve_notify_request(ping_request("https://hc-ping.com/uuid/fail", 3).dump(), fake), "");
  EXPECT_EQ(pinged, "https://hc-ping.com/uuid/fail");
  EXPECT_EQ(ping_timeout, 3);
  EXPECT_NE(serve_notify_request("{not json", fake).find("cannot read the request"), std::string::npos);
  EXPECT_NE(serve_notify_request(R"({"channel": "pigeon"})", fake).find("unknown channel"), std::string::npos);
}

// The real child: slipway agent-notify sends with libcurl and says why it could not.
TEST(NotifyChild, SlipwayAgentNotifyReportsAFailedDelivery) {
  NotifySenders child = child_senders(SLIPWAY_BINARY);
  std::string error = child.ping("http://127.0.0.1:1/ping-uuid", 3);
  EXPECT_NE(error.find("ping to http://127.0.0.1:1"), std::string::npos) << error;
  EXPECT_EQ(error.find("ping-uuid"), std::string::npos) << "the URL's path is not shown: " << error;
}

// The lean agent program must not load what only the other commands need: that is its point
// (docs/agent.md). Its NEEDED entries are what the dynamic loader maps at start.
TEST(AgentProgram, LinksNeitherLibcurlNorTlsNorLibarchive) {
  auto r = run_process({"readelf", "-d", SLIPWAY_AGENT_BINARY});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string needed;
  for (std::string line; std::getline(lines, line);)
    if (line.find("(NEEDED)") != std::string::npos) needed += line + "\n";
  for (const char* lib : {"libcurl", "libssl", "libcrypto", "libgnutls", "libarchive", "libssh", "libldap"})
    EXPECT_EQ(needed.find(lib), std::string::npos) << lib << " is linked:\n" << needed;
  EXPECT_NE(needed.find("libsqlite3"), std::string::npos) << needed;
  EXPECT_NE(needed.find("libcivetweb"), std::string::npos) << needed;
}

}  // namespace
}  // namespace slipway::agent
