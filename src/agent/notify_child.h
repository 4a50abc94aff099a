// Notifications sent by a child process: the lean agent program (slipway-agent) hands each
// delivery to `slipway agent-notify`, which sends it with libcurl (agent/notify_send.h) and
// exits. So the TLS that SMTP STARTTLS and https webhooks need is loaded only while a message
// goes out, never into the idle agent. A delivery is rare (only changes are news, rate-limited),
// so a process start per message costs nothing that matters.
//
// The request goes to the child's standard input as one JSON document, never in its argv, so
// nothing of it shows in `ps`; secrets are not in it at all: they stay named (a file or a
// variable, agent/notify_config.h) and the child reads them when it sends, as the agent would.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/notify.h"

namespace slipway::agent {

// Senders that run `slipway agent-notify` (argv {slipway, "agent-notify"}) for each delivery,
// bounded by the channel's timeout plus a margin. Each returns "" or the child's error line.
NotifySenders child_senders(std::string slipway);

// The requests (what child_senders writes to the child's stdin).
nlohmann::json email_request(const EmailConfig& config, const NotifyMessage& message, const std::string& page_url,
                             int64_t now);
nlohmann::json webhook_request(const WebhookConfig& config, const NotifyMessage& message, const std::string& page_url);
nlohmann::json ping_request(const std::string& url, int timeout_seconds);

// The child's side: carries out one request with `senders` (curl_senders() in slipway) and
// returns "" or the error line. A request that cannot be read is an error line too.
std::string serve_notify_request(const std::string& request_text, const NotifySenders& senders);

}  // namespace slipway::agent
