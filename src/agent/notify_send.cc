#include "agent/notify_send.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <mutex>
#include <random>

#include "agent/notify.h"
#include "util/error.h"

namespace slipway::agent {

using json = nlohmann::json;

namespace {

struct Upload {
  const std::string* text;
  size_t offset = 0;
};

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t take = std::min(size * n, u->text->size() - u->offset);
  std::memcpy(buffer, u->text->data() + u->offset, take);
  u->offset += take;
  return take;
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// One easy handle with the options every channel shares: bounded time, no signals (threads),
// no redirects, only the protocols the channel needs.
class Easy {
 public:
  Easy(const std::string& url, const char* protocols, int timeout) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (!curl_) throw EnvError("cannot initialise libcurl");
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(timeout, 10)));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(timeout));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, discard);
  }
  ~Easy() {
    curl_slist_free_all(list_);
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;

  CURL* get() { return curl_; }
  void add_recipient(const std::string& r) { list_ = curl_slist_append(list_, r.c_str()); }
  curl_slist* recipients() { return list_; }
  void add_header(const std::string& h) { headers_ = curl_slist_append(headers_, h.c_str()); }
  curl_slist* headers() { return headers_; }

  // "" on success; otherwise "CHANNEL to SERVER: what" (an HTTP status >= 400 is a failure).
  std::string perform(const std::string& channel, const std::string& url, int timeout) {
    CURLcode rc = curl_easy_perform(curl_);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    std::string where = channel + " to " + redact_url(url);
    if (rc == CURLE_OPERATION_TIMEDOUT) return where + ": no answer within " + std::to_string(timeout) + " s";
    if (rc != CURLE_OK) return where + ": " + (errbuf_[0] ? std::string(errbuf_) : curl_easy_strerror(rc));
    if (channel != "email" && status >= 400) return where + ": the server answered HTTP " + std::to_string(status);
    return "";
  }

 private:
  CURL* curl_ = nullptr;
  curl_slist* list_ = nullptr;
  curl_slist* headers_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {0};
};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

std::string rfc5322_date(int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

std::string email_text(const EmailConfig& config, const NotifyMessage& message, const std::string& page_url,
                       int64_t now) {
  std::string to;
  for (const auto& a : config.to) to += (to.empty() ? "" : ", ") + a;
  std::string domain = config.from.substr(config.from.find('@') + 1);
  std::random_device rd;
  std::string id = std::to_string(now) + "." + std::to_string(rd()) + "@" + domain;
  std::string headers = "Date: " + rfc5322_date(now) + "\nFrom: " + one_line(config.from) + "\nTo: " + one_line(to) +
                        "\nSubject: " + one_line(message.title()) + "\nMessage-ID: <" + one_line(id) +
                        ">\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n\n";
  return crlf(headers + message.body(page_url));
}

json webhook_payload(const WebhookConfig& config, const NotifyMessage& message, const std::string& page_url) {
  bool failure = message.any_failure();
  json events = json::array();
  for (const auto& e : message.events)
    events.push_back({{"stack", e.stack},
                      {"job", e.job},
                      {"event", e.kind == NotifyEventKind::failure ? "failure" : "recovery"},
                      {"detail", e.detail},
                      {"time", e.at}});
  json body = {{"title", message.title()},
               {"message", message.body(page_url)},
               {"priority", failure ? 4 : 3},
               {"tags", failure ? json::array({"warning"}) : json::array({"white_check_mark"})},
               {"slipway", {{"digest", message.digest()}, {"events", events}}}};
  if (!config.topic.empty()) body["topic"] = config.topic;
  if (!page_url.empty()) body["click"] = page_url;
  return body;
}

std::string send_email(const EmailConfig& config, const NotifyMessage& message, const std::string& page_url,
                       int64_t now) {
  std::string text = email_text(config, message, page_url, now);
  std::string password;
  if (!config.password.empty()) {
    try {
      password = config.password.read();
    } catch (const Error& e) {
      return "email to " + redact_url(config.url) + ": " + e.what();
    }
  }
  Easy easy(config.url, "smtp,smtps", config.timeout);
  CURL* c = easy.get();
  Upload upload{&text};
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + config.from + ">").c_str());
  for (const auto& a : config.to) easy.add_recipient("<" + a + ">");
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, easy.recipients());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  // smtp:// with STARTTLS required (never a silent fall-back to clear text); smtps:// is TLS
  // from the first byte.
  if (config.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config.ca_file.c_str());
  if (!config.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    if (!config.auth.empty()) curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, ("AUTH=" + config.auth).c_str());
  }
  std::string error = easy.perform("email", config.url, config.timeout);
  std::fill(password.begin(), password.end(), '\0');
  return error;
}

std::string post_webhook(const WebhookConfig& config, const NotifyMessage& message, const std::string& page_url) {
  std::string body = webhook_payload(config, message, page_url).dump();
  std::string token;
  if (!config.token.empty()) {
    try {
      token = config.token.read();
    } catch (const Error& e) {
      return "webhook to " + redact_url(config.url) + ": " + e.what();
    }
  }
  Easy easy(config.url, "http,https", config.timeout);
  CURL* c = easy.get();
  easy.add_header("Content-Type: application/json");
  easy.add_header("Expect:");
  if (!token.empty()) easy.add_header("Authorization: Bearer " + token);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, easy.headers());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  return easy.perform("webhook", config.url, config.timeout);
}

std::string send_ping(const std::string& url, int timeout_seconds) {
  Easy easy(url, "http,https", timeout_seconds);
  curl_easy_setopt(easy.get(), CURLOPT_HTTPGET, 1L);
  return easy.perform("ping", url, timeout_seconds);
}

NotifySenders curl_senders() { return {send_email, post_webhook, send_ping}; }

}  // namespace slipway::agent
