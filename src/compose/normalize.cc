// Normalization is a typed re-serialization: every value is decoded against a description of
// compose-go's model type (shapes below), which both converts short forms to long forms and
// fixes the key order and the omission of empty values that `docker compose config` shows.
#include "compose/normalize.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "compose/dotenv.h"
#include "compose/shapes.h"
#include "compose/values.h"

namespace slipway::compose {

namespace {

using yaml::Kind;
using yaml::Mark;
using yaml::Node;
using yaml::Style;

enum class T {
  Str, Int, IntKeep, Float, Bool, BoolKeep, OptOut, Dur, DurKeep, Bytes,
  StrList, StrOrList, Command, Mapping, MappingEq, MappingArgs, Labels,
  Struct, StructKeep, StructList, StructMap, Any,
  HealthTest, Hosts, Ulimits, Mode, Ports, Volumes, DependsOn, Networks,
  Secrets, Configs, Devices, Build, Expose, Extends, ExtMap, Drop,
  DeviceCount, Gpus, AbsPath
};

struct Shape;
struct Field {
  std::string key;
  T type;
  const Shape* shape = nullptr;
};
struct Shape {
  std::string name;
  std::vector<Field> fields;
  bool extensions = true;  // x-* keys kept (sorted, after the fields)
  const Field* find(const std::string& k) const {
    for (const Field& f : fields)
      if (f.key == k) return &f;
    return nullptr;
  }
};

// --- the model's shapes (compose-go v2.16.2 types.go field order) ------------------------

struct Shapes {
  Shape ipam_pool{"ipam_pool", {{"subnet", T::Str}, {"gateway", T::Str}, {"ip_range", T::Str}, {"aux_addresses", T::Mapping}}};
  Shape ipam{"ipam", {{"driver", T::Str}, {"config", T::StructList, &ipam_pool}, {"options", T::Mapping}}};
  Shape network{"network",
                {{"name", T::Str}, {"driver", T::Str}, {"driver_opts", T::Mapping}, {"ipam", T::Struct, &ipam},
                 {"external", T::Bool}, {"internal", T::Bool}, {"attachable", T::Bool}, {"labels", T::Labels},
                 {"enable_ipv4", T::BoolKeep}, {"enable_ipv6", T::BoolKeep}}};
  Shape volume{"volume", {{"name", T::Str}, {"driver", T::Str}, {"driver_opts", T::Mapping}, {"external", T::Bool}, {"labels", T::Labels}}};
  Shape file_object{"file_object",
                    {{"name", T::Str}, {"file", T::Str}, {"environment", T::Str}, {"content", T::Str}, {"external", T::Bool},
                     {"labels", T::Labels}, {"driver", T::Str}, {"driver_opts", T::Mapping}, {"template_driver", T::Str}}};
  Shape file_ref{"file_ref", {{"source", T::Str}, {"target", T::Str}, {"uid", T::Str}, {"gid", T::Str}, {"mode", T::Mode}}};
  Shape port{"port",
             {{"name", T::Str}, {"mode", T::Str}, {"host_ip", T::Str}, {"target", T::Int}, {"published", T::Str},
              {"protocol", T::Str}, {"app_protocol", T::Str}}};
  Shape vol_bind{"service_volume_bind", {{"selinux", T::Str}, {"propagation", T::Str}, {"create_host_path", T::OptOut}, {"recursive", T::Str}}};
  Shape vol_volume{"service_volume_volume", {{"labels", T::Mapping}, {"nocopy", T::Bool}, {"subpath", T::Str}}};
  Shape vol_tmpfs{"service_volume_tmpfs", {{"size", T::Bytes}, {"mode", T::Int}}};
  Shape vol_image{"service_volume_image", {{"subpath", T::Str}}};
  Shape service_volume{"service_volume",
                       {{"type", T::Str}, {"source", T::Str}, {"target", T::Str}, {"read_only", T::Bool}, {"consistency", T::Str},
                        {"bind", T::StructKeep, &vol_bind}, {"volume", T::StructKeep, &vol_volume},
                        {"tmpfs", T::StructKeep, &vol_tmpfs}, {"image", T::StructKeep, &vol_image}}};
  Shape service_network{"service_network",
                        {{"aliases", T::StrList}, {"driver_opts", T::Mapping}, {"gw_priority", T::Int}, {"interface_name", T::Str},
                         {"ipv4_address", T::Str}, {"ipv6_address", T::Str}, {"link_local_ips", T::StrList},
                         {"mac_address", T::Str}, {"priority", T::Int}, {"use_service_name_alias", T::BoolKeep}}};
  Shape dependency{"dependency", {{"condition", T::Str}, {"restart", T::Bool}, {"#ext", T::ExtMap}, {"required", T::BoolKeep}}, false};
  Shape healthcheck{"healthcheck",
                    {{"test", T::HealthTest}, {"timeout", T::DurKeep}, {"interval", T::DurKeep}, {"retries", T::IntKeep},
                     {"start_period", T::DurKeep}, {"start_interval", T::DurKeep}, {"disable", T::Bool}}};
  Shape logging{"logging", {{"driver", T::Str}, {"options", T::Mapping}}};
  Shape update{"update_config",
               {{"parallelism", T::IntKeep}, {"delay", T::Dur}, {"failure_action", T::Str}, {"monitor", T::Dur},
                {"max_failure_ratio", T::Float}, {"order", T::Str}}};
  Shape device_request{"device_request",
                       {{"capabilities", T::StrList}, {"driver", T::Str}, {"count", T::DeviceCount}, {"device_ids", T::StrList}, {"options", T::Mapping}}};
  Shape trigger{"trigger",
                {{"path", T::AbsPath}, {"action", T::Str}, {"target", T::Str}, {"exec", T::Any}, {"include", T::StrOrList},
                 {"ignore", T::StrOrList}, {"initial_sync", T::Bool}}};
  Shape develop{"develop", {{"watch", T::StructList, &trigger}}};
  Shape resource{"resource",
                 {{"cpus", T::Float}, {"memory", T::Bytes}, {"pids", T::Int}, {"devices", T::StructList, &device_request},
                  {"generic_resources", T::Any}}};
  Shape resources{"resources", {{"limits", T::StructKeep, &resource}, {"reservations", T::StructKeep, &resource}}};
  Shape restart_policy{"restart_policy", {{"condition", T::Str}, {"delay", T::DurKeep}, {"max_attempts", T::IntKeep}, {"window", T::DurKeep}}};
  Shape preference{"preference", {{"spread", T::Str}}};
  Shape placement{"placement", {{"constraints", T::StrList}, {"preferences", T::StructList, &preference}, {"max_replicas_per_node", T::Int}}};
  Shape deploy{"deploy",
               {{"mode", T::Str}, {"replicas", T::IntKeep}, {"labels", T::Labels}, {"update_config", T::StructKeep, &update},
                {"rollback_config", T::StructKeep, &update}, {"resources", T::Struct, &resources},
                {"restart_policy", T::StructKeep, &restart_policy}, {"placement", T::Struct, &placement}, {"endpoint_mode", T::Str}}};
  Shape build{"build",
              {{"context", T::Str}, {"dockerfile", T::Str}, {"dockerfile_inline", T::Str}, {"entitlements", T::StrList},
               {"args", T::MappingArgs}, {"provenance", T::Any}, {"sbom", T::Any}, {"ssh", T::Any}, {"labels", T::Labels},
               {"cache_from", T::StrOrList}, {"cache_to", T::StrOrList}, {"no_cache", T::Bool}, {"no_cache_filter", T::StrOrList},
               {"additional_contexts", T::Mapping}, {"pull", T::Bool}, {"extra_hosts", T::Hosts}, {"isolation", T::Str},
               {"network", T::Str}, {"target", T::Str}, {"secrets", T::Configs, &file_ref}, {"shm_size", T::Bytes},
               {"tags", T::StrOrList}, {"ulimits", T::Ulimits}, {"platforms", T::StrOrList}, {"privileged", T::Bool}}};
  Shape device{"device", {{"source", T::Str}, {"target", T::Str}, {"permissions", T::Str}}};
  Shape credential_spec{"credential_spec", {{"config", T::Str}, {"file", T::Str}, {"registry", T::Str}}};
  Shape extends{"extends", {{"file", T::Str}, {"service", T::Str}}, false};
  Shape weight_device{"weight_device", {{"path", T::Str}, {"weight", T::Int}}};
  Shape throttle_device{"throttle_device", {{"path", T::Str}, {"rate", T::Bytes}}};
  Shape blkio{"blkio_config",
              {{"weight", T::Int}, {"weight_device", T::StructList, &weight_device}, {"device_read_bps", T::StructList, &throttle_device},
               {"device_read_iops", T::StructList, &throttle_device}, {"device_write_bps", T::StructList, &throttle_device},
               {"device_write_iops", T::StructList, &throttle_device}}};
  Shape service{"service",
                {{"profiles", T::StrList}, {"deploy", T::StructKeep, &deploy}, {"develop", T::StructKeep, &develop}, {"restart", T::Str},
                 {"scale", T::IntKeep}, {"attach", T::BoolKeep}, {"container_name", T::Str}, {"provider", T::Any},
                 {"extends", T::Extends, &extends}, {"external_links", T::StrList}, {"links", T::StrList}, {"net", T::Str},
                 {"pre_start", T::Any}, {"post_start", T::Any}, {"pre_stop", T::Any},
                 // ContainerSpec
                 {"annotations", T::Mapping}, {"blkio_config", T::StructKeep, &blkio}, {"cap_add", T::StrList},
                 {"cap_drop", T::StrList}, {"cgroup_parent", T::Str}, {"cgroup", T::Str}, {"cpu_count", T::Int},
                 {"cpu_percent", T::Float}, {"cpu_period", T::Int}, {"cpu_quota", T::Int}, {"cpu_rt_period", T::Int},
                 {"cpu_rt_runtime", T::Int}, {"cpus", T::Float}, {"cpuset", T::Str}, {"cpu_shares", T::Int},
                 {"command", T::Command}, {"configs", T::Configs, &file_ref}, {"credential_spec", T::StructKeep, &credential_spec},
                 {"device_cgroup_rules", T::StrList}, {"devices", T::Devices, &device}, {"dns", T::StrOrList},
                 {"dns_opt", T::StrList}, {"dns_search", T::StrOrList}, {"domainname", T::Str}, {"entrypoint", T::Command},
                 {"environment", T::MappingEq}, {"env_file", T::Drop}, {"extra_hosts", T::Hosts}, {"group_add", T::StrList},
                 {"gpus", T::Gpus, &device_request}, {"hostname", T::Str}, {"image", T::Str}, {"init", T::BoolKeep}, {"ipc", T::Str},
                 {"isolation", T::Str}, {"labels", T::Labels}, {"label_file", T::StrOrList}, {"logging", T::StructKeep, &logging},
                 {"log_driver", T::Str}, {"log_opt", T::Mapping}, {"mem_limit", T::Bytes}, {"mem_reservation", T::Bytes},
                 {"memswap_limit", T::Bytes}, {"mem_swappiness", T::Bytes}, {"mac_address", T::Str}, {"models", T::Any},
                 {"network_mode", T::Str}, {"networks", T::Networks, &service_network}, {"oom_kill_disable", T::Bool},
                 {"oom_score_adj", T::Int}, {"pid", T::Str}, {"pids_limit", T::Int}, {"platform", T::Str},
                 {"privileged", T::Bool}, {"pull_policy", T::Str}, {"pull_refresh_after", T::Str}, {"read_only", T::Bool},
                 {"runtime", T::Str}, {"secrets", T::Secrets, &file_ref}, {"security_opt", T::StrList},
                 {"shm_size", T::Bytes}, {"stop_grace_period", T::DurKeep}, {"stop_signal", T::Str},
                 {"storage_opt", T::Mapping}, {"sysctls", T::Mapping}, {"tmpfs", T::StrOrList}, {"ulimits", T::Ulimits},
                 {"umask", T::Any}, {"use_api_socket", T::Bool}, {"user", T::Str}, {"userns_mode", T::Str}, {"uts", T::Str},
                 {"volume_driver", T::Str}, {"volumes", T::Volumes, &service_volume}, {"volumes_from", T::StrList},
                 {"working_dir", T::Str},
                 // WorkloadSpec
                 {"build", T::Build, &build}, {"depends_on", T::DependsOn, &dependency}, {"dockerfile", T::Str},
                 {"expose", T::Expose}, {"healthcheck", T::StructKeep, &healthcheck}, {"ports", T::Ports, &port},
                 {"stdin_open", T::Bool}, {"tty", T::Bool}}};
};

const Shapes& shapes() {
  static const Shapes s;
  return s;
}

// --- small helpers --------------------------------------------------------------------

Node str_node(std::string v, const Mark& m) { return Node::scalar(std::move(v), m, Style::Quoted); }
Node num_node(std::string v, const Mark& m) { return Node::scalar(std::move(v), m, Style::Plain); }

[[noreturn]] void fail(const Node& at, const std::string& path, const std::string& what) {
  throw UserError(at.location(), (path.empty() ? "" : path + ": ") + what);
}

bool is_extension(const std::string& k) { return k.size() >= 2 && k[0] == 'x' && k[1] == '-'; }

std::string float_text(double v) {
  float f = static_cast<float>(v);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::string(buf, r.ptr);
}

// Scalar text as a string value (what mapstructure's weak decoding makes of a number or bool).
std::string text_of(const Node& n) {
  if (n.is_plain()) {
    long long i;
    if (n.plain_int(&i)) return std::to_string(i);
  }
  return n.value();
}

// Copies a sequence of scalars, keeping each entry's own position for later errors.
void append_strings(Node& out, const Node& seq, const std::string& path) {
  for (const Node& i : seq.items()) {
    if (!i.is_scalar()) fail(i, path, "entries must be strings");
    out.push_back(str_node(text_of(i), i.mark()));
  }
}

bool go_parse_bool(const std::string& s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") { *out = true; return true; }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") { *out = false; return true; }
  return false;
}

// Sorted copy of a mapping's entries in go-yaml's key order.
void sort_entries(Node& m) {
  std::stable_sort(m.entries().begin(), m.entries().end(),
                   [](const Node::Entry& a, const Node::Entry& b) { return yaml_key_less(a.key.value(), b.key.value()); });
}

Node key_node(const std::string& k, const Mark& m) { return Node::scalar(k, m, Style::Quoted); }

void put(Node& m, const std::string& k, Node v, const Mark& km = {}) {
  m.entries().push_back(Node::Entry{key_node(k, km), std::move(v)});
}

// --- the normalizer ---------------------------------------------------------------------

class Normalizer {
 public:
  explicit Normalizer(const NormalizeContext& c) : ctx_(c) {}

