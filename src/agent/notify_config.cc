#include "agent/notify_config.h"

#include <cstdlib>
#include <fstream>
#include <map>

#include "agent/cron.h"
#include "compose/model.h"
#include "util/error.h"

namespace slipway::agent {

namespace {

using compose::ojson;
using edge::Reporter;

std::string text_of(const ojson& v, const Reporter& at, const std::string& example) {
  if (!v.is_string() || v.get<std::string>().empty()) at.fail("must be a string, e.g. " + example);
  return v.get<std::string>();
}

int seconds_of(const ojson& v, const Reporter& at) {
  std::string text = v.is_number_integer() ? std::to_string(v.get<int64_t>()) : v.is_string() ? v.get<std::string>() : "";
  auto d = parse_duration(text);
  if (!d || *d < 1 || *d > 600) at.fail("must be a duration from 1s to 10m, e.g. 10s");
  return static_cast<int>(*d);
}

bool flag_of(const ojson& v, const Reporter& at) {
  if (!v.is_boolean()) at.fail("must be true or false");
  return v.get<bool>();
}

// "scheme://host[:port]..." split at its parts; nullopt when it is not such a URL.
struct UrlParts {
  std::string scheme, host, rest;
};
std::optional<UrlParts> split_url(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos || sep == 0) return std::nullopt;
  UrlParts u{url.substr(0, sep), "", ""};
  std::string after = url.substr(sep + 3);
  auto end = after.find_first_of("/?#");
  std::string authority = after.substr(0, end);
  u.rest = end == std::string::npos ? "" : after.substr(end);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  u.host = authority;
  if (u.host.empty()) return std::nullopt;
  return u;
}

std::string url_of(const ojson& v, const Reporter& at, const std::set<std::string>& schemes, const std::string& example) {
  std::string url = text_of(v, at, example);
  auto u = split_url(url);
  if (!u || !schemes.count(u->scheme) || url.find_first_of(" \t\r\n") != std::string::npos)
    at.fail("`" + redact_url(url) + "` is not a URL of the form " + example);
  return url;
}

// The host without its port: "[::1]:25" -> "::1", "mail:587" -> "mail".
std::string host_only(const std::string& authority) {
  if (!authority.empty() && authority[0] == '[') return authority.substr(1, authority.find(']') - 1);
  return authority.substr(0, authority.find(':'));
}

// file/env keys of a secret: `NAME-file` or `NAME-env`, one of them.
void secret_key(const std::string& key, const ojson& v, const Reporter& at, const std::string& name, SecretRef& out) {
  if (key == name + "-file") out.file = text_of(v, at, "/etc/slipway/" + name);
  if (key == name + "-env") out.env = text_of(v, at, name == "password" ? "SMTP_PASSWORD" : "NTFY_TOKEN");
  if (!out.file.empty() && !out.env.empty()) at.fail("give " + name + "-file or " + name + "-env, not both");
}

template <typename Handle>
void each_key(const ojson& section, const Reporter& at, const std::string& keys, Handle handle) {
  if (!section.is_object()) at.fail("must be a mapping of " + keys);
  for (const auto& [key, value] : section.items())
    if (!handle(key, value, at.child(key))) at.child(key).fail("unknown key (keys: " + keys + ")");
}

EmailConfig read_email(const ojson& section, const Reporter& at) {
  EmailConfig e;
  const std::string keys = "smtp, from, to, username, password-file, password-env, auth, ca-file, starttls, timeout";
  each_key(section, at, keys, [&](const std::string& key, const ojson& v, const Reporter& r) {
    if (key == "smtp") e.url = url_of(v, r, {"smtp", "smtps"}, "smtp://mail.example.org:587");
    else if (key == "from") e.from = text_of(v, r, "slipway@example.org");
    else if (key == "to") {
      if (v.is_string()) e.to = {text_of(v, r, "owner@example.org")};
      else if (v.is_array() && !v.empty())
        for (const auto& a : v) e.to.push_back(text_of(a, r, "[owner@example.org]"));
      else r.fail("must be an address or a list of addresses, e.g. [owner@example.org]");
    } else if (key == "username") e.username = text_of(v, r, "slipway");
    else if (key == "auth") {
      e.auth = text_of(v, r, "PLAIN");
      if (e.auth != "PLAIN" && e.auth != "LOGIN") r.fail("must be PLAIN or LOGIN");
    } else if (key == "ca-file") e.ca_file = text_of(v, r, "/etc/ssl/mail-ca.pem");
    else if (key == "starttls") e.starttls = flag_of(v, r);
    else if (key == "timeout") e.timeout = seconds_of(v, r);
    else if (key == "password-file" || key == "password-env") secret_key(key, v, r, "password", e.password);
    else return false;
    return true;
  });
  if (e.url.empty()) at.fail("needs smtp: smtp://HOST:587 (STARTTLS) or smtps://HOST:465");
  if (e.from.empty() || e.to.empty()) at.fail("needs from: and to: addresses");
  for (const auto& a : e.to)
    if (a.find('@') == std::string::npos || a.find_first_of("<>\r\n ") != std::string::npos)
      at.child("to").fail("`" + a + "` is not an address like owner@example.org");
  if (e.from.find('@') == std::string::npos || e.from.find_first_of("<>\r\n ") != std::string::npos)
    at.child("from").fail("`" + e.from + "` is not an address like slipway@example.org");
  if (!e.username.empty() && e.password.empty())
    at.fail("username: needs password-file: or password-env: (the password is never written here)");
  if (e.username.empty() && !e.password.empty()) at.fail("a password needs username:");
  std::string host = host_only(split_url(e.url)->host);
  bool local = host == "127.0.0.1" || host == "localhost" || host == "::1";
  if (!e.starttls && !local)
    at.child("starttls").fail("false would send mail" + std::string(e.username.empty() ? "" : " and the password") +
                              " in clear text to " + host + "; it is only allowed for 127.0.0.1 or localhost");
  return e;
}

WebhookConfig read_webhook(const ojson& section, const Reporter& at) {
  WebhookConfig w;
  if (section.is_string()) {
    w.url = url_of(section, at, {"http", "https"}, "https://ntfy.example.org/");
    return w;
  }
  each_key(section, at, "url, topic, token-file, token-env, timeout",
           [&](const std::string& key, const ojson& v, const Reporter& r) {
             if (key == "url") w.url = url_of(v, r, {"http", "https"}, "https://ntfy.example.org/");
             else if (key == "topic") w.topic = text_of(v, r, "server-alerts");
             else if (key == "timeout") w.timeout = seconds_of(v, r);
             else if (key == "token-file" || key == "token-env") secret_key(key, v, r, "token", w.token);
             else return false;
             return true;
           });
  if (w.url.empty()) at.fail("needs url: https://HOST/PATH");
  return w;
}

PingConfig read_ping(const ojson& section, const Reporter& at) {
  PingConfig p;
  if (section.is_string()) {
    p.url = url_of(section, at, {"http", "https"}, "https://hc-ping.com/UUID");
    return p;
  }
  each_key(section, at, "url, fail, jobs, timeout", [&](const std::string& key, const ojson& v, const Reporter& r) {
    if (key == "url") p.url = url_of(v, r, {"http", "https"}, "https://hc-ping.com/UUID");
    else if (key == "fail") p.fail = flag_of(v, r);
    else if (key == "timeout") p.timeout = seconds_of(v, r);
    else if (key == "jobs") {
      static const std::set<std::string> known = {"backup", "drill", "update-check", "drift", "forget"};
      if (!v.is_array()) r.fail("must be a list of jobs, e.g. [backup, drill]");
      for (const auto& j : v) {
        std::string name = text_of(j, r, "backup");
        if (!known.count(name)) r.fail("unknown job `" + name + "` (jobs: backup, drill, update-check, drift, forget)");
        p.jobs.insert(name);
      }
    } else return false;
    return true;
  });
  if (p.url.empty()) at.fail("needs url: https://hc-ping.com/UUID");
  return p;
}

}  // namespace

