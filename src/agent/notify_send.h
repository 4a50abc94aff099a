// Delivering notifications with libcurl (already slipway's HTTP library; no program is run):
// mail through SMTP (STARTTLS required unless the server is on this machine, AUTH PLAIN or
// LOGIN), a JSON POST to a webhook, a GET to a dead-man ping URL. Each call is bounded by its
// timeout and returns "" on success or a one-line error that names the channel and the server
// (redact_url) but never a secret, a path or a query.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/notify_config.h"
#include "agent/notify_policy.h"

namespace slipway::agent {

// The RFC 5322 message sent by email: headers (Date, From, To, Subject, Message-ID, MIME) and
// the body with CRLF line ends. Header values lose any CR/LF (no header injection).
std::string email_text(const EmailConfig& config, const NotifyMessage& message, const std::string& page_url,
                       int64_t now);

// The webhook's JSON body, one shape that ntfy (JSON publishing: topic, title, message,
// priority, tags) and Gotify (POST /message: title, message, priority) both accept, with
// slipway's own fields under "slipway" (documented in docs/agent.md).
nlohmann::json webhook_payload(const WebhookConfig& config, const NotifyMessage& message, const std::string& page_url);

std::string send_email(const EmailConfig& config, const NotifyMessage& message, const std::string& page_url,
                       int64_t now);
std::string post_webhook(const WebhookConfig& config, const NotifyMessage& message, const std::string& page_url);
std::string send_ping(const std::string& url, int timeout_seconds);

}  // namespace slipway::agent