  Node run(const Node& merged);

 private:
  const NormalizeContext& ctx_;
  std::string project_;

  std::optional<std::string> lookup(const std::string& k) const {
    auto it = ctx_.environment.find(k);
    if (it == ctx_.environment.end()) return std::nullopt;
    return it->second;
  }

  std::string home() const {
    if (auto h = lookup("HOME")) return *h;
    if (const char* h = std::getenv("HOME")) return h;
    return "";
  }

  std::string expand_user(const std::string& p) const {
    if (!p.empty() && p[0] == '~') {
      std::string h = home();
      if (h.empty()) return p;
      return clean_path(h + "/" + p.substr(1));
    }
    return p;
  }

  // filepath.Join(working_dir, p) unless p is absolute, after ~ expansion.
  std::string abs_path(const std::string& p) const {
    if (!ctx_.resolve_paths) return p;
    std::string e = expand_user(p);
    if (e.empty() || e[0] == '/') return e;
    // Windows paths (C:\x, \\host\share) are kept as written, as compose does on Linux.
    if (e.rfind("\\\\", 0) == 0 || (e.size() > 2 && std::isalpha(static_cast<unsigned char>(e[0])) && e[1] == ':' &&
                                       (e[2] == '\\' || e[2] == '/')))
      return e;
    return clean_path(ctx_.working_dir + "/" + e);
  }

