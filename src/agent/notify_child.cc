#include "agent/notify_child.h"

#include <chrono>

#include "agent/agent.h"
#include "util/subprocess.h"

namespace slipway::agent {

using json = nlohmann::json;

namespace {

json secret_json(const SecretRef& s) { return {{"file", s.file}, {"env", s.env}}; }
SecretRef secret_from(const json& j) { return {j.value("file", ""), j.value("env", "")}; }

json message_json(const NotifyMessage& m) {
  json events = json::array();
  for (const auto& e : m.events)
    events.push_back({{"stack", e.stack},
                      {"job", e.job},
                      {"kind", e.kind == NotifyEventKind::recovery ? "recovery" : "failure"},
                      {"detail", e.detail},
                      {"at", e.at}});
  return {{"events", events}};
}

NotifyMessage message_from(const json& j) {
  NotifyMessage m;
  for (const auto& e : j.at("events")) {
    NotifyEvent ev;
    ev.stack = e.at("stack").get<std::string>();
    ev.job = e.at("job").get<std::string>();
    ev.kind = e.at("kind").get<std::string>() == "recovery" ? NotifyEventKind::recovery : NotifyEventKind::failure;
    ev.detail = e.value("detail", "");
    ev.at = e.value("at", int64_t{0});
    m.events.push_back(std::move(ev));
  }
  return m;
}

// Runs `slipway agent-notify` with the request on stdin. The child is bounded by the channel's
// own timeout; the margin covers its start and reading a secret, and a child that hangs anyway
// is stopped so the agent's loop goes on.
std::string run_child(const std::string& slipway, const json& request, int timeout_seconds) {
  SubprocessOptions o;
  o.stdin_data = request.dump();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds + 30);
  o.should_stop = [deadline] { return std::chrono::steady_clock::now() > deadline; };
  o.stop_grace_seconds = 5;
  try {
    SubprocessResult r = run_process({slipway, "agent-notify"}, o);
    if (r.exit_code == 0) return "";
    std::string said = last_line(r.out);
    if (said.empty()) said = last_line(r.err);
    return said.empty() ? "slipway agent-notify ended with status " + std::to_string(r.exit_code) : said;
  } catch (const std::exception& e) {
    return std::string("cannot run slipway agent-notify: ") + e.what();
  }
}

}  // namespace

json email_request(const EmailConfig& c, const NotifyMessage& message, const std::string& page_url, int64_t now) {
  return {{"channel", "email"},
          {"email",
           {{"url", c.url},
            {"from", c.from},
            {"to", c.to},
            {"username", c.username},
            {"password", secret_json(c.password)},
            {"auth", c.auth},
            {"ca_file", c.ca_file},
            {"starttls", c.starttls},
            {"timeout", c.timeout}}},
          {"message", message_json(message)},
          {"page_url", page_url},
          {"now", now}};
}

json webhook_request(const WebhookConfig& c, const NotifyMessage& message, const std::string& page_url) {
  return {{"channel", "webhook"},
          {"webhook", {{"url", c.url}, {"topic", c.topic}, {"token", secret_json(c.token)}, {"timeout", c.timeout}}},
          {"message", message_json(message)},
          {"page_url", page_url}};
}

json ping_request(const std::string& url, int timeout_seconds) {
  return {{"channel", "ping"}, {"url", url}, {"timeout", timeout_seconds}};
}

NotifySenders child_senders(std::string slipway) {
  NotifySenders s;
  s.email = [slipway](const EmailConfig& c, const NotifyMessage& m, const std::string& page_url, int64_t now) {
    return run_child(slipway, email_request(c, m, page_url, now), c.timeout);
  };
  s.webhook = [slipway](const WebhookConfig& c, const NotifyMessage& m, const std::string& page_url) {
    return run_child(slipway, webhook_request(c, m, page_url), c.timeout);
  };
  s.ping = [slipway](const std::string& url, int timeout) {
    return run_child(slipway, ping_request(url, timeout), timeout);
  };
  return s;
}

std::string serve_notify_request(const std::string& request_text, const NotifySenders& senders) {
  try {
    json r = json::parse(request_text);
    std::string channel = r.at("channel").get<std::string>();
    if (channel == "email") {
      const json& e = r.at("email");
      EmailConfig c;
      c.url = e.at("url").get<std::string>();
      c.from = e.value("from", "");
      c.to = e.value("to", std::vector<std::string>{});
      c.username = e.value("username", "");
      c.password = secret_from(e.value("password", json::object()));
      c.auth = e.value("auth", "");
      c.ca_file = e.value("ca_file", "");
      c.starttls = e.value("starttls", true);
      c.timeout = e.value("timeout", 30);
      return senders.email(c, message_from(r.at("message")), r.value("page_url", ""), r.value("now", int64_t{0}));
    }
    if (channel == "webhook") {
      const json& w = r.at("webhook");
      WebhookConfig c;
      c.url = w.at("url").get<std::string>();
      c.topic = w.value("topic", "");
      c.token = secret_from(w.value("token", json::object()));
      c.timeout = w.value("timeout", 10);
      return senders.webhook(c, message_from(r.at("message")), r.value("page_url", ""));
    }
    if (channel == "ping") return senders.ping(r.at("url").get<std::string>(), r.value("timeout", 10));
    return "agent-notify: unknown channel `" + channel + "`";
  } catch (const json::exception& e) {
    return std::string("agent-notify: cannot read the request: ") + e.what();
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace slipway::agent
