#include "plan/create_body.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "plan/naming.h"
#include "plan/units.h"

namespace slipway::plan {

using json = nlohmann::json;

bool api_at_least(const std::string& have, const std::string& need) {
  auto parse = [](const std::string& v) {
    int major = 0, minor = 0;
    size_t dot = v.find('.');
    try {
      major = std::stoi(v.substr(0, dot));
      if (dot != std::string::npos) minor = std::stoi(v.substr(dot + 1));
    } catch (...) {
    }
    return std::pair{major, minor};
  };
  return parse(have) >= parse(need);
}

bool planner_key(const std::string& key) {
  static const std::set<std::string> keys = {
      "build",      "depends_on", "scale",   "pull_policy", "profiles", "container_name",
      "develop",    "attach",     "env_file", "extends"};
  return keys.count(key) > 0 || key.rfind("x-", 0) == 0;
}

namespace {

// Builds one container's request; `fail` reports a problem at services.<name>.<path>.
class Translator {
 public:
  Translator(const ojson& model, const CreateContext& ctx)
      : model_(model), ctx_(ctx), spec_(model["services"][ctx.service]) {}

  ContainerSpec run() {
    out_.name = container_name(ctx_.project, ctx_.service, spec_, ctx_.number);
    config_ = json::object();
    host_ = json::object();
    config_["Image"] = ctx_.image;
    static const std::map<std::string, void (Translator::*)(const ojson&)> handlers = {
        {"image", &Translator::ignore},
        {"command", &Translator::command},
        {"entrypoint", &Translator::entrypoint},
        {"environment", &Translator::environment},
        {"ports", &Translator::ports},
        {"expose", &Translator::expose},
        {"volumes", &Translator::volumes},
        {"tmpfs", &Translator::tmpfs},
        {"secrets", &Translator::secrets},
        {"configs", &Translator::configs},
        {"restart", &Translator::restart},
        {"healthcheck", &Translator::healthcheck},
        {"networks", &Translator::ignore},  // with network_mode, below
        {"network_mode", &Translator::ignore},
        {"user", &Translator::user},
        {"working_dir", &Translator::working_dir},
        {"labels", &Translator::ignore},  // merged with ours at the end
        {"cap_add", &Translator::cap_add},
        {"cap_drop", &Translator::cap_drop},
        {"init", &Translator::init},
        {"read_only", &Translator::read_only},
        {"ulimits", &Translator::ulimits},
        {"sysctls", &Translator::sysctls},
        {"extra_hosts", &Translator::extra_hosts},
        {"logging", &Translator::logging},
        {"hostname", &Translator::hostname},
        {"domainname", &Translator::domainname},
        {"stop_signal", &Translator::stop_signal},
        {"stop_grace_period", &Translator::stop_grace_period},
        {"tty", &Translator::tty},
        {"stdin_open", &Translator::stdin_open},
        {"privileged", &Translator::privileged},
        {"dns", &Translator::dns},
        {"dns_search", &Translator::dns_search},
        {"dns_opt", &Translator::dns_opt},
        {"devices", &Translator::devices},
        {"device_cgroup_rules", &Translator::device_cgroup_rules},
        {"security_opt", &Translator::security_opt},
        {"group_add", &Translator::group_add},
        {"pid", &Translator::pid},
        {"ipc", &Translator::ipc},
        {"uts", &Translator::uts},
        {"userns_mode", &Translator::userns_mode},
        {"cgroup", &Translator::cgroup},
        {"cgroup_parent", &Translator::cgroup_parent},
        {"runtime", &Translator::runtime},
        {"platform", &Translator::platform},
        {"isolation", &Translator::isolation},
        {"shm_size", &Translator::shm_size},
        {"mem_limit", &Translator::mem_limit},
        {"mem_reservation", &Translator::mem_reservation},
        {"memswap_limit", &Translator::memswap_limit},
        {"mem_swappiness", &Translator::mem_swappiness},
        {"oom_kill_disable", &Translator::oom_kill_disable},
        {"oom_score_adj", &Translator::oom_score_adj},
        {"pids_limit", &Translator::pids_limit},
        {"cpus", &Translator::cpus},
        {"cpu_shares", &Translator::cpu_shares},
        {"cpu_quota", &Translator::cpu_quota},
        {"cpu_period", &Translator::cpu_period},
        {"cpuset", &Translator::cpuset},
        {"storage_opt", &Translator::storage_opt},
        {"mac_address", &Translator::mac_address},
        {"links", &Translator::links},
        {"external_links", &Translator::external_links},
        {"volumes_from", &Translator::volumes_from},
        {"deploy", &Translator::deploy},
    };
    for (const auto& [key, value] : spec_.items()) {
      if (planner_key(key)) continue;
      auto it = handlers.find(key);
      if (it == handlers.end()) fail(key, "is not supported by slipway (remove it, or run this stack with docker compose)");
      path_ = key;
      (this->*(it->second))(value);
    }
    attach_networks();
    labels();
    if (host_.value("ReadonlyRootfs", false)) bind_files_read_only();
    out_.stop_timeout = stop_timeout_seconds(spec_);
    json body = config_;
    body["HostConfig"] = host_;
    body["NetworkingConfig"] = {{"EndpointsConfig", endpoints_}};
    out_.body = std::move(body);
    return std::move(out_);
  }