std::string SecretRef::read() const {
  if (!env.empty()) {
    const char* v = std::getenv(env.c_str());
    if (!v || !*v) throw EnvError("the variable " + env + " is not set (it should hold the secret)");
    return v;
  }
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty())
    throw EnvError("cannot read the secret from " + file + " (it should hold it on its first line)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string redact_url(const std::string& url) {
  auto u = split_url(url);
  return u ? u->scheme + "://" + u->host : "(not a URL)";
}

NotifyConfig read_notify(const compose::Project& project, const edge::Locator& locate) {
  NotifyConfig config;
  compose::Model model(project);
  const ojson* x = model.x_slipway();
  if (!x || !x->is_object() || !x->contains("notify")) return config;
  Reporter at(locate, {"x-slipway", "notify"});
  each_key((*x)["notify"], at, "rate-limit, email, webhook, ping",
           [&](const std::string& key, const ojson& v, const Reporter& r) {
             if (key == "rate-limit") {
               std::string text = v.is_number_integer() ? std::to_string(v.get<int64_t>())
                                  : v.is_string()       ? v.get<std::string>()
                                                        : "";
               auto d = parse_duration(text);
               if (!d || *d > 7 * 86400) r.fail("must be a duration up to a week, e.g. 1h, 30m or 0 (no limit)");
               config.rate_limit = *d;
             } else if (key == "email") config.email = read_email(v, r);
             else if (key == "webhook") config.webhook = read_webhook(v, r);
             else if (key == "ping") config.ping = read_ping(v, r);
             else return false;
             return true;
           });
  return config;
}

}  // namespace slipway::agent