  std::optional<Node> decode(const Node& in, const Field& f, const std::string& path);
  Node decode_struct(const Node& in, const Shape& s, const std::string& path);
  Node any(const Node& in);
  Node mapping_of_strings(const Node& in, const std::string& path, T type);
  Node service(const std::string& name, const Node& in, const std::string& path, bool* uses_default);
  Node port_list(const Node& in, const Field& f, const std::string& path);
  Node volume_list(const Node& in, const Field& f, const std::string& path);
  Node resource_map(const Node& in, const std::string& kind, const Shape& s);
  void resolve_environment(Node& svc, const std::string& path);
  void resolve_label_files(Node& svc, const std::string& path);
};

Node Normalizer::any(const Node& in) {
  switch (in.kind()) {
    case Kind::Null: return Node::null(in.mark());
    case Kind::Scalar: {
      if (in.is_plain()) {
        bool b;
        long long i;
        double d;
        if (in.plain_bool(&b)) return num_node(b ? "true" : "false", in.mark());
        if (in.plain_int(&i)) return num_node(std::to_string(i), in.mark());
        if (in.plain_float(&d)) {
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, d);
          return num_node(std::string(buf, r.ptr), in.mark());
        }
      }
      return str_node(in.value(), in.mark());
    }
    case Kind::Sequence: {
      Node out = Node::sequence(in.mark());
      for (const Node& i : in.items()) out.push_back(any(i));
      return out;
    }
    case Kind::Mapping: {
      Node out = Node::mapping(in.mark());
      for (const auto& e : in.entries()) put(out, e.key.value(), any(e.value), e.key.mark());
      sort_entries(out);
      return out;
    }
  }
  return Node::null(in.mark());
}

// Mapping / MappingWithEquals / Labels: a map of strings from a mapping or a KEY=VALUE list.
Node Normalizer::mapping_of_strings(const Node& in, const std::string& path, T type) {
  Node out = Node::mapping(in.mark());
  auto add = [&](const std::string& k, std::optional<std::string> v, const Mark& m, const Mark& km) {
    if (!v) {
      if (type == T::MappingEq || type == T::MappingArgs) {
        if (auto e = lookup(k)) v = e;
        else if (type == T::MappingArgs) return;
      } else {
        v = "";
      }
    }
    Node val = v ? str_node(*v, m) : Node::null(m);
    if (Node* existing = out.find(k)) *existing = std::move(val);
    else put(out, k, std::move(val), km);
  };
  if (in.is_mapping()) {
    for (const auto& e : in.entries()) {
      const Node& v = e.value;
      if (v.is_null()) add(e.key.value(), std::nullopt, v.mark(), e.key.mark());
      else if (v.is_scalar()) add(e.key.value(), text_of(v), v.mark(), e.key.mark());
      else fail(v, path + "." + e.key.value(), "must be a string, number, boolean or null");
    }
  } else if (in.is_sequence()) {
    for (const Node& i : in.items()) {
      if (!i.is_scalar()) fail(i, path, "entries must be strings");
      const std::string& s = i.value();
      auto eq = s.find('=');
      if (eq == std::string::npos) add(s, std::nullopt, i.mark(), i.mark());
      else add(s.substr(0, eq), s.substr(eq + 1), i.mark(), i.mark());
    }
  } else if (!in.is_null()) {
    fail(in, path, "must be a mapping or a list of KEY=VALUE strings");
  }
  sort_entries(out);
  return out;
}

