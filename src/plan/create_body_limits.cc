// Translator, limits: resources, devices, logging, restart policy, healthcheck, deploy.
#include "plan/translator.h"
#include "util/parse.h"

namespace slipway::plan {

void Translator::restart(const ojson& v) {
  std::string policy = str(v);
  json rp = {{"Name", ""}, {"MaximumRetryCount", 0}};
  if (policy == "no" || policy.empty())
    rp["Name"] = "no";
  else if (policy == "always" || policy == "unless-stopped")
    rp["Name"] = policy;
  else if (policy.rfind("on-failure", 0) == 0) {
    rp["Name"] = "on-failure";
    if (policy.size() > 10) {
      if (policy[10] != ':') bad("must be no, always, unless-stopped or on-failure[:N]");
      rp["MaximumRetryCount"] = integer(ojson(policy.substr(11)), "on-failure:N needs a number");
    }
  } else {
    bad("must be no, always, unless-stopped or on-failure[:N]");
  }
  host_["RestartPolicy"] = rp;
}

void Translator::healthcheck(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_object()) bad("must be a mapping");
  json hc = json::object();
  if (v.contains("disable") && boolean(v["disable"])) {
    config_["Healthcheck"] = {{"Test", {"NONE"}}};
    return;
  }
  for (const auto& [k, hv] : v.items()) {
    if (k == "test") {
      json test = strings(hv);
      if (hv.is_string()) test = json::array({"CMD-SHELL", hv.get<std::string>()});
      hc["Test"] = test;
    } else if (k == "interval")
      hc["Interval"] = duration(hv, k);
    else if (k == "timeout")
      hc["Timeout"] = duration(hv, k);
    else if (k == "start_period")
      hc["StartPeriod"] = duration(hv, k);
    else if (k == "start_interval") {
      need_api("1.44");
      hc["StartInterval"] = duration(hv, k);
    } else if (k == "retries")
      hc["Retries"] = integer(hv);
    else if (k == "disable")
      continue;
    else
      fail(path_ + "." + k, "is not supported by slipway (remove it)");
  }
  config_["Healthcheck"] = hc;
}

void Translator::ulimits(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_object()) bad("must be a mapping");
  json list = json::array();
  for (const auto& [name, lim] : v.items()) {
    int64_t soft, hard;
    if (lim.is_object()) {
      if (!lim.contains("soft") || !lim.contains("hard")) fail(path_ + "." + name, "needs soft and hard");
      soft = integer(lim["soft"]);
      hard = integer(lim["hard"]);
    } else {
      soft = hard = integer(lim);
    }
    list.push_back({{"Name", name}, {"Soft", soft}, {"Hard", hard}});
  }
  host_["Ulimits"] = list;
}

void Translator::logging(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_object()) bad("must be a mapping");
  json lc = {{"Type", ""}, {"Config", json::object()}};
  for (const auto& [k, lv] : v.items()) {
    if (k == "driver")
      lc["Type"] = str(lv);
    else if (k == "options")
      lc["Config"] = string_map(lv);
    else
      fail(path_ + "." + k, "is not supported by slipway (remove it)");
  }
  host_["LogConfig"] = lc;
}

void Translator::stdin_open(const ojson& v) {
  config_["OpenStdin"] = boolean(v);
  config_["AttachStdin"] = false;
}

void Translator::devices(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_array()) bad("must be a list");
  json list = json::array();
  for (const auto& d : v) {
    if (d.is_string()) {
      std::string s = d.get<std::string>();
      size_t a = s.find(':');
      std::string src = s.substr(0, a), dst = src, perm = "rwm";
      if (a != std::string::npos) {
        size_t b = s.find(':', a + 1);
        dst = s.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
        if (b != std::string::npos) perm = s.substr(b + 1);
      }
      list.push_back({{"PathOnHost", src}, {"PathInContainer", dst}, {"CgroupPermissions", perm}});
    } else if (d.is_object() && d.contains("source")) {
      std::string src = str(d["source"]);
      list.push_back({{"PathOnHost", src},
                      {"PathInContainer", d.contains("target") ? str(d["target"]) : src},
                      {"CgroupPermissions", d.contains("permissions") ? str(d["permissions"]) : "rwm"}});
    } else {
      bad("entries must name a source device");
    }
  }
  host_["Devices"] = list;
}

void Translator::memswap_limit(const ojson& v) {
  host_["MemorySwap"] = v.is_number_integer() && v.get<int64_t>() == -1 ? int64_t(-1) : bytes(v);
}

int64_t Translator::nano_cpus(const ojson& v) const {
  double cpus = 0;
  if (v.is_number())
    cpus = v.get<double>();
  else if (auto parsed = v.is_string() ? parse_double(v.get<std::string>()) : std::nullopt) {
    cpus = *parsed;
  } else {
    bad("must be a number of CPUs like 0.5");
  }
  return static_cast<int64_t>(cpus * 1e9);
}

void Translator::deploy(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_object()) bad("must be a mapping");
  for (const auto& [k, dv] : v.items()) {
    std::string base = path_;
    if (k == "replicas" || dv.is_null() || (dv.is_object() && dv.empty())) continue;
    if (k == "mode") {
      if (str(dv) != "replicated") fail(base + ".mode", "must be replicated (global is swarm-only)");
    } else if (k == "resources") {
      if (!dv.is_object()) fail(base + ".resources", "must be a mapping");
      for (const auto& [rk, rv] : dv.items()) {
        if (!rv.is_object()) continue;
        for (const auto& [lk, lv] : rv.items()) {
          path_ = base + ".resources." + rk + "." + lk;
          if (rk == "limits" && lk == "memory")
            host_["Memory"] = bytes(lv);
          else if (rk == "limits" && lk == "cpus")
            host_["NanoCpus"] = nano_cpus(lv);
          else if (rk == "limits" && lk == "pids")
            host_["PidsLimit"] = integer(lv);
          else if (rk == "reservations" && lk == "memory")
            host_["MemoryReservation"] = bytes(lv);
          else if (rk == "reservations" && lk == "cpus")
            continue;  // a scheduling hint without an engine setting
          else
            fail(path_, "is not supported by slipway (remove it)");
        }
      }
    } else if (k == "restart_policy") {
      path_ = base + ".restart_policy";
      if (spec_.contains("restart")) continue;  // `restart:` wins, as in Compose
      std::string cond = dv.contains("condition") ? str(dv["condition"]) : "any";
      json rp = {{"Name", cond == "none"         ? "no"
                          : cond == "on-failure" ? "on-failure"
                                                 : "always"},
                 {"MaximumRetryCount", 0}};
      if (cond != "none" && cond != "on-failure" && cond != "any") bad("condition must be none, on-failure or any");
      for (const auto& [pk, pv] : dv.items()) {
        if (pk == "condition") continue;
        if (pk == "max_attempts")
          rp["MaximumRetryCount"] = integer(pv);
        else
          fail(path_ + "." + pk, "is not supported by slipway (remove it)");
      }
      host_["RestartPolicy"] = rp;
    } else {
      fail(base + "." + k, "is swarm-only and not supported by slipway (remove it)");
    }
    path_ = base;
  }
}

}  // namespace slipway::plan
