#include "agent/page.h"

#include <ctime>

#include "agent/status.h"

namespace slipway::agent {

using json = nlohmann::json;

namespace {

// One stylesheet inline; system fonts; a single column that fits a phone.
constexpr const char* kStyle = R"(
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:0 0 .5rem}h3{font-size:1rem;margin:1rem 0 .3rem}
section{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px #0002}
.ok{color:#17603a}.bad{color:#a4161a}.muted{color:#5c6370;font-size:.9rem}
.banner{padding:.7rem 1rem;border-radius:.6rem;margin-bottom:1rem;font-weight:600}
.banner.ok{background:#d8f3e3}.banner.bad{background:#fde2e1}
table{width:100%;border-collapse:collapse;font-size:.95rem}td,th{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #eceef1;vertical-align:top}
ul{margin:.3rem 0;padding-left:1.2rem}code{font-size:.85rem;word-break:break-all}
)";

std::string esc(const json& v) { return html_escape(v.is_string() ? v.get<std::string>() : v.dump()); }

std::string when(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string job_row(const json& j, int64_t now) {
  std::string last = "<span class=muted>never</span>";
  if (j.contains("last")) {
    const json& l = j["last"];
    std::string outcome = l["outcome"];
    std::string cls = outcome == "ok" ? "ok" : outcome == "running" || outcome == "unavailable" ? "muted" : "bad";
    last = "<span class=" + cls + ">" + esc(outcome) + "</span> " + human_age(l["age_seconds"].get<int64_t>()) + " ago";
    if (!l["detail"].get<std::string>().empty()) last += "<br><span class=muted>" + esc(l["detail"]) + "</span>";
  }
  std::string next = j.value("running", false) ? "<b>running now</b>" : "";
  if (next.empty() && j.contains("next")) next = "in " + human_age(j["next"].get<int64_t>() - now);
  if (next.empty()) next = "<span class=muted>" + esc(j["schedule"]) + "</span>";
  return "<tr><td>" + esc(j["job"]) + "</td><td>" + last + "</td><td>" + next + "</td></tr>";
}

std::string containers_table(const json& s) {
  if (s.contains("engine_error")) return "<p class=bad>Engine: " + esc(s["engine_error"]) + "</p>";
  std::string out = "<table><tr><th>Container</th><th>State</th><th>Gen</th></tr>";
  for (const auto& c : s["containers"]) {
    std::string health = c["health"];
    std::string state = c["state"].get<std::string>() + (health.empty() ? "" : ", " + health);
    bool good = c["state"] == "running" && health != "unhealthy";
    out += "<tr><td>" + esc(c["name"]) + "</td><td class=" + (good ? "ok" : "bad") + ">" + html_escape(state) +
           "</td><td>" + esc(c["generation"]) + "</td></tr>";
  }
  if (s["containers"].empty()) out += "<tr><td colspan=3 class=muted>no containers</td></tr>";
  return out + "</table>";
}

std::string drift_block(const json& d) {
  if (!d.value("available", false)) return "<p class=muted>" + esc(d["reason"]) + "</p>";
  if (d["clean"].get<bool>()) return "<p class=ok>No drift: what runs is what the repository declares.</p>";
  std::string out = "<ul>";
  for (const auto& f : d["findings"])
    out += "<li><b>" + esc(f["kind"]) + "</b> " + esc(f["object"]) + ": " + esc(f["detail"]) +
           "<br><span class=muted>" + esc(f["action"]) + "</span></li>";
  return out + "</ul>";
}

std::string updates_block(const json& u) {
  if (!u["available"].get<bool>()) return "<p class=muted>" + esc(u["reason"]) + "</p>";
  const json& list = u["value"]["updates"];
  if (list.empty()) return "<p class=ok>Up to date.</p>";
  std::string out = "<ul>";
  for (const auto& x : list)
    out += "<li>" + std::string(x.value("security", false) ? "<b class=bad>security</b> " : "") +
           esc(x.value("name", "")) + " " + esc(x.value("from", "")) + " &rarr; " + esc(x.value("to", "")) + "</li>";
  return out + "</ul>";
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  return buf;
}

std::string disk_block(const json& s) {
  std::string out;
  if (s.contains("disk") && s["disk"].contains("error"))
    out += "<p class=muted>disk use: " + esc(s["disk"]["error"]) + "</p>";
  std::string rows;
  if (s.contains("disk") && s["disk"].contains("volumes"))
    for (const auto& v : s["disk"]["volumes"])
      rows += "<tr><td>" + esc(v["name"]) + "</td><td>" + mib(v["bytes"].get<double>()) + "</td></tr>";
  if (s.contains("repository")) {
    const json& r = s["repository"];
    rows += "<tr><td>backup repository <span class=muted>" + esc(r.value("repository", "")) + "</span></td><td>" +
            (r.contains("bytes") ? mib(r["bytes"].get<double>()) : "<span class=bad>" + esc(r["error"]) + "</span>") +
            "</td></tr>";
  }
  return rows.empty() ? out : out + "<h3>Disk use</h3><table>" + rows + "</table>";
}

// The recorded generations, newest first, the live one marked.
std::string generations_table(const json& g) {
  if (!g["available"].get<bool>() || g["value"]["generations"].empty()) return "";
  std::string out = "<table><tr><th>Gen</th><th>Status</th><th>Started</th><th>Commit</th></tr>";
  for (const auto& r : g["value"]["generations"]) {
    std::string status = r["status"];
    std::string cls = r.value("live", false)                                               ? "ok"
                      : status == "failed" || status == "rolled-back" || status == "interrupted" ? "bad"
                                                                                                 : "muted";
    std::string commit = r.value("git_commit", "").substr(0, 10) + (r.value("git_dirty", false) ? "+" : "");
    out += "<tr><td>" + esc(r["generation"]) + (r.value("live", false) ? " <b>live</b>" : "") + "</td><td class=" +
           cls + ">" + html_escape(status) + (r.value("detail", "").empty() ? "" : "<br><span class=muted>" +
           esc(r["detail"]) + "</span>") + "</td><td>" + esc(r["started"]) + "</td><td><code>" +
           html_escape(commit) + "</code></td></tr>";
  }
  return out + "</table>";
}

std::string notify_block(const json& s) {
  if (!s.contains("notify")) return "";
  std::string out = "<h3>Notifications</h3><ul>";
  for (const auto& c : s["notify"]["channels"]) {
    out += "<li>" + esc(c["channel"]) + " <span class=muted>" + esc(c["target"]) + "</span>: ";
    if (c.contains("last_error"))
      out += "<span class=bad>" + esc(c["last_error"]) + "</span>";
    else if (c["last_ok"].get<int64_t>() > 0)
      out += "<span class=ok>delivered</span> " + when(c["last_ok"].get<int64_t>());
    else
      out += "<span class=muted>nothing sent yet</span>";
    out += "</li>";
  }
  out += "</ul>";
  if (s["notify"]["held"].get<int64_t>() > 0)
    out += "<p class=muted>" + esc(s["notify"]["held"]) + " change(s) held by the rate limit, sent as one digest</p>";
  return out;
}

std::string stack_section(const json& s, int64_t now) {
  std::string out = "<section id=\"stack-" + esc(s["name"]) + "\"><h2>" + esc(s["name"]) +
                    " <span class=" + (s["ok"].get<bool>() ? "ok>&#10003; ok" : "bad>&#9888; needs attention") +
                    "</span></h2>";
  if (!s["problems"].empty()) {
    out += "<ul class=bad>";
    for (const auto& p : s["problems"]) out += "<li>" + esc(p) + "</li>";
    out += "</ul>";
  }
  const json& g = s["generation"];
  std::string live = g["value"].value("live", "");
  out += "<p>Live generation: <b>" + (live.empty() ? std::string("none running") : html_escape(live)) + "</b>";
  if (!g["available"].get<bool>()) out += " <span class=muted>(" + esc(g["reason"]) + ")</span>";
  out += "</p>" + generations_table(g) + containers_table(s);
  out += "<h3>Jobs</h3><table><tr><th>Job</th><th>Last run</th><th>Next</th></tr>";
  for (const auto& j : s["jobs"]) out += job_row(j, now);
  out += "</table><h3>Drift</h3>" + drift_block(s["drift"]);
  out += "<h3>Pending updates</h3>" + updates_block(s["updates"]);
  return out + disk_block(s) + notify_block(s) + "</section>";
}

// A stack whose files could not be loaded: the error and what to do, nothing else is known.
std::string broken_section(const json& s) {
  return "<section><h2>" + esc(s["name"]) + " <span class=bad>&#9888; cannot be loaded</span></h2><p class=bad>" +
         esc(s["config_error"]) +
         "</p><p class=muted>Fix the file, then restart the agent; its other stacks keep running.</p></section>";
}

void metric(std::string& out, const std::string& name, const std::string& labels, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
}

// A label value in Prometheus' text format: backslash, quote and newline escaped.
std::string lv(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return "\"" + out + "\"";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_page(const json& status) {
  int64_t now = status["generated"];
  bool ok = status["ok"];
  std::string out =
      "<!doctype html><html lang=en><head><meta charset=utf-8>"
      "<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>slipway: " +
      std::string(ok ? "all good" : "needs attention") + "</title><style>" + kStyle + "</style></head><body><main>";
  out +=
      "<h1>slipway</h1><div class=\"banner " + std::string(ok ? "ok\">All good" : "bad\">Needs attention") + "</div>";
  if (status["agent"].contains("state_error"))
    out += "<section><p class=bad>" + esc(status["agent"]["state_error"]) + "</p></section>";
  for (const auto& s : status["stacks"]) out += s.contains("config_error") ? broken_section(s) : stack_section(s, now);
  out += "<p class=muted>" + when(now) + " &middot; agent up " + human_age(status["agent"]["uptime_seconds"]) +
         " &middot; JSON at /api/status and metrics at /metrics (with the agent's token)</p></main></body></html>\n";
  return out;
}

std::string render_metrics(const json& status) {
  std::string out;
  out += "# HELP slipway_agent_up The agent answers.\n# TYPE slipway_agent_up gauge\n";
  metric(out, "slipway_agent_up", "", 1);
  out +=
      "# TYPE slipway_stack_ok gauge\n# TYPE slipway_job_last_run_timestamp_seconds gauge\n"
      "# TYPE slipway_job_last_success_timestamp_seconds gauge\n# TYPE slipway_job_last_ok gauge\n"
      "# TYPE slipway_job_next_run_timestamp_seconds gauge\n# TYPE slipway_container_up gauge\n"
      "# TYPE slipway_drift_findings gauge\n# TYPE slipway_volume_bytes gauge\n# TYPE slipway_pending_updates gauge\n"
      "# TYPE slipway_repository_bytes gauge\n# TYPE slipway_notify_ok gauge\n";
  for (const auto& s : status["stacks"]) {
    std::string stack = "stack=" + lv(s["name"]);
    metric(out, "slipway_stack_ok", stack, s["ok"].get<bool>());
    if (s.contains("config_error")) continue;
    for (const auto& j : s["jobs"]) {
      std::string l = stack + ",job=" + lv(j["job"]);
      if (j.contains("last")) {
        metric(out, "slipway_job_last_run_timestamp_seconds", l, j["last"]["started"].get<double>());
        metric(out, "slipway_job_last_ok", l, j["last"]["outcome"] == "ok");
      }
      if (j.contains("last_ok"))
        metric(out, "slipway_job_last_success_timestamp_seconds", l, j["last_ok"]["finished"].get<double>());
      if (j.contains("next")) metric(out, "slipway_job_next_run_timestamp_seconds", l, j["next"].get<double>());
    }
    if (s.contains("containers"))
      for (const auto& c : s["containers"])
        metric(out, "slipway_container_up", stack + ",container=" + lv(c["name"]),
               c["state"] == "running" && c["health"] != "unhealthy");
    if (s["drift"].value("available", false))
      metric(out, "slipway_drift_findings", stack, static_cast<double>(s["drift"]["findings"].size()));
    if (s.contains("disk") && s["disk"].contains("volumes"))
      for (const auto& v : s["disk"]["volumes"])
        metric(out, "slipway_volume_bytes", stack + ",volume=" + lv(v["name"]), v["bytes"].get<double>());
    if (s.contains("repository") && s["repository"].contains("bytes"))
      metric(out, "slipway_repository_bytes", stack, s["repository"]["bytes"].get<double>());
    if (s.contains("notify"))
      for (const auto& c : s["notify"]["channels"])
        metric(out, "slipway_notify_ok", stack + ",channel=" + lv(c["channel"]), !c.contains("last_error"));
    if (s["updates"]["available"].get<bool>())
      metric(out, "slipway_pending_updates", stack, static_cast<double>(s["updates"]["value"]["updates"].size()));
  }
  return out;
}

bool token_matches(const std::string& authorization, const std::string& token) {
  const std::string prefix = "Bearer ";
  if (token.empty() || authorization.size() != prefix.size() + token.size() || authorization.rfind(prefix, 0) != 0)
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(authorization[prefix.size() + i] ^ token[i]);
  return diff == 0;
}

HttpHandler status_routes(std::function<json()> status, std::string token,
                          std::function<bool(const std::string&, const std::string&)> run_now) {
  return [status = std::move(status), token = std::move(token), run_now = std::move(run_now)](const HttpRequest& r) {
    const std::string text = "text/plain; charset=utf-8";
    if (r.method == "GET" && r.path == "/") return HttpResponse{200, "text/html; charset=utf-8", render_page(status())};
    if (r.method == "GET" && r.path == "/healthz") return HttpResponse{200, text, "ok\n"};
    bool api = r.path == "/metrics" || r.path.rfind("/api/", 0) == 0;
    if (!api) return HttpResponse{404, text, "not found (the page is at /)\n"};
    if (!token_matches(r.authorization, token))
      return HttpResponse{401, text,
                          "send the agent's token: Authorization: Bearer TOKEN (see `slipway agent --help`)\n"};
    if (r.method == "GET" && r.path == "/metrics")
      return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(status())};
    if (r.method == "GET" && r.path == "/api/status")
      return HttpResponse{200, "application/json", status().dump(2) + "\n"};
    const std::string run = "/api/run/";
    if (r.method == "POST" && r.path.rfind(run, 0) == 0) {
      std::string rest = r.path.substr(run.size());
      auto slash = rest.find('/');
      if (slash != std::string::npos && run_now(rest.substr(0, slash), rest.substr(slash + 1)))
        return HttpResponse{202, "application/json", "{\"queued\": true}\n"};
      return HttpResponse{404, text, "no such stack or job (GET /api/status lists them)\n"};
    }
    return HttpResponse{405, text, "method not allowed\n"};
  };
}

}  // namespace slipway::agent