std::optional<Node> Normalizer::decode(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  auto need_scalar = [&](const char* what) {
    if (!in.is_scalar()) fail(in, path, std::string("must be ") + what);
  };
  switch (f.type) {
    case T::Drop:
      return std::nullopt;
    case T::Str: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a string");
      std::string v = text_of(in);
      if (v.empty()) return std::nullopt;
      return str_node(v, m);
    }
    case T::Int:
    case T::IntKeep: {
      if (in.is_null()) return std::nullopt;
      need_scalar("an integer");
      long long i;
      if (!in.plain_int(&i)) {
        Node tmp = Node::scalar(in.value(), m, Style::Plain);
        if (!tmp.plain_int(&i)) fail(in, path, "must be an integer, not \"" + in.value() + "\"");
      }
      if (i == 0 && f.type == T::Int) return std::nullopt;
      return num_node(std::to_string(i), m);
    }
    case T::Float: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a number");
      double d;
      long long i;
      if (in.plain_int(&i)) d = static_cast<double>(i);
      else if (in.plain_float(&d)) {
      } else {
        Node tmp = Node::scalar(in.value(), m, Style::Plain);
        if (tmp.plain_int(&i)) d = static_cast<double>(i);
        else if (!tmp.plain_float(&d)) fail(in, path, "must be a number, not \"" + in.value() + "\"");
      }
      if (d == 0) return std::nullopt;
      return num_node(float_text(d), m);
    }
    case T::Bool:
    case T::BoolKeep:
    case T::OptOut: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a boolean");
      bool b;
      if (!in.plain_bool(&b) && !go_parse_bool(in.value(), &b)) fail(in, path, "must be a boolean, not \"" + in.value() + "\"");
      if (f.type == T::Bool && !b) return std::nullopt;
      if (f.type == T::OptOut && b) return std::nullopt;
      return num_node(b ? "true" : "false", m);
    }
    case T::Dur:
    case T::DurKeep: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a duration");
      auto d = parse_duration(in.value());
      if (!d) fail(in, path, "invalid duration \"" + in.value() + "\" (use a Go duration such as 30s, 1m30s or 2h)");
      if (*d == 0 && f.type == T::Dur) return std::nullopt;
      return str_node(format_duration(*d), m);
    }
    case T::Bytes: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a byte size");
      long long i;
      std::optional<int64_t> b;
      if (in.plain_int(&i)) b = i;
      else b = parse_bytes(in.value());
      if (!b) fail(in, path, "invalid byte size \"" + in.value() + "\" (use a number of bytes or a unit: 512m, 1g)");
      if (*b == 0) return std::nullopt;
      return str_node(std::to_string(*b), m);
    }
    case T::StrList:
    case T::StrOrList:
    case T::Expose: {
      if (in.is_null()) return std::nullopt;
      Node out = Node::sequence(m);
      if (in.is_scalar()) {
        if (f.type == T::StrList) fail(in, path, "must be a list of strings");
        out.push_back(str_node(text_of(in), m));
      } else if (in.is_sequence()) {
        append_strings(out, in, path);
      } else {
        fail(in, path, "must be a list of strings");
      }
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Command: {
      if (in.is_null()) return std::nullopt;
      Node out = Node::sequence(m);
      if (in.is_scalar()) {
        try {
          for (auto& a : shell_split(in.value())) out.push_back(str_node(a, m));
        } catch (const std::invalid_argument& e) {
          fail(in, path, e.what());
        }
      } else if (in.is_sequence()) {
        append_strings(out, in, path);
      } else {
        fail(in, path, "must be a string or a list of strings");
      }
      return out;
    }
    case T::Mapping:
    case T::MappingEq:
    case T::MappingArgs:
    case T::Labels: {
      if (in.is_null()) return std::nullopt;
      Node out = mapping_of_strings(in, path, f.type);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Struct:
    case T::StructKeep: {
      if (in.is_null()) return std::nullopt;
      if (!in.is_mapping()) fail(in, path, "must be a mapping");
      Node out = decode_struct(in, *f.shape, path);
      if (out.size() == 0 && f.type == T::Struct) return std::nullopt;
      return out;
    }
    case T::Extends: {
      if (in.is_null()) return std::nullopt;
      if (in.is_scalar()) {
        Node out = Node::mapping(m);
        put(out, "service", str_node(in.value(), m));
        return out;
      }
      if (!in.is_mapping()) fail(in, path, "must be a string or a mapping");
      return decode_struct(in, *f.shape, path);
    }
    case T::StructList:
    case T::Devices:
    case T::Secrets:
    case T::Configs: {
      if (in.is_null()) return std::nullopt;
      if (!in.is_sequence()) fail(in, path, "must be a list");
      Node out = Node::sequence(m);
      for (size_t k = 0; k < in.items().size(); ++k) {
        const Node& i = in.items()[k];
        std::string ip = path + "[" + std::to_string(k) + "]";
        Node src = i;
        if (i.is_scalar() && (f.type == T::Secrets || f.type == T::Configs)) {
          src = Node::mapping(i.mark());
          src.set("source", str_node(i.value(), i.mark()));
        } else if (i.is_scalar() && f.type == T::Devices) {
          std::vector<std::string> parts;
          const std::string& v = i.value();
          size_t s = 0;
          while (true) {
            size_t c = v.find(':', s);
            parts.push_back(v.substr(s, c == std::string::npos ? std::string::npos : c - s));
            if (c == std::string::npos) break;
            s = c + 1;
          }
          if (parts.size() > 3) fail(i, ip, "confusing device mapping, please use long syntax: " + v);
          std::string dst = parts.size() > 1 ? parts[1] : "";
          if (dst.empty()) dst = parts[0];
          src = Node::mapping(i.mark());
          src.set("source", str_node(parts[0], i.mark()));
          src.set("target", str_node(dst, i.mark()));
          src.set("permissions", str_node(parts.size() > 2 ? parts[2] : "rwm", i.mark()));
        }
        if (!src.is_mapping()) fail(i, ip, "must be a mapping");
        if (f.type == T::Secrets && !src.has("target")) {
          const Node* s = src.find("source");
          src.set("target", str_node("/run/secrets/" + (s ? s->value() : std::string()), i.mark()));
        }
        out.push_back(decode_struct(src, *f.shape, ip));
      }
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::AbsPath: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a path");
      return str_node(abs_path(in.value()), m);
    }
    case T::DeviceCount: {
      if (in.is_null()) return std::nullopt;
      need_scalar("an integer or \"all\"");
      long long i;
      if (in.value() == "all") i = -1;
      else if (!in.plain_int(&i)) {
        Node tmp = Node::scalar(in.value(), m, Style::Plain);
        if (!tmp.plain_int(&i)) fail(in, path, "must be an integer or \"all\", not \"" + in.value() + "\"");
      }
      if (i == 0) return std::nullopt;
      return num_node(std::to_string(i), m);
    }
    case T::Gpus: {
      if (in.is_null()) return std::nullopt;
      if (!in.is_sequence()) fail(in, path, "must be a list");
      Node out = Node::sequence(m);
      for (size_t k = 0; k < in.items().size(); ++k) {
        const Node& i = in.items()[k];
        std::string ip = path + "[" + std::to_string(k) + "]";
        if (!i.is_mapping()) fail(i, ip, "must be a mapping");
        Node src = i;
        // Without count or device_ids a GPU request means all of them.
        if (!src.has("count") && !src.has("device_ids")) src.set("count", str_node("all", i.mark()));
        out.push_back(decode_struct(src, *f.shape, ip));
      }
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::StructMap:
    case T::Any:
      if (f.type == T::Any) {
        if (in.is_null()) return std::nullopt;
        return any(in);
      }
      return std::nullopt;
    case T::ExtMap:
      return std::nullopt;
    case T::HealthTest: {
      if (in.is_null()) return std::nullopt;
      Node out = Node::sequence(m);
      if (in.is_scalar()) {
        out.push_back(str_node("CMD-SHELL", m));
        out.push_back(str_node(in.value(), m));
      } else if (in.is_sequence()) {
        append_strings(out, in, path);
      } else {
        fail(in, path, "must be a string or a list of strings");
      }
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Hosts: {
      if (in.is_null()) return std::nullopt;
      std::vector<std::string> list;
      auto strip = [](std::string ip) {
        if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
        return ip;
      };
      auto check_host = [&](const std::string& host, const Node& at) {
        if (host.empty() || host.find_first_of(":=") != std::string::npos) fail(at, path, "bad host name '" + host + "'");
      };
      if (in.is_sequence()) {
        for (const Node& i : in.items()) {
          if (!i.is_scalar()) fail(i, path, "entries must be strings");
          const std::string& s = i.value();
          size_t sep = s.find('=');
          if (sep == std::string::npos) sep = s.find(':');
          if (sep == std::string::npos) fail(i, path, "invalid additional host, missing IP: " + s);
          std::string host = s.substr(0, sep), ips = s.substr(sep + 1);
          check_host(host, i);
          size_t st = 0;
          while (true) {
            size_t c = ips.find(',', st);
            list.push_back(host + "=" + strip(ips.substr(st, c == std::string::npos ? std::string::npos : c - st)));
            if (c == std::string::npos) break;
            st = c + 1;
          }
        }
      } else if (in.is_mapping()) {
        for (const auto& e : in.entries()) {
          check_host(e.key.value(), e.key);
          if (e.value.is_sequence()) {
            for (const Node& ip : e.value.items()) list.push_back(e.key.value() + "=" + strip(text_of(ip)));
          } else {
            list.push_back(e.key.value() + "=" + strip(e.value.is_null() ? "" : text_of(e.value)));
          }
        }
      } else {
        fail(in, path, "must be a list or a mapping");
      }
      std::sort(list.begin(), list.end());
      Node out = Node::sequence(m);
      for (auto& s : list) out.push_back(str_node(s, m));
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Ulimits: {
      if (in.is_null()) return std::nullopt;
      if (!in.is_mapping()) fail(in, path, "must be a mapping");
      Node out = Node::mapping(m);
      for (const auto& e : in.entries()) {
        std::string ep = path + "." + e.key.value();
        const Node& v = e.value;
        long long i;
        if (v.is_scalar()) {
          if (!v.plain_int(&i)) fail(v, ep, "must be an integer or a mapping with soft and hard");
          if (i != 0) {
            put(out, e.key.value(), num_node(std::to_string(i), v.mark()), e.key.mark());
            continue;
          }
        }
        Node sh = Node::mapping(v.mark());
        long long soft = 0, hard = 0;
        if (v.is_mapping()) {
          for (const auto& se : v.entries()) {
            long long x;
            if (!se.value.is_scalar() || !se.value.plain_int(&x)) fail(se.value, ep + "." + se.key.value(), "must be an integer");
            if (se.key.value() == "soft") soft = x;
            else if (se.key.value() == "hard") hard = x;
            else fail(se.key, ep, "additional property \"" + se.key.value() + "\" is not allowed");
          }
        } else if (!v.is_scalar()) {
          fail(v, ep, "must be an integer or a mapping with soft and hard");
        }
        put(sh, "soft", num_node(std::to_string(soft), v.mark()));
        put(sh, "hard", num_node(std::to_string(hard), v.mark()));
        put(out, e.key.value(), std::move(sh), e.key.mark());
      }
      sort_entries(out);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Mode: {
      if (in.is_null()) return std::nullopt;
      need_scalar("a file mode");
      long long i = 0;
      if (!in.plain_int(&i)) {
        const std::string& s = in.value();
        char* end = nullptr;
        i = std::strtoll(s.c_str(), &end, 8);
        if (s.empty() || *end != '\0') fail(in, path, "invalid file mode \"" + s + "\" (use an octal number such as 0440)");
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(i));
      return str_node(buf, m);
    }
    case T::Ports: {
      if (in.is_null()) return std::nullopt;
      Node out = port_list(in, f, path);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Volumes: {
      if (in.is_null()) return std::nullopt;
      Node out = volume_list(in, f, path);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::DependsOn: {
      if (in.is_null()) return std::nullopt;
      Node out = Node::mapping(m);
      if (in.is_sequence()) {
        for (const Node& i : in.items()) {
          if (!i.is_scalar()) fail(i, path, "entries must be service names");
          Node d = Node::mapping(i.mark());
          put(d, "condition", str_node("service_started", i.mark()));
          put(d, "required", num_node("true", i.mark()));
          if (!out.has(i.value())) put(out, i.value(), std::move(d), i.mark());
        }
      } else if (in.is_mapping()) {
        for (const auto& e : in.entries()) {
          std::string ep = path + "." + e.key.value();
          Node src = e.value.is_null() ? Node::mapping(e.value.mark()) : e.value;
          if (!src.is_mapping()) fail(e.value, ep, "must be a mapping");
          if (!src.has("condition")) src.set("condition", str_node("service_started", src.mark()));
          if (!src.has("required")) src.set("required", num_node("true", src.mark()));
          put(out, e.key.value(), decode_struct(src, *f.shape, ep), e.key.mark());
        }
      } else {
        fail(in, path, "must be a list or a mapping");
      }
      sort_entries(out);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Networks: {
      if (in.is_null()) return std::nullopt;
      Node out = Node::mapping(m);
      if (in.is_sequence()) {
        for (const Node& i : in.items()) {
          if (!i.is_scalar()) fail(i, path, "entries must be network names");
          put(out, i.value(), Node::null(i.mark()), i.mark());
        }
      } else if (in.is_mapping()) {
        for (const auto& e : in.entries()) {
          if (e.value.is_null()) put(out, e.key.value(), Node::null(e.value.mark()), e.key.mark());
          else if (e.value.is_mapping())
            put(out, e.key.value(), decode_struct(e.value, *f.shape, path + "." + e.key.value()), e.key.mark());
          else fail(e.value, path + "." + e.key.value(), "must be a mapping or null");
        }
      } else {
        fail(in, path, "must be a list or a mapping");
      }
      sort_entries(out);
      if (out.size() == 0) return std::nullopt;
      return out;
    }
    case T::Build: {
      if (in.is_null()) return std::nullopt;
      Node src = in;
      if (in.is_scalar()) {
        src = Node::mapping(m);
        src.set("context", str_node(in.value(), m));
      }
      if (!src.is_mapping()) fail(in, path, "must be a string or a mapping");
      if (!src.has("context")) src.set("context", str_node(".", m));
      if (!src.has("dockerfile") && !src.has("dockerfile_inline")) src.set("dockerfile", str_node("Dockerfile", m));
      Node* ctxn = src.find("context");
      if (ctxn->is_scalar()) {
        const std::string& c = ctxn->value();
        bool remote = c.find("://") != std::string::npos || c.rfind("service:", 0) == 0;
        for (const char* p : {"https://", "http://", "git://", "ssh://", "github.com/", "git@"})
          if (c.rfind(p, 0) == 0) remote = true;
        if (!remote) *ctxn = str_node(abs_path(c), ctxn->mark());
      }
      if (Node* ac = src.find("additional_contexts"); ac && ac->is_mapping()) {
        for (auto& e : ac->entries()) {
          if (!e.value.is_scalar()) continue;
          const std::string& c = e.value.value();
          bool remote = c.find("://") != std::string::npos || c.rfind("service:", 0) == 0;
          if (!remote) e.value = str_node(abs_path(c), e.value.mark());
        }
      }
      return decode_struct(src, *f.shape, path);
    }
  }
  return std::nullopt;
}

Node Normalizer::port_list(const Node& in, const Field& f, const std::string& path) {
  if (!in.is_sequence()) fail(in, path, "must be a list");
  Node out = Node::sequence(in.mark());
  for (size_t k = 0; k < in.items().size(); ++k) {
    const Node& i = in.items()[k];
    std::string ip = path + "[" + std::to_string(k) + "]";
    if (i.is_scalar()) {
      std::vector<PortMapping> ports;
      try {
        ports = parse_port_spec(text_of(i));
      } catch (const std::invalid_argument& e) {
        fail(i, ip, std::string(e.what()) + " (use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])");
      }
      for (auto& p : ports) {
        Node m = Node::mapping(i.mark());
        put(m, "mode", str_node("ingress", i.mark()));
        if (!p.host_ip.empty()) put(m, "host_ip", str_node(p.host_ip, i.mark()));
        put(m, "target", num_node(std::to_string(p.target), i.mark()));
        if (!p.published.empty()) put(m, "published", str_node(p.published, i.mark()));
        put(m, "protocol", str_node(p.protocol, i.mark()));
        out.push_back(std::move(m));
      }
    } else if (i.is_mapping()) {
      Node src = i;
      if (!src.has("protocol")) src.set("protocol", str_node("tcp", i.mark()));
      if (!src.has("mode")) src.set("mode", str_node("ingress", i.mark()));
      out.push_back(decode_struct(src, *f.shape, ip));
    } else {
      fail(i, ip, "must be a string, a number or a mapping");
    }
  }
  return out;
}

Node Normalizer::volume_list(const Node& in, const Field& f, const std::string& path) {
  if (!in.is_sequence()) fail(in, path, "must be a list");
  Node out = Node::sequence(in.mark());
  for (size_t k = 0; k < in.items().size(); ++k) {
    const Node& i = in.items()[k];
    std::string ip = path + "[" + std::to_string(k) + "]";
    const Mark& m = i.mark();
    Node src;
    if (i.is_scalar()) {
      VolumeSpec v;
      try {
        v = parse_volume_spec(i.value());
      } catch (const std::invalid_argument& e) {
        fail(i, ip, std::string(e.what()) + " (use SOURCE:TARGET[:ro] or a long-form mapping)");
      }
      src = Node::mapping(m);
      src.set("type", str_node(v.type, m));
      if (!v.source.empty()) src.set("source", str_node(v.source, m));
      src.set("target", str_node(v.target.empty() ? "" : clean_path(v.target), m));
      if (v.read_only) src.set("read_only", num_node("true", m));
      if (v.has_bind) {
        Node b = Node::mapping(m);
        if (!v.selinux.empty()) b.set("selinux", str_node(v.selinux, m));
        if (!v.propagation.empty()) b.set("propagation", str_node(v.propagation, m));
        src.set("bind", std::move(b));
      }
      if (v.has_volume) {
        Node vv = Node::mapping(m);
        if (v.nocopy) vv.set("nocopy", num_node("true", m));
        src.set("volume", std::move(vv));
      }
    } else if (i.is_mapping()) {
      src = i;
      if (Node* t = src.find("target"); t && t->is_scalar() && !t->value().empty())
        *t = str_node(clean_path(t->value()), t->mark());
    } else {
      fail(i, ip, "must be a string or a mapping");
    }
    const Node* type = src.find("type");
    if (type && type->is_scalar() && type->value() == "bind") {
      Node* s = src.find("source");
      if (!s) fail(i, ip, "invalid mount config for type \"bind\": field Source must not be empty");
      if (s->is_scalar()) *s = str_node(abs_path(s->value()), s->mark());
    }
    out.push_back(decode_struct(src, *f.shape, ip));
  }
  return out;
}

Node Normalizer::decode_struct(const Node& in, const Shape& s, const std::string& path) {
  Node out = Node::mapping(in.mark());
  std::vector<Node::Entry> ext;
  for (const auto& e : in.entries()) {
    const std::string& k = e.key.value();
    if (is_extension(k)) {
      ext.push_back(Node::Entry{key_node(k, e.key.mark()), any(e.value)});
      continue;
    }
    if (!s.find(k)) fail(e.key, path, "additional property \"" + k + "\" is not allowed");
  }
  for (const Field& f : s.fields) {
    if (f.type == T::ExtMap) {
      // Where compose-go inlines extensions between fields (depends_on entries).
      std::stable_sort(ext.begin(), ext.end(), [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
      for (auto& x : ext) out.entries().push_back(std::move(x));
      ext.clear();
      continue;
    }
    const Node* v = in.find(f.key);
    if (!v) continue;
    std::optional<Node> d = decode(*v, f, path + "." + f.key);
    if (d) {
      const Node* kn = nullptr;
      for (const auto& e : in.entries())
        if (e.key.value() == f.key) kn = &e.key;
      put(out, f.key, std::move(*d), kn ? kn->mark() : Mark{});
    }
  }
  if (s.extensions || !ext.empty()) {
    std::stable_sort(ext.begin(), ext.end(), [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
    for (auto& x : ext) out.entries().push_back(std::move(x));
  }
  return out;
}

void Normalizer::resolve_environment(Node& svc, const std::string& path) {
  const Node* envn = svc.find("environment");
  Node env = envn ? mapping_of_strings(*envn, path + ".environment", T::MappingEq) : Node::mapping(svc.mark());
  const Node* files = svc.find("env_file");
  if (files && !files->is_null()) {
    std::vector<std::pair<std::string, bool>> list;  // path, required
    auto add = [&](const Node& n) {
      if (n.is_scalar()) list.emplace_back(n.value(), true);
      else if (n.is_mapping()) {
        const Node* p = n.find("path");
        if (!p || !p->is_scalar()) fail(n, path + ".env_file", "an entry needs a path");
        bool req = true;
        if (const Node* r = n.find("required"); r && r->is_scalar()) {
          bool b;
          if (r->plain_bool(&b) || go_parse_bool(r->value(), &b)) req = b;
        }
        list.emplace_back(p->value(), req);
      } else {
        fail(n, path + ".env_file", "entries must be strings or mappings");
      }
    };
    if (files->is_sequence())
      for (const Node& i : files->items()) add(i);
    else add(*files);
    std::map<std::string, std::string> from_files;
    std::vector<std::string> order;
    for (auto& [p, req] : list) {
      std::string full = ctx_.resolve_paths ? abs_path(p) : p;
      if (full.empty() || full[0] != '/') full = clean_path(ctx_.working_dir + "/" + full);
      FILE* probe = std::fopen(full.c_str(), "r");
      if (!probe) {
        if (req) fail(*files, path + ".env_file", "env file " + full + " not found (create it or mark it required: false)");
        continue;
      }
      std::fclose(probe);
      Lookup lk = [&](const std::string& k) -> std::optional<std::string> {
        if (auto v = lookup(k)) return v;
        if (const Node* e = env.find(k); e && e->is_scalar()) return e->value();
        if (auto it = from_files.find(k); it != from_files.end()) return it->second;
        return std::nullopt;
      };
      for (auto& [k, v] : read_dotenv(full, lk)) from_files[k] = v;
    }
    Node merged = Node::mapping(svc.mark());
    for (auto& [k, v] : from_files) put(merged, k, str_node(v, files->mark()), files->mark());
    for (auto& e : env.entries()) {
      if (Node* x = merged.find(e.key.value())) *x = e.value;
      else merged.entries().push_back(e);
    }
    sort_entries(merged);
    env = std::move(merged);
  }
  svc.erase("env_file");
  if (env.size() > 0) svc.set("environment", std::move(env));
  else svc.erase("environment");
}

// label_file contents become labels (the service's own labels win); the files stay listed,
// with absolute paths, as compose prints them.
void Normalizer::resolve_label_files(Node& svc, const std::string& path) {
  const Node* lf = svc.find("label_file");
  if (!lf || lf->is_null()) return;
  std::vector<const Node*> entries;
  if (lf->is_scalar()) entries.push_back(lf);
  else if (lf->is_sequence())
    for (const Node& i : lf->items()) entries.push_back(&i);
  else fail(*lf, path + ".label_file", "must be a string or a list of strings");
  Node files = Node::sequence(lf->mark());
  std::map<std::string, std::string> from_files;
  for (const Node* e : entries) {
    if (!e->is_scalar()) fail(*e, path + ".label_file", "entries must be strings");
    std::string full = abs_path(e->value());
    if (full.empty() || full[0] != '/') full = clean_path(ctx_.working_dir + "/" + full);
    FILE* probe = std::fopen(full.c_str(), "r");
    if (!probe) fail(*e, path + ".label_file", "label file " + full + " not found (create it or remove it from label_file)");
    std::fclose(probe);
    Lookup lk = [&](const std::string& k) -> std::optional<std::string> {
      if (auto it = from_files.find(k); it != from_files.end()) return it->second;
      return std::nullopt;
    };
    for (auto& [k, v] : read_dotenv(full, lk)) from_files[k] = v;
    files.push_back(str_node(ctx_.resolve_paths ? full : e->value(), e->mark()));
  }
  Node labels = Node::mapping(lf->mark());
  for (auto& [k, v] : from_files) put(labels, k, str_node(v, lf->mark()), lf->mark());
  if (const Node* own = svc.find("labels")) {
    Node o = mapping_of_strings(*own, path + ".labels", T::Labels);
    for (auto& e : o.entries()) {
      if (Node* x = labels.find(e.key.value())) *x = e.value;
      else labels.entries().push_back(e);
    }
  }
  sort_entries(labels);
  svc.set("label_file", std::move(files));
  if (labels.size() > 0) svc.set("labels", std::move(labels));
}

Node Normalizer::service(const std::string& name, const Node& in, const std::string& path, bool* uses_default) {
  if (in.is_null()) fail(in, path, "must be a mapping");
  if (!in.is_mapping()) fail(in, path, "must be a mapping");
  Node svc = in;
  const Mark& m = in.mark();
  if (Node* pp = svc.find("pull_policy"); pp && pp->is_scalar() && pp->value() == "if_not_present")
    *pp = str_node("missing", pp->mark());
  resolve_environment(svc, path);
  resolve_label_files(svc, path);

  // Implicit dependencies: links, namespaces shared with another service, volumes_from.
  Node deps;
  if (const Node* d = svc.find("depends_on"); d && !d->is_null()) {
    Field df{"depends_on", T::DependsOn, &shapes().dependency};
    auto dd = decode(*d, df, path + ".depends_on");
    deps = dd ? *dd : Node::mapping(m);
  } else {
    deps = Node::mapping(m);
  }
  auto implicit = [&](const std::string& target, bool restart, const Mark& at) {
    if (deps.has(target)) return;
    Node e = Node::mapping(at);
    put(e, "condition", str_node("service_started", at));
    if (restart) put(e, "restart", num_node("true", at));
    put(e, "required", num_node("true", at));
    put(deps, target, std::move(e), at);
  };
  if (const Node* l = svc.find("links"); l && l->is_sequence()) {
    for (const Node& i : l->items()) {
      if (!i.is_scalar()) continue;
      std::string link = i.value();
      auto c = link.find(':');
      if (c != std::string::npos && link.find(':', c + 1) == std::string::npos) link = link.substr(0, c);
      implicit(link, true, i.mark());
    }
  }
  for (const char* ns : {"network_mode", "ipc", "pid", "uts", "cgroup"}) {
    if (const Node* n = svc.find(ns); n && n->is_scalar() && n->value().rfind("service:", 0) == 0)
      implicit(n->value().substr(8), true, n->mark());
  }
  if (const Node* vf = svc.find("volumes_from"); vf && vf->is_sequence()) {
    for (const Node& i : vf->items()) {
      if (!i.is_scalar() || i.value().rfind("container:", 0) == 0) continue;
      implicit(i.value().substr(0, i.value().find(':')), false, i.mark());
    }
  }
  sort_entries(deps);

  if (!svc.has("provider") && !svc.has("network_mode")) {
    const Node* n = svc.find("networks");
    if (!n || n->is_null() || n->size() == 0) {
      Node d = Node::mapping(m);
      put(d, "default", Node::null(m));
      svc.set("networks", std::move(d));
      *uses_default = true;
    } else if (n->is_mapping() && n->has("default")) {
      *uses_default = true;
    } else if (n->is_sequence()) {
      for (const Node& i : n->items())
        if (i.is_scalar() && i.value() == "default") *uses_default = true;
    }
  }
  svc.erase("depends_on");
  Node out = decode_struct(svc, shapes().service, path);
  if (deps.size() > 0) {
    // depends_on's place in the struct order: right after build.
    Node sorted = Node::mapping(out.mark());
    const auto& fields = shapes().service.fields;
    auto rank = [&](const std::string& k) {
      for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i].key == k) return static_cast<int>(i);
      return static_cast<int>(fields.size()) + 1;
    };
    int dep_rank = rank("depends_on");
    bool placed = false;
    for (auto& e : out.entries()) {
      if (!placed && rank(e.key.value()) > dep_rank) {
        put(sorted, "depends_on", deps, m);
        placed = true;
      }
      sorted.entries().push_back(e);
    }
    if (!placed) put(sorted, "depends_on", deps, m);
    out = std::move(sorted);
  }
  (void)name;
  return out;
}

// Top-level networks/volumes/secrets/configs: each gets its name (<project>_<key>, or the key
// itself for external resources).
Node Normalizer::resource_map(const Node& in, const std::string& kind, const Shape& s) {
  Node out = Node::mapping(in.mark());
  if (in.is_null()) return out;
  if (!in.is_mapping()) fail(in, kind, "must be a mapping");
  for (const auto& e : in.entries()) {
    const std::string& key = e.key.value();
    std::string path = kind + "." + key;
    if (is_extension(key)) {
      put(out, key, any(e.value), e.key.mark());
      continue;
    }
    Node r = e.value.is_null() ? Node::mapping(e.value.mark()) : e.value;
    if (!r.is_mapping()) fail(e.value, path, "must be a mapping");
    bool external = false;
    if (Node* ext = r.find("external")) {
      if (ext->is_mapping()) {
        const Node* en = ext->find("name");
        if (en && ctx_.warn) ctx_.warn(path + ": external.name is deprecated. Please set name and external: true");
        std::optional<Node> adopted;
        if (en) {
          if (const Node* nm = r.find("name"); nm && nm->value() != en->value())
            fail(*ext, path, "name and external.name conflict; only use name");
          if (!r.has("name")) adopted = str_node(en->value(), en->mark());
        }
        *ext = num_node("true", ext->mark());
        // Set the name only now: adding an entry may move `ext`.
        if (adopted) r.set("name", std::move(*adopted));
        external = true;
      } else if (ext->is_scalar()) {
        bool b;
        if (ext->plain_bool(&b) || go_parse_bool(ext->value(), &b)) external = b;
      }
    }
    if (!r.has("name") || r.find("name")->is_null()) r.set("name", str_node(external ? key : project_ + "_" + key, r.mark()));
    if (kind == "secrets" || kind == "configs") {
      if (Node* f = r.find("file"); f && f->is_scalar()) *f = str_node(abs_path(f->value()), f->mark());
    }
    if (kind == "volumes") {
      const Node* drv = r.find("driver");
      Node* opts = r.find("driver_opts");
      if (drv && drv->value() == "local" && opts && opts->is_mapping()) {
        const Node* o = opts->find("o");
        if (Node* dev = opts->find("device"); dev && o && o->value() == "bind" && dev->is_scalar())
          *dev = str_node(abs_path(dev->value()), dev->mark());
      }
    }
    Node d = decode_struct(r, s, path);
    if (kind == "secrets") d.erase("content");  // compose never prints secret content
    if (kind == "configs") {
      if (d.has("environment")) d.erase("content");
    }
    put(out, key, std::move(d), e.key.mark());
  }
  sort_entries(out);
  return out;
}

Node Normalizer::run(const Node& merged) {
  if (!merged.is_mapping()) fail(merged, "", "the top level of a Compose file must be a mapping");
  project_ = ctx_.project_name;
  Node out = Node::mapping(merged.mark());
  put(out, "name", str_node(project_, merged.mark()));

  bool uses_default = false;
  Node services = Node::mapping(merged.mark());
  if (const Node* s = merged.find("services"); s && !s->is_null()) {
    if (!s->is_mapping()) fail(*s, "services", "must be a mapping");
    for (const auto& e : s->entries()) {
      if (is_extension(e.key.value())) continue;
      put(services, e.key.value(), service(e.key.value(), e.value, "services." + e.key.value(), &uses_default), e.key.mark());
    }
  }
  sort_entries(services);
  put(out, "services", std::move(services));

  if (const Node* j = merged.find("jobs"); j && !j->is_null()) put(out, "jobs", any(*j), merged.mark());

  Node nets_in = merged.find("networks") ? *merged.find("networks") : Node::null(merged.mark());
  if (uses_default) {
    if (nets_in.is_null()) nets_in = Node::mapping(merged.mark());
    if (nets_in.is_mapping() && !nets_in.has("default")) nets_in.set("default", Node::null(merged.mark()));
  }
  const Shapes& sh = shapes();
  struct Top {
    const char* key;
    const Shape* shape;
  } tops[] = {{"networks", &sh.network}, {"volumes", &sh.volume}, {"secrets", &sh.file_object}, {"configs", &sh.file_object}};
  for (const Top& t : tops) {
    const Node* in = std::string(t.key) == "networks" ? &nets_in : merged.find(t.key);
    if (!in) continue;
    Node r = resource_map(*in, t.key, *t.shape);
    if (r.size() > 0) put(out, t.key, std::move(r));
  }
  if (const Node* mo = merged.find("models"); mo && !mo->is_null()) put(out, "models", any(*mo));

  std::vector<Node::Entry> ext;
  for (const auto& e : merged.entries()) {
    const std::string& k = e.key.value();
    if (is_extension(k)) ext.push_back(Node::Entry{key_node(k, e.key.mark()), any(e.value)});
    else if (k == "version") {
      if (ctx_.warn) ctx_.warn(e.key.location().str() + ": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion");
    } else if (k != "name" && k != "services" && k != "networks" && k != "volumes" && k != "secrets" && k != "configs" &&
               k != "models" && k != "jobs" && k != "include") {
      fail(e.key, "", "additional property \"" + k + "\" is not allowed");
    }
  }
  std::stable_sort(ext.begin(), ext.end(), [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
  for (auto& x : ext) out.entries().push_back(std::move(x));
  return out;
}

nlohmann::ordered_json node_to_json(const Node& n) {
  switch (n.kind()) {
    case Kind::Null: return nullptr;
    case Kind::Scalar: {
      if (n.style() != Style::Plain) return n.value();
      const std::string& v = n.value();
      if (v == "true") return true;
      if (v == "false") return false;
      long long i;
      if (n.plain_int(&i)) return i;
      double d;
      if (n.plain_float(&d)) return d;
      return v;
    }
    case Kind::Sequence: {
      auto a = nlohmann::ordered_json::array();
      a.get_ref<nlohmann::ordered_json::array_t&>().reserve(n.items().size());
      for (const Node& i : n.items()) a.push_back(node_to_json(i));
      return a;
    }
    case Kind::Mapping: {
      auto o = nlohmann::ordered_json::object();
      // ordered_json's operator[] scans linearly; with unique keys (the usual case) append
      // directly instead of making the services mapping quadratic.
      const auto& entries = n.entries();
      bool unique = true;
      if (entries.size() > 8) {
        std::unordered_set<std::string_view> seen;
        seen.reserve(entries.size());
        for (const auto& e : entries)
          if (!seen.insert(e.key.value()).second) unique = false;
      } else {
        for (size_t i = 0; i < entries.size() && unique; ++i)
          for (size_t j = 0; j < i; ++j)
            if (entries[i].key.value() == entries[j].key.value()) unique = false;
      }
      if (unique) {
        auto& obj = o.get_ref<nlohmann::ordered_json::object_t&>();
        obj.reserve(entries.size());
        for (const auto& e : entries) obj.emplace_back(e.key.value(), node_to_json(e.value));
      } else {
        for (const auto& e : entries) o[e.key.value()] = node_to_json(e.value);
      }
      return o;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> struct_keys(std::string_view name) {
  const Shapes& s = shapes();
  const Shape* all[] = {&s.service, &s.network, &s.volume, &s.file_object, &s.deploy, &s.build, &s.healthcheck, &s.port,
                        &s.service_volume, &s.ipam, &s.resources, &s.resource, &s.dependency, &s.service_network};
  std::vector<std::string> out;
  if (name == "project") return {"name", "services", "jobs", "networks", "volumes", "secrets", "configs", "models"};
  for (const Shape* sh : all) {
    if (sh->name == name || (name == "secret" && sh->name == "file_object") || (name == "config" && sh->name == "file_object")) {
      for (const Field& f : sh->fields)
        if (f.type != T::ExtMap) out.push_back(f.key);
      return out;
    }
  }
  return out;
}

yaml::Node normalize(const yaml::Node& merged, const NormalizeContext& context) {
  Normalizer n(context);
  return n.run(merged);
}

nlohmann::ordered_json to_json(const yaml::Node& canonical) { return node_to_json(canonical); }

}  // namespace slipway::compose
