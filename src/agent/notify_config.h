// Where the agent tells the owner about trouble, from the Compose file's `x-slipway.notify`
// (pure; agent/notify.h decides when, agent/notify_send.h delivers):
//
//   x-slipway:
//     notify:
//       rate-limit: 1h                  # at most one message per job in this time; the rest wait
//                                       # and go out together as one digest (default 1h)
//       email:
//         smtp: smtp://mail.example.org:587   # STARTTLS required; smtps://HOST:465 for TLS
//         from: slipway@example.org
//         to: [owner@example.org]             # or one address
//         username: slipway                   # AUTH (curl picks PLAIN or LOGIN; auth: forces one)
//         password-file: /etc/slipway/smtp-password   # or password-env: SMTP_PASSWORD
//         auth: PLAIN                         # optional: PLAIN or LOGIN
//         ca-file: /etc/ssl/mail-ca.pem       # optional: trust this CA (a self-signed Postfix)
//         starttls: false                     # only for a server on this machine (127.0.0.1)
//         timeout: 30s
//       webhook:
//         url: https://ntfy.example.org/      # a JSON POST (ntfy- and Gotify-compatible)
//         topic: server-alerts                # ntfy's topic field (optional)
//         token-file: /etc/slipway/ntfy-token # or token-env: sent as Authorization: Bearer
//         timeout: 10s
//       ping:
//         url: https://hc-ping.com/UUID       # GET after each successful job (dead-man switch)
//         fail: true                          # GET URL/fail after a failed one
//         jobs: [backup, drill]               # which jobs ping (default: all)
//         timeout: 10s
//
// Secrets are named (a file or a variable), never written in the Compose file, and read only
// when a message is sent. Every error names file:line:col of the key.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/loader.h"
#include "edge/locate.h"

namespace slipway::agent {

// A secret's source: a file (its first line) or an environment variable.
struct SecretRef {
  std::string file, env;
  bool empty() const { return file.empty() && env.empty(); }
  // Reads it now; throws EnvError naming the file or variable (never the value).
  std::string read() const;
};

struct EmailConfig {
  std::string url;  // smtp://HOST[:PORT] or smtps://HOST[:PORT]
  std::string from;
  std::vector<std::string> to;
  std::string username;
  SecretRef password;
  std::string auth;  // "" (curl chooses), PLAIN or LOGIN
  std::string ca_file;
  bool starttls = true;  // smtp://: require STARTTLS before anything is sent
  int timeout = 30;      // seconds, the whole exchange
};

struct WebhookConfig {
  std::string url;
  std::string topic;
  SecretRef token;
  int timeout = 10;
};

struct PingConfig {
  std::string url;
  bool fail = false;           // ping URL/fail after a failed job
  std::set<std::string> jobs;  // empty: every job
  int timeout = 10;
};

struct NotifyConfig {
  int64_t rate_limit = 3600;  // seconds
  std::optional<EmailConfig> email;
  std::optional<WebhookConfig> webhook;
  std::optional<PingConfig> ping;
  bool empty() const { return !email && !webhook && !ping; }
};

// Reads x-slipway.notify (absent: an empty config). Throws UserError at the key's
// file:line:col for an unknown key, a bad URL, a missing address or secret, a bad duration.
NotifyConfig read_notify(const compose::Project& project, const edge::Locator& locate);

// "scheme://host:port" of a URL: what logs and the page may show (no credentials, no path or
// query, which carry ntfy topics, Gotify tokens and Healthchecks UUIDs).
std::string redact_url(const std::string& url);

}  // namespace slipway::agent
