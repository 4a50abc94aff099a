// x-slipway.notify read from a real Compose file: every channel's settings, and errors that
// name file:line:col of the key, what is wrong and what to write instead.
#include "agent/notify_config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "util/error.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

class NotifyConfigTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("slipway-notify-config-" + std::to_string(getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  NotifyConfig read(const std::string& notify_yaml) {
    std::string file = (dir / "compose.yaml").string();
    std::ofstream(file) << "services:\n  web:\n    image: web\nx-slipway:\n  notify:\n" << notify_yaml;
    compose::LoadOptions o;
    o.files = {file};
    o.environment = {};
    compose::Project p = compose::load(o);
    return read_notify(p, edge::file_locator(p.config_files));
  }
  std::string error(const std::string& notify_yaml) {
    try {
      read(notify_yaml);
    } catch (const UserError& e) {
      std::string text = e.what();
      std::string prefix = (dir / "compose.yaml").string() + ":";
      return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : "NO LOCATION: " + text;
    }
    return "no error";
  }
};

TEST_F(NotifyConfigTest, ReadsEveryChannel) {
  NotifyConfig c = read(
      "    rate-limit: 30m\n"
      "    email:\n"
      "      smtp: smtp://mail.example.org:587\n"
      "      from: slipway@example.org\n"
      "      to: [owner@example.org, ops@example.org]\n"
      "      username: slipway\n"
      "      password-file: /etc/slipway/smtp-password\n"
      "      auth: LOGIN\n"
      "    webhook:\n"
      "      url: https://ntfy.example.org/\n"
      "      topic: alerts\n"
      "      token-env: NTFY_TOKEN\n"
      "      timeout: 5s\n"
      "    ping: {url: 'https://hc-ping.com/abc', fail: true, jobs: [backup, drill]}\n");
  EXPECT_EQ(c.rate_limit, 1800);
  ASSERT_TRUE(c.email);
  EXPECT_EQ(c.email->to.size(), 2u);
  EXPECT_EQ(c.email->auth, "LOGIN");
  EXPECT_TRUE(c.email->starttls);
  EXPECT_EQ(c.email->password.file, "/etc/slipway/smtp-password");
  ASSERT_TRUE(c.webhook);
  EXPECT_EQ(c.webhook->topic, "alerts");
  EXPECT_EQ(c.webhook->token.env, "NTFY_TOKEN");
  EXPECT_EQ(c.webhook->timeout, 5);
  ASSERT_TRUE(c.ping);
  EXPECT_TRUE(c.ping->fail);
  EXPECT_EQ(c.ping->jobs, (std::set<std::string>{"backup", "drill"}));
}

TEST_F(NotifyConfigTest, ShortFormsAndDefaults) {
  NotifyConfig c = read("    webhook: https://ntfy.example.org/alerts\n    ping: https://hc-ping.com/abc\n");
  EXPECT_EQ(c.rate_limit, 3600);
  EXPECT_FALSE(c.email);
  EXPECT_EQ(c.webhook->url, "https://ntfy.example.org/alerts");
  EXPECT_EQ(c.ping->url, "https://hc-ping.com/abc");
  EXPECT_FALSE(c.ping->fail);
}

TEST_F(NotifyConfigTest, ErrorsNameTheKeyAndWhatToDo) {
  EXPECT_EQ(error("    slack: https://x\n"),
            "6:5: x-slipway.notify.slack: unknown key (keys: rate-limit, email, webhook, ping)");
  EXPECT_EQ(error("    webhook: {url: 'ftp://x/'}\n"),
            "6:15: x-slipway.notify.webhook.url: `ftp://x` is not a URL of the form https://ntfy.example.org/");
  EXPECT_EQ(error("    rate-limit: often\n"),
            "6:5: x-slipway.notify.rate-limit: must be a duration up to a week, e.g. 1h, 30m or 0 (no limit)");
  EXPECT_EQ(error("    email:\n      smtp: smtp://mail.example.org\n      from: a@example.org\n"
                  "      to: b@example.org\n      username: u\n"),
            "6:5: x-slipway.notify.email: username: needs password-file: or password-env: (the password is never "
            "written here)");
  EXPECT_EQ(error("    email:\n      smtp: smtp://mail.example.org\n      from: a@example.org\n"
                  "      to: b@example.org\n      starttls: false\n"),
            "10:7: x-slipway.notify.email.starttls: false would send mail in clear text to mail.example.org; it is "
            "only allowed for 127.0.0.1 or localhost");
  EXPECT_EQ(error("    email:\n      smtp: smtp://localhost:25\n      from: a@example.org\n      to: [nobody]\n"),
            "9:7: x-slipway.notify.email.to: `nobody` is not an address like owner@example.org");
  EXPECT_EQ(error("    ping: {url: 'https://hc-ping.com/x', jobs: [backups]}\n"),
            "6:42: x-slipway.notify.ping.jobs: unknown job `backups` (jobs: backup, drill, update-check, drift, forget)");
  EXPECT_EQ(error("    webhook: {url: 'https://x/', token-file: /a, token-env: B}\n"),
            "6:34: x-slipway.notify.webhook.token-file: give token-file or token-env, not both");
}

TEST(NotifySecrets, AreReadWhenNeededAndErrorsNeverHoldThem) {
  fs::path file = fs::temp_directory_path() / ("slipway-secret-" + std::to_string(getpid()));
  std::ofstream(file) << "hunter2\n";
  EXPECT_EQ((SecretRef{file.string(), ""}).read(), "hunter2");
  fs::remove(file);
  try {
    (SecretRef{file.string(), ""}).read();
    FAIL();
  } catch (const EnvError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos);
  }
  ::setenv("SLIPWAY_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ((SecretRef{"", "SLIPWAY_TEST_SECRET"}).read(), "s3cret");
  ::unsetenv("SLIPWAY_TEST_SECRET");
  EXPECT_THROW((SecretRef{"", "SLIPWAY_TEST_SECRET"}).read(), EnvError);
}

TEST(RedactUrl, KeepsOnlySchemeAndServer) {
  EXPECT_EQ(redact_url("https://user:pw@ntfy.example.org:8443/topic?auth=x"), "https://ntfy.example.org:8443");
  EXPECT_EQ(redact_url("smtp://mail.example.org:587"), "smtp://mail.example.org:587");
  EXPECT_EQ(redact_url("nonsense"), "(not a URL)");
}

}  // namespace
}  // namespace slipway::agent
