#include "checks/report.h"

#include <cstdio>
#include <ctime>
#include <sstream>

#include "util/error.h"

namespace slipway::checks {

namespace {

const char* kRed = "\033[31m";
const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kReset = "\033[0m";

std::string paint(const std::string& s, const char* color, bool on) { return on ? color + s + kReset : s; }

std::string seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// "File: /etc/passwd: mode", the name of one test.
std::string test_name(const CheckResult& r, const PropertyOutcome& p) {
  std::string s = display_type(r.check.type) + ": " + r.check.id;
  if (!p.property.empty()) s += ": " + p.property;
  return s;
}

std::string expected_text(const PropertyOutcome& p) {
  json e = p.detail.expected;
  if (e.is_string()) return e.get<std::string>();
  return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string failure_text(const PropertyOutcome& p) {
  if (p.error) return "Error: " + *p.error;
  return p.detail.human();
}

std::string indent(const std::string& s, const std::string& pad) {
  std::string out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out += pad + line + "\n";
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
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
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += "?";
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string tap_line(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

}  // namespace

Format parse_format(const std::string& name) {
  if (name == "human") return Format::Human;
  if (name == "tap") return Format::Tap;
  if (name == "junit") return Format::Junit;
  if (name == "json") return Format::Json;
  throw UserError("unknown --format \"" + name + "\" (choose human, tap, junit or json)");
}

std::string display_type(const std::string& type) {
  if (type == "http") return "HTTP";
  if (type == "dns") return "DNS";
  if (type == "kernel-param") return "KernelParam";
  std::string s = type;
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

Summary summarize(const Report& report) {
  Summary s;
  for (const auto& r : report.results)
    for (const auto& p : r.properties) {
      ++s.tests;
      if (p.status == Status::Fail) ++s.failed;
      if (p.status == Status::Skip) ++s.skipped;
    }
  return s;
}

std::string human_progress(const CheckResult& r, bool color) {
  Status st = r.status();
  std::string tag = st == Status::Pass   ? paint("PASS", kGreen, color)
                    : st == Status::Fail ? paint("FAIL", kRed, color)
                                         : paint("SKIP", kYellow, color);
  std::string s = tag + "  " + display_type(r.check.type) + ": " + r.check.id;
  if (!r.check.service.empty()) s += "  [" + r.check.service + "]";
  if (!r.check.title.empty()) s += "  " + r.check.title;
  s += "  (" + std::to_string(r.duration.count()) + "ms";
  if (r.attempts > 1) s += ", " + std::to_string(r.attempts) + " attempts";
  s += ")";
  return s;
}

std::string report_human(const Report& report, bool color) {
  std::string out;
  bool header = false;
  for (const auto& r : report.results) {
    Status st = r.status();
    bool interesting = st != Status::Pass;
    for (const auto& p : r.properties) interesting = interesting || p.status != Status::Pass;
    if (!interesting) continue;
    if (!header) {
      out += "Failures/Skipped:\n\n";
      header = true;
    }
    if (!r.check.title.empty()) out += "Title: " + r.check.title + "\n";
    if (r.check.meta.is_object() && !r.check.meta.empty()) {
      out += "Meta:\n";
      for (auto it = r.check.meta.begin(); it != r.check.meta.end(); ++it)
        out += "    " + it.key() + ": " +
               (it.value().is_string() ? it.value().get<std::string>()
                                       : it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
               "\n";
    }
    if (!r.check.service.empty()) out += "Runs in: " + r.check.service + "\n";
    for (const auto& p : r.properties) {
      if (p.status == Status::Fail) {
        out += paint(test_name(r, p) + ":\n" + failure_text(p), kRed, color) + "\n";
      } else if (p.status == Status::Skip) {
        std::string why = p.skip_reason.empty() ? "" : " (" + p.skip_reason + ")";
        out += paint(test_name(r, p) + ": skipped" + why, kYellow, color) + "\n";
      }
    }
    if (st == Status::Fail && r.attempts > 1) out += "(failed " + std::to_string(r.attempts) + " attempts)\n";
    if (st == Status::Fail && !r.logs_tail.empty())
      out += "Last log lines of service " + r.check.service + ":\n" + indent(r.logs_tail, "  | ");
    out += "\n";
  }
  Summary s = summarize(report);
  out += "Total Duration: " + seconds(report.duration) + "s\n";
  std::string counts = "Count: " + std::to_string(s.tests) + ", Failed: " + std::to_string(s.failed) +
                       ", Skipped: " + std::to_string(s.skipped);
  out += paint(counts, s.failed ? kRed : kGreen, color) + "\n";
  return out;
}

std::string report_tap(const Report& report) {
  Summary s = summarize(report);
  std::string out = "1.." + std::to_string(s.tests) + "\n";
  int n = 0;
  for (const auto& r : report.results) {
    for (const auto& p : r.properties) {
      ++n;
      std::string name = test_name(r, p);
      if (!r.check.title.empty()) name = r.check.title + ": " + name;
      if (!r.check.service.empty()) name += " [" + r.check.service + "]";
      if (p.status == Status::Pass) {
        out += "ok " + std::to_string(n) + " - " + tap_line(name + ": matches expectation: " + expected_text(p)) + "\n";
      } else if (p.status == Status::Skip) {
        out += "ok " + std::to_string(n) + " - # SKIP " +
               tap_line(name + ": skipped" + (p.skip_reason.empty() ? "" : " (" + p.skip_reason + ")")) + "\n";
      } else {
        out += "not ok " + std::to_string(n) + " - " + tap_line(name) + "\n";
        out += indent(failure_text(p), "# ");
        if (!r.logs_tail.empty()) out += "# last log lines:\n" + indent(r.logs_tail, "#   ");
      }
    }
  }
  return out;
}

std::string report_junit(const Report& report) {
  Summary s = summarize(report);
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuite name=\"" + xml_escape(report.suite) + "\" errors=\"0\" tests=\"" + std::to_string(s.tests) +
         "\" failures=\"" + std::to_string(s.failed) + "\" skipped=\"" + std::to_string(s.skipped) + "\" time=\"" +
         seconds(report.duration) + "\" timestamp=\"" + ts + "\">\n";
  for (const auto& r : report.results) {
    for (const auto& p : r.properties) {
      std::string classname =
          r.check.service.empty() ? display_type(r.check.type) : r.check.service + "." + display_type(r.check.type);
      out += "<testcase name=\"" + xml_escape((r.check.title.empty() ? "" : r.check.title + ": ") + test_name(r, p)) +
             "\" classname=\"" + xml_escape(classname) + "\" time=\"" + seconds(r.duration) + "\">\n";
      if (p.status == Status::Fail) {
        std::string msg = p.error ? *p.error : p.detail.message;
        out += "<failure message=\"" + xml_escape(msg) + "\">" + xml_escape(failure_text(p)) + "</failure>\n";
        if (!r.logs_tail.empty()) out += "<system-out>" + xml_escape(r.logs_tail) + "</system-out>\n";
      } else if (p.status == Status::Skip) {
        out += "<skipped" + (p.skip_reason.empty() ? std::string() : " message=\"" + xml_escape(p.skip_reason) + "\"") +
               "/>\n";
      } else {
        out += "<system-out>" + xml_escape(test_name(r, p) + ": matches expectation: " + expected_text(p)) +
               "</system-out>\n";
      }
      out += "</testcase>\n";
    }
  }
  out += "</testsuite>\n";
  return out;
}

std::string report_json(const Report& report) {
  json results = json::array();
  for (const auto& r : report.results) {
    for (const auto& p : r.properties) {
      json j = {{"successful", p.status == Status::Pass},
                {"skipped", p.status == Status::Skip},
                {"result", p.status == Status::Pass   ? 0
                           : p.status == Status::Fail ? 1
                                                      : 2},
                {"resource-type", display_type(r.check.type)},
                {"resource-id", r.check.id},
                {"property", p.property},
                {"title", r.check.title},
                {"meta", r.check.meta},
                {"service", r.check.service},
                {"err", p.error ? json(*p.error) : json(nullptr)},
                {"matcher-result", p.detail.to_json()},
                {"duration", r.duration.count() * 1000000LL},
                {"attempts", r.attempts}};
      if (!p.skip_reason.empty()) j["skip-reason"] = p.skip_reason;
      if (p.status == Status::Fail) {
        j["human"] = failure_text(p);
        if (!r.logs_tail.empty()) j["logs"] = r.logs_tail;
      }
      results.push_back(std::move(j));
    }
  }
  Summary s = summarize(report);
  json doc = {{"results", results},
              {"summary",
               {{"test-count", s.tests},
                {"failed-count", s.failed},
                {"skipped-count", s.skipped},
                {"total-duration", report.duration.count() * 1000000LL}}}};
  // Invalid UTF-8 from a container (binary output) must not abort the report.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render(const Report& report, Format format, bool color) {
  switch (format) {
    case Format::Human:
      return report_human(report, color);
    case Format::Tap:
      return report_tap(report);
    case Format::Junit:
      return report_junit(report);
    case Format::Json:
      return report_json(report);
  }
  return "";
}

}  // namespace slipway::checks
