#include "plan/create_body.h"

#include <map>
#include <set>

#include "plan/naming.h"
#include "plan/translator.h"
#include "plan/units.h"
#include "util/parse.h"

namespace slipway::plan {

bool api_at_least(const std::string& have, const std::string& need) {
  // "1.41" -> {1, 41}; what does not parse counts as 0.
  auto parse = [](const std::string& v) {
    size_t dot = v.find('.');
    auto major = parse_int(std::string_view(v).substr(0, dot), 0);
    auto minor =
        dot == std::string::npos ? std::optional<int64_t>(0) : parse_int(std::string_view(v).substr(dot + 1), 0);
    return std::pair{major.value_or(0), minor.value_or(0)};
  };
  return parse(have) >= parse(need);
}

bool planner_key(const std::string& key) {
  static const std::set<std::string> keys = {"build",          "depends_on", "scale",  "pull_policy", "profiles",
                                             "container_name", "develop",    "attach", "env_file",    "extends"};
  return keys.count(key) > 0 || key.rfind("x-", 0) == 0;
}

int stop_timeout_seconds(const ojson& spec) {
  if (!spec.is_object() || !spec.contains("stop_grace_period")) return 10;
  const ojson& v = spec["stop_grace_period"];
  std::optional<int64_t> ns;
  if (v.is_string())
    ns = parse_duration_ns(v.get<std::string>());
  else if (v.is_number_integer())
    ns = v.get<int64_t>();
  if (!ns || *ns < 0) return 10;
  return static_cast<int>((*ns + 999999999) / 1000000000);
}

ContainerSpec container_spec(const compose::Model& model, const CreateContext& context) {
  if (!model.has_service(context.service)) throw UserError(context.where, "no such service: " + context.service);
  return Translator(model, context).run();
}

ContainerSpec container_spec(const ojson& model, const CreateContext& context) {
  compose::Project project;
  project.name = context.project;
  project.model = model;
  return container_spec(compose::Model(project), context);
}

// Every service key the translator reads, and the member that reads it.
const Translator::Handlers& Translator::handlers() {
  static const Handlers table = {
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
  return table;
}

ContainerSpec Translator::run() {
  out_.name = model_.service(ctx_.service).container_name(ctx_.project, ctx_.number);
  config_ = json::object();
  host_ = json::object();
  config_["Image"] = ctx_.image;
  for (const auto& [key, value] : spec_.items()) {
    if (planner_key(key)) continue;
    auto it = handlers().find(key);
    if (it == handlers().end())
      fail(key, "is not supported by slipway (remove it, or run this stack with docker compose)");
    path_ = key;
    (this->*(it->second))(value);
  }
  attach_networks();
  labels();
  out_.stop_timeout = stop_timeout_seconds(spec_);
  json body = config_;
  body["HostConfig"] = host_;
  body["NetworkingConfig"] = {{"EndpointsConfig", endpoints_}};
  out_.body = std::move(body);
  return std::move(out_);
}

void Translator::fail(const std::string& path, const std::string& what) const {
  throw UserError(ctx_.where, "services." + ctx_.service + "." + path + " " + what);
}

std::string Translator::str(const ojson& v) const {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  bad("must be a string");
}

int64_t Translator::integer(const ojson& v, const std::string& what) const {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) return static_cast<int64_t>(v.get<double>());
  if (v.is_string())
    if (auto n = parse_int(v.get<std::string>())) return *n;
  bad(what);
}

int64_t Translator::bytes(const ojson& v) const {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    auto b = parse_bytes(v.get<std::string>());
    if (b) return *b;
  }
  bad("must be a byte size like \"64m\"");
}

int64_t Translator::duration(const ojson& v, const std::string& key) const {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    auto d = parse_duration_ns(v.get<std::string>());
    if (d) return *d;
  }
  fail(path_ + "." + key, "must be a duration like \"30s\"");
}

bool Translator::boolean(const ojson& v) const {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string() && (v == "true" || v == "false")) return v == "true";
  bad("must be true or false");
}

json Translator::strings(const ojson& v) const {
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

json Translator::string_map(const ojson& v) const {
  json out = json::object();
  if (v.is_null()) return out;
  if (!v.is_object()) bad("must be a mapping");
  for (const auto& [k, item] : v.items()) out[k] = item.is_null() ? std::string() : str(item);
  return out;
}

// Compose's two spellings of a string map: a mapping, or a list of "key=value" ("key" alone
// maps to "").
json Translator::key_value_map(const ojson& v) const {
  if (!v.is_array()) return string_map(v);
  json out = json::object();
  for (const auto& item : v) {
    std::string s = str(item);
    size_t eq = s.find('=');
    out[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
  }
  return out;
}

void Translator::need_api(const std::string& version) const {
  if (!api_at_least(ctx_.api_version, version))
    bad("needs Docker API " + version + " but the engine speaks " + ctx_.api_version +
        " (remove it or upgrade the engine)");
}

void Translator::environment(const ojson& v) {
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

void Translator::labels() {
  json l = json::object();
  if (spec_.contains("labels")) {
    path_ = "labels";
    l = key_value_map(spec_["labels"]);
  }
  for (const auto& [k, v] : ctx_.labels) l[k] = v;
  config_["Labels"] = l;
}

}  // namespace slipway::plan
