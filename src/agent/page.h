// Rendering the status document (agent/status.h): the HTML page (server-rendered, no script,
// no external asset, readable on a phone), Prometheus' text format, and the routes.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/http_server.h"

namespace slipway::agent {

std::string render_page(const nlohmann::json& status);
std::string render_metrics(const nlohmann::json& status);
std::string html_escape(const std::string& text);

// The routes:
//   GET /             the status page (no token: it is served on 127.0.0.1 only by default)
//   GET /healthz      "ok" (for the unit's watchdog and load balancers)
//   GET /api/status   the status document as JSON           } Authorization: Bearer TOKEN
//   GET /metrics      Prometheus text format                 } (401 without it)
//   POST /api/run/STACK/JOB   queue a job now (202), 404 for an unknown stack or job
// `status` collects the document; `run_now(stack, job)` queues a job and says whether it exists.
HttpHandler status_routes(std::function<nlohmann::json()> status, std::string token,
                          std::function<bool(const std::string&, const std::string&)> run_now);

// Compares without leaking the position of the first difference through timing.
bool token_matches(const std::string& authorization, const std::string& token);

}  // namespace slipway::agent