 private:
  const ojson& model_;
  const CreateContext& ctx_;
  const ojson& spec_;
  ContainerSpec out_;
  json config_;
  json host_;
  json endpoints_ = json::object();
  std::string path_;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw UserError(ctx_.where, "services." + ctx_.service + "." + path + " " + what);
  }
  [[noreturn]] void bad(const std::string& what) const { fail(path_, what); }

  std::string str(const ojson& v) const {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return v.dump();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    bad("must be a string");
  }
  int64_t integer(const ojson& v, const std::string& what = "must be a number") const {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) return static_cast<int64_t>(v.get<double>());
    if (v.is_string()) {
      try {
        size_t used = 0;
        int64_t n = std::stoll(v.get<std::string>(), &used);
        if (used == v.get<std::string>().size()) return n;
      } catch (...) {
      }
    }
    bad(what);
  }
  int64_t bytes(const ojson& v) const {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) {
      auto b = parse_bytes(v.get<std::string>());
      if (b) return *b;
    }
    bad("must be a byte size like \"64m\"");
  }
  int64_t duration(const ojson& v, const std::string& key) const {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) {
      auto d = parse_duration_ns(v.get<std::string>());
      if (d) return *d;
    }
    fail(path_ + "." + key, "must be a duration like \"30s\"");
  }
  bool boolean(const ojson& v) const {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string() && (v == "true" || v == "false")) return v == "true";
    bad("must be true or false");
  }
  json strings(const ojson& v) const {
    json out = json::array();
    if (v.is_null()) return out;
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
      return out;
    }
    if (!v.is_array()) bad("must be a list of strings");
    for (const auto& item : v) out.push_back(str(item));
    return out;
  }
  json string_map(const ojson& v) const {
    json out = json::object();
    if (v.is_null()) return out;
    if (!v.is_object()) bad("must be a mapping");
    for (const auto& [k, item] : v.items()) out[k] = item.is_null() ? std::string() : str(item);
    return out;
  }
  // Compose's two spellings of a string map: a mapping, or a list of "key=value" ("key" alone
  // maps to "").
  json key_value_map(const ojson& v) const {
    if (!v.is_array()) return string_map(v);
    json out = json::object();
    for (const auto& item : v) {
      std::string s = str(item);
      size_t eq = s.find('=');
      out[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
    return out;
  }
  void need_api(const std::string& version) const {
    if (!api_at_least(ctx_.api_version, version))
      bad("needs Docker API " + version + " but the engine speaks " + ctx_.api_version +
          " (remove it or upgrade the engine)");
  }

  void ignore(const ojson&) {}
  void command(const ojson& v) {
    if (!v.is_null()) config_["Cmd"] = strings(v);
  }
  void entrypoint(const ojson& v) {
    if (!v.is_null()) config_["Entrypoint"] = strings(v);
  }
  void environment(const ojson& v) {
    json env = json::array();
    if (v.is_object()) {
      for (const auto& [k, item] : v.items()) env.push_back(item.is_null() ? k : k + "=" + str(item));
    } else if (v.is_array()) {
      for (const auto& item : v) env.push_back(str(item));
    } else if (!v.is_null()) {
      bad("must be a mapping");
    }
    config_["Env"] = env;
  }

  void expose_port(const std::string& port) {
    std::string p = port.find('/') == std::string::npos ? port + "/tcp" : port;
    size_t slash = p.find('/');
    std::string range = p.substr(0, slash), proto = p.substr(slash);
    size_t dash = range.find('-');
    if (dash == std::string::npos) {
      config_["ExposedPorts"][p] = json::object();
      return;
    }
    int64_t lo, hi;
    try {
      lo = std::stoll(range.substr(0, dash));
      hi = std::stoll(range.substr(dash + 1));
    } catch (...) {
      bad("has a malformed port range \"" + port + "\"");
    }
    if (hi < lo || hi - lo > 65535) bad("has a malformed port range \"" + port + "\"");
    for (int64_t n = lo; n <= hi; ++n) config_["ExposedPorts"][std::to_string(n) + proto] = json::object();
  }
  void ports(const ojson& v) {
    if (v.is_null()) return;
    if (!v.is_array()) bad("must be a list");
    for (const auto& p : v) {
      if (!p.is_object() || !p.contains("target")) bad("entries must be long-form ports with a target");
      for (const auto& [k, _] : p.items())
        if (k != "target" && k != "published" && k != "protocol" && k != "host_ip" && k != "mode" && k != "name" &&
            k != "app_protocol")
          fail(path_ + "." + k, "is not supported by slipway (remove it)");
      std::string proto = p.contains("protocol") ? str(p["protocol"]) : "tcp";
      std::string mode = p.contains("mode") ? str(p["mode"]) : "ingress";
      if (mode != "ingress" && mode != "host") bad("mode must be ingress or host");
      std::string key = str(p["target"]) + "/" + proto;
      config_["ExposedPorts"][key] = json::object();
      json binding = json::object();
      binding["HostIp"] = p.contains("host_ip") ? str(p["host_ip"]) : "";
      binding["HostPort"] = p.contains("published") && !p["published"].is_null() ? str(p["published"]) : "";
      host_["PortBindings"][key].push_back(binding);
    }
  }
  void expose(const ojson& v) {
    for (const auto& item : strings(v)) expose_port(item.get<std::string>());
  }

  void volumes(const ojson& v) {
    if (v.is_null()) return;
    if (!v.is_array()) bad("must be a list");
    for (const auto& m : v) {
      if (!m.is_object() || !m.contains("type") || !m.contains("target"))
        bad("entries must be long-form mounts with a type and a target");
      std::string type = str(m["type"]);
      std::string target = str(m["target"]);
      bool ro = m.contains("read_only") && boolean(m["read_only"]);
      for (const auto& [k, _] : m.items()) {
        static const std::set<std::string> known = {"type", "source", "target", "read_only", "consistency",
                                                    "bind", "volume", "tmpfs"};
        if (!known.count(k)) fail(path_ + "." + k, "is not supported by slipway (remove it)");
      }
      json mount = {{"Type", type}, {"Target", target}};
      if (ro) mount["ReadOnly"] = true;
      if (type == "bind") {
        std::string source = m.contains("source") ? str(m["source"]) : "";
        if (source.empty()) bad("bind mount of " + target + " needs a source");
        const ojson bind = m.contains("bind") && m["bind"].is_object() ? m["bind"] : ojson::object();
        bool create = true;
        std::string options = ro ? "ro" : "rw";
        for (const auto& [k, bv] : bind.items()) {
          if (k == "create_host_path") create = boolean(bv);
          else if (k == "propagation") options += "," + str(bv);
          else if (k == "selinux") options += "," + str(bv);
          else fail(path_ + ".bind." + k, "is not supported by slipway (remove it)");
        }
        // The legacy Binds form lets the daemon create a missing host directory, which is
        // what Compose does for the short syntax; Mounts refuse a missing source.
        if (create) {
          host_["Binds"].push_back(source + ":" + target + ":" + options);
        } else {
          mount["Source"] = source;
          if (bind.contains("propagation")) mount["BindOptions"]["Propagation"] = str(bind["propagation"]);
          if (bind.contains("selinux")) bad("bind.selinux needs create_host_path (remove one of them)");
          host_["Mounts"].push_back(mount);
        }
      } else if (type == "volume") {
        if (m.contains("source") && !m["source"].is_null() && !str(m["source"]).empty()) {
          std::string key = str(m["source"]);
          if (!model_.contains("volumes") || !model_["volumes"].contains(key))
            bad("mounts undefined volume \"" + key + "\" (declare it under the top-level volumes:)");
          mount["Source"] = volume_name(model_, key);
        }
        if (m.contains("volume") && m["volume"].is_object()) {
          for (const auto& [k, vv] : m["volume"].items()) {
            if (k == "nocopy") mount["VolumeOptions"]["NoCopy"] = boolean(vv);
            else if (k == "subpath") {
              need_api("1.45");
              mount["VolumeOptions"]["Subpath"] = str(vv);
            } else fail(path_ + ".volume." + k, "is not supported by slipway (remove it)");
          }
        }
        host_["Mounts"].push_back(mount);
      } else if (type == "tmpfs") {
        if (m.contains("tmpfs") && m["tmpfs"].is_object()) {
          for (const auto& [k, tv] : m["tmpfs"].items()) {
            if (k == "size") mount["TmpfsOptions"]["SizeBytes"] = bytes(tv);
            else if (k == "mode") mount["TmpfsOptions"]["Mode"] = integer(tv);
            else fail(path_ + ".tmpfs." + k, "is not supported by slipway (remove it)");
          }
        }
        host_["Mounts"].push_back(mount);
      } else {
        bad("type \"" + type + "\" is not supported by slipway (use bind, volume or tmpfs)");
      }
    }
  }
  void tmpfs(const ojson& v) {
    for (const auto& item : strings(v)) {
      std::string s = item.get<std::string>();
      size_t colon = s.find(':');
      host_["Tmpfs"][s.substr(0, colon)] = colon == std::string::npos ? "" : s.substr(colon + 1);
    }
  }

  int file_mode(const ojson& v) const {
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_string()) {
      try {
        size_t used = 0;
        int m = std::stoi(v.get<std::string>(), &used, 8);
        if (used == v.get<std::string>().size() && m >= 0 && m <= 07777) return m;
      } catch (...) {
      }
    }
    bad("mode must be an octal file mode like \"0400\"");
  }
  void files(const ojson& v, const std::string& kind, const std::string& section) {
    if (v.is_null()) return;
    if (!v.is_array()) bad("must be a list");
    for (const auto& ref : v) {
      FileInjection f;
      f.kind = kind;
      if (ref.is_string()) f.name = ref.get<std::string>();
      else if (ref.is_object() && ref.contains("source")) f.name = str(ref["source"]);
      else bad("entries need a source");
      if (!model_.contains(section) || !model_[section].contains(f.name))
        bad("uses undefined " + kind + " \"" + f.name + "\" (declare it under the top-level " + section + ":)");
      const ojson& def = model_[section][f.name];
      std::string target = ref.is_object() && ref.contains("target") ? str(ref["target"]) : "";
      if (kind == "secret") {
        if (target.empty()) target = "/run/secrets/" + f.name;
        else if (target[0] != '/') target = "/run/secrets/" + target;
      } else {
        if (target.empty()) target = "/" + f.name;
      }
      f.target = target;
      if (ref.is_object()) {
        for (const auto& [k, rv] : ref.items()) {
          if (k == "source" || k == "target") continue;
          if (k == "uid") f.uid = static_cast<int>(integer(rv, "uid must be a number"));
          else if (k == "gid") f.gid = static_cast<int>(integer(rv, "gid must be a number"));
          else if (k == "mode") f.mode = file_mode(rv);
          else fail(path_ + "." + k, "is not supported by slipway (remove it)");
        }
      }
      if (def.contains("external") && def["external"].is_boolean() && def["external"].get<bool>())
        bad("uses external " + kind + " \"" + f.name +
            "\", which only exists in swarm mode (use file: or environment:)");
      if (def.contains("file")) f.source_file = str(def["file"]);
      else if (def.contains("environment")) f.environment = str(def["environment"]);
      else if (def.contains("content")) f.content = str(def["content"]);
      else bad("uses " + kind + " \"" + f.name + "\" that has no file:, environment: or content:");
      out_.files.push_back(f);
    }
  }
  void secrets(const ojson& v) { files(v, "secret", "secrets"); }
  void configs(const ojson& v) { files(v, "config", "configs"); }

  void restart(const ojson& v) {
    std::string policy = str(v);
    json rp = {{"Name", ""}, {"MaximumRetryCount", 0}};
    if (policy == "no" || policy.empty()) rp["Name"] = "no";
    else if (policy == "always" || policy == "unless-stopped") rp["Name"] = policy;
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
  void healthcheck(const ojson& v) {
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
      } else if (k == "interval") hc["Interval"] = duration(hv, k);
      else if (k == "timeout") hc["Timeout"] = duration(hv, k);
      else if (k == "start_period") hc["StartPeriod"] = duration(hv, k);
      else if (k == "start_interval") {
        need_api("1.44");
        hc["StartInterval"] = duration(hv, k);
      } else if (k == "retries") hc["Retries"] = integer(hv);
      else if (k == "disable") continue;
      else fail(path_ + "." + k, "is not supported by slipway (remove it)");
    }
    config_["Healthcheck"] = hc;
  }
  void user(const ojson& v) { config_["User"] = str(v); }
  void working_dir(const ojson& v) { config_["WorkingDir"] = str(v); }
  void cap_add(const ojson& v) { host_["CapAdd"] = strings(v); }
  void cap_drop(const ojson& v) { host_["CapDrop"] = strings(v); }
  void init(const ojson& v) { host_["Init"] = boolean(v); }
  void read_only(const ojson& v) { host_["ReadonlyRootfs"] = boolean(v); }
  void ulimits(const ojson& v) {
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
  void sysctls(const ojson& v) { host_["Sysctls"] = key_value_map(v); }
  void extra_hosts(const ojson& v) {
    json list = json::array();
    auto add = [&](const std::string& host, const std::string& ip) {
      // The engine splits "host:ip" at the first colon, so IPv6 addresses pass unchanged.
      list.push_back(host + ":" + ip);
    };
    if (v.is_object()) {
      for (const auto& [host, ip] : v.items()) {
        if (ip.is_array())
          for (const auto& one : ip) add(host, str(one));
        else
          add(host, str(ip));
      }
    } else {
      for (const auto& item : strings(v)) {
        std::string s = item.get<std::string>();
        size_t eq = s.find('=');
        if (eq == std::string::npos) eq = s.find(':');
        if (eq == std::string::npos) bad("entries must be host=ip");
        add(s.substr(0, eq), s.substr(eq + 1));
      }
    }
    host_["ExtraHosts"] = list;
  }
  void logging(const ojson& v) {
    if (v.is_null()) return;
    if (!v.is_object()) bad("must be a mapping");
    json lc = {{"Type", ""}, {"Config", json::object()}};
    for (const auto& [k, lv] : v.items()) {
      if (k == "driver") lc["Type"] = str(lv);
      else if (k == "options") lc["Config"] = string_map(lv);
      else fail(path_ + "." + k, "is not supported by slipway (remove it)");
    }
    host_["LogConfig"] = lc;
  }
  void hostname(const ojson& v) { config_["Hostname"] = str(v); }
  void domainname(const ojson& v) { config_["Domainname"] = str(v); }
  void stop_signal(const ojson& v) { config_["StopSignal"] = str(v); }
  void stop_grace_period(const ojson& v) { config_["StopTimeout"] = stop_timeout_seconds(spec_); }
  void tty(const ojson& v) { config_["Tty"] = boolean(v); }
  void stdin_open(const ojson& v) {
    config_["OpenStdin"] = boolean(v);
    config_["AttachStdin"] = false;
  }
  void privileged(const ojson& v) { host_["Privileged"] = boolean(v); }
  void dns(const ojson& v) { host_["Dns"] = strings(v); }
  void dns_search(const ojson& v) { host_["DnsSearch"] = strings(v); }
  void dns_opt(const ojson& v) { host_["DnsOptions"] = strings(v); }
  void devices(const ojson& v) {
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
  void device_cgroup_rules(const ojson& v) { host_["DeviceCgroupRules"] = strings(v); }
  void security_opt(const ojson& v) { host_["SecurityOpt"] = strings(v); }
  void group_add(const ojson& v) { host_["GroupAdd"] = strings(v); }
  std::string service_ref(const std::string& mode) const {
    // "service:x" -> the container of service x; Compose resolves it to the first container.
    std::string svc = mode.substr(8);
    if (!model_["services"].contains(svc)) bad("refers to undefined service \"" + svc + "\"");
    return "container:" + container_name(ctx_.project, svc, model_["services"][svc], 1);
  }
  void namespace_mode(const ojson& v, const char* field) {
    std::string mode = str(v);
    host_[field] = mode.rfind("service:", 0) == 0 ? service_ref(mode) : mode;
  }
  void pid(const ojson& v) { namespace_mode(v, "PidMode"); }
  void ipc(const ojson& v) { namespace_mode(v, "IpcMode"); }
  void uts(const ojson& v) { host_["UTSMode"] = str(v); }
  void userns_mode(const ojson& v) { host_["UsernsMode"] = str(v); }
  void cgroup(const ojson& v) { host_["CgroupnsMode"] = str(v); }
  void cgroup_parent(const ojson& v) { host_["CgroupParent"] = str(v); }
  void runtime(const ojson& v) { host_["Runtime"] = str(v); }
  void platform(const ojson& v) { out_.platform = str(v); }
  void isolation(const ojson& v) { host_["Isolation"] = str(v); }
  void shm_size(const ojson& v) { host_["ShmSize"] = bytes(v); }
  void mem_limit(const ojson& v) { host_["Memory"] = bytes(v); }
  void mem_reservation(const ojson& v) { host_["MemoryReservation"] = bytes(v); }
  void memswap_limit(const ojson& v) {
    host_["MemorySwap"] = v.is_number_integer() && v.get<int64_t>() == -1 ? int64_t(-1) : bytes(v);
  }
  void mem_swappiness(const ojson& v) { host_["MemorySwappiness"] = integer(v); }
  void oom_kill_disable(const ojson& v) { host_["OomKillDisable"] = boolean(v); }
  void oom_score_adj(const ojson& v) { host_["OomScoreAdj"] = integer(v); }
  void pids_limit(const ojson& v) { host_["PidsLimit"] = integer(v); }
  int64_t nano_cpus(const ojson& v) const {
    double cpus = 0;
    if (v.is_number()) cpus = v.get<double>();
    else if (v.is_string()) {
      try {
        cpus = std::stod(v.get<std::string>());
      } catch (...) {
        bad("must be a number of CPUs like 0.5");
      }
    } else {
      bad("must be a number of CPUs like 0.5");
    }
    return static_cast<int64_t>(cpus * 1e9);
  }
  void cpus(const ojson& v) { host_["NanoCpus"] = nano_cpus(v); }
  void cpu_shares(const ojson& v) { host_["CpuShares"] = integer(v); }
  void cpu_quota(const ojson& v) { host_["CpuQuota"] = integer(v); }
  void cpu_period(const ojson& v) { host_["CpuPeriod"] = integer(v); }
  void cpuset(const ojson& v) { host_["CpusetCpus"] = str(v); }
  void storage_opt(const ojson& v) { host_["StorageOpt"] = string_map(v); }
  void mac_address(const ojson& v) { config_["MacAddress"] = str(v); }
  void links(const ojson& v) {
    for (const auto& item : strings(v)) {
      std::string s = item.get<std::string>();
      size_t colon = s.find(':');
      std::string svc = s.substr(0, colon), alias = colon == std::string::npos ? svc : s.substr(colon + 1);
      if (!model_["services"].contains(svc)) bad("links to undefined service \"" + svc + "\"");
      host_["Links"].push_back(container_name(ctx_.project, svc, model_["services"][svc], 1) + ":" + alias);
    }
  }
  void external_links(const ojson& v) {
    for (const auto& item : strings(v)) {
      std::string s = item.get<std::string>();
      host_["Links"].push_back(s.find(':') == std::string::npos ? s + ":" + s : s);
    }
  }
  void volumes_from(const ojson& v) {
    for (const auto& item : strings(v)) {
      std::string s = item.get<std::string>();
      if (s.rfind("container:", 0) == 0) {
        host_["VolumesFrom"].push_back(s.substr(10));
        continue;
      }
      if (s.rfind("service:", 0) == 0) s = s.substr(8);
      size_t colon = s.find(':');
      std::string svc = s.substr(0, colon);
      if (!model_["services"].contains(svc)) bad("refers to undefined service \"" + svc + "\"");
      std::string name = container_name(ctx_.project, svc, model_["services"][svc], 1);
      host_["VolumesFrom"].push_back(colon == std::string::npos ? name : name + s.substr(colon));
    }
  }
  void deploy(const ojson& v) {
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
            if (rk == "limits" && lk == "memory") host_["Memory"] = bytes(lv);
            else if (rk == "limits" && lk == "cpus") host_["NanoCpus"] = nano_cpus(lv);
            else if (rk == "limits" && lk == "pids") host_["PidsLimit"] = integer(lv);
            else if (rk == "reservations" && lk == "memory") host_["MemoryReservation"] = bytes(lv);
            else if (rk == "reservations" && lk == "cpus") continue;  // a scheduling hint without an engine setting
            else fail(path_, "is not supported by slipway (remove it)");
          }
        }
      } else if (k == "restart_policy") {
        path_ = base + ".restart_policy";
        if (spec_.contains("restart")) continue;  // `restart:` wins, as in Compose
        std::string cond = dv.contains("condition") ? str(dv["condition"]) : "any";
        json rp = {{"Name", cond == "none" ? "no" : cond == "on-failure" ? "on-failure" : "always"},
                   {"MaximumRetryCount", 0}};
        if (cond != "none" && cond != "on-failure" && cond != "any") bad("condition must be none, on-failure or any");
        for (const auto& [pk, pv] : dv.items()) {
          if (pk == "condition") continue;
          if (pk == "max_attempts") rp["MaximumRetryCount"] = integer(pv);
          else fail(path_ + "." + pk, "is not supported by slipway (remove it)");
        }
        host_["RestartPolicy"] = rp;
      } else {
        fail(base + "." + k, "is swarm-only and not supported by slipway (remove it)");
      }
      path_ = base;
    }
  }

  void attach_networks() {
    std::string mode = spec_.contains("network_mode") ? str(spec_["network_mode"]) : "";
    if (!mode.empty()) {
      path_ = "network_mode";
      if (spec_.contains("networks") && !spec_["networks"].is_null() && !spec_["networks"].empty())
        fail("networks", "cannot be combined with network_mode (remove one)");
      host_["NetworkMode"] = mode.rfind("service:", 0) == 0 ? service_ref(mode) : mode;
      return;
    }
    path_ = "networks";
    ojson nets = spec_.contains("networks") && spec_["networks"].is_object() ? spec_["networks"]
                                                                              : ojson{{"default", nullptr}};
    // The primary network is the one with the highest priority, then the first by name:
    // that is the one whose settings (e.g. the default gateway) the container gets.
    std::vector<std::pair<std::string, int64_t>> order;
    for (const auto& [key, cfg] : nets.items()) {
      int64_t prio = cfg.is_object() && cfg.contains("priority") ? integer(cfg["priority"]) : 0;
      order.push_back({key, prio});
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return a.first < b.first;
    });
    bool first = true;
    for (const auto& [key, _] : order) {
      const ojson& cfg = nets[key];
      if (!model_.contains("networks") || !model_["networks"].contains(key)) {
        if (key != "default") bad("uses undefined network \"" + key + "\" (declare it under the top-level networks:)");
      }
      json ep = json::object();
      json aliases = json::array({ctx_.service});
      if (cfg.is_object()) {
        for (const auto& [k, nv] : cfg.items()) {
          path_ = "networks." + key + "." + k;
          if (k == "aliases") {
            for (const auto& a : strings(nv))
              if (std::find(aliases.begin(), aliases.end(), a) == aliases.end()) aliases.push_back(a);
          } else if (k == "ipv4_address") ep["IPAMConfig"]["IPv4Address"] = str(nv);
          else if (k == "ipv6_address") ep["IPAMConfig"]["IPv6Address"] = str(nv);
          else if (k == "link_local_ips") ep["IPAMConfig"]["LinkLocalIPs"] = strings(nv);
          else if (k == "priority") continue;
          else if (k == "mac_address") {
            need_api("1.44");
            ep["MacAddress"] = str(nv);
          } else if (k == "driver_opts") ep["DriverOpts"] = string_map(nv);
          else fail(path_, "is not supported by slipway (remove it)");
        }
      }
      ep["Aliases"] = aliases;
      std::string name = network_name(model_, key);
      if (first) {
        host_["NetworkMode"] = name;
        endpoints_[name] = ep;
        first = false;
      } else {
        out_.extra_networks.push_back({name, ep});
      }
    }
  }

  // The engine refuses to copy files into a read-only root filesystem, so there a file
  // secret is bind-mounted read-only instead, which cannot change its owner or mode.
  void bind_files_read_only() {
    for (const auto& f : out_.files) {
      path_ = f.kind + "s";
      if (f.source_file.empty())
        bad(f.kind + " \"" + f.name + "\" needs file: on a read_only container (the engine cannot copy into a read-only root filesystem)");
      if (f.uid != 0 || f.gid != 0 || f.mode != 0444)
        bad(f.kind + " \"" + f.name + "\" cannot get uid/gid/mode on a read_only container (drop them, or drop read_only)");
      host_["Binds"].push_back(f.source_file + ":" + f.target + ":ro");
    }
    out_.files.clear();
  }

  void labels() {
    json l = json::object();
    if (spec_.contains("labels")) {
      path_ = "labels";
      l = key_value_map(spec_["labels"]);
    }
    for (const auto& [k, v] : ctx_.labels) l[k] = v;
    config_["Labels"] = l;
  }
};

}  // namespace

int stop_timeout_seconds(const ojson& spec) {
  if (!spec.is_object() || !spec.contains("stop_grace_period")) return 10;
  const ojson& v = spec["stop_grace_period"];
  std::optional<int64_t> ns;
  if (v.is_string()) ns = parse_duration_ns(v.get<std::string>());
  else if (v.is_number_integer()) ns = v.get<int64_t>();
  if (!ns || *ns < 0) return 10;
  return static_cast<int>((*ns + 999999999) / 1000000000);
}

ContainerSpec container_spec(const ojson& model, const CreateContext& context) {
  if (!model.contains("services") || !model["services"].contains(context.service))
    throw UserError(context.where, "no such service: " + context.service);
  return Translator(model, context).run();
}

}  // namespace slipway::plan
