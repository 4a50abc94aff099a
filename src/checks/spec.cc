#include "checks/spec.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>

#include "checks/matcher.h"
#include "checks/template.h"
#include "util/parse.h"
#include "util/read_input.h"
#include "yaml/reader.h"

extern char** environ;

namespace slipway::checks {

namespace fs = std::filesystem;

const std::vector<ResourceType>& resource_types() {
  static const std::vector<ResourceType> types = {
      {"addr", Method::Network, {"reachable"}, {"address", "timeout", "local-address"}, {}, ""},
      {"command", Method::Exec, {"exit-status", "stdout", "stderr"}, {"exec", "timeout"}, {"stdout", "stderr"}, ""},
      {"dns", Method::Network, {"resolvable", "addrs"}, {"resolve", "server", "timeout"}, {}, ""},
      {"file",
       Method::Filesystem,
       {"exists", "mode", "size", "owner", "uid", "group", "gid", "filetype", "contains", "contents", "md5", "sha1",
        "sha256", "sha512", "linked-to"},
       {"path"},
       {"contains", "contents"},
       ""},
      {"gossfile", Method::Include, {}, {"file", "path"}, {}, ""},
      {"group", Method::Filesystem, {"exists", "gid"}, {"groupname"}, {}, ""},
      {"http",
       Method::Network,
       {"status", "headers", "body"},
       {"url", "allow-insecure", "no-follow-redirects", "timeout", "request-headers", "request-body", "method",
        "username", "password", "ca-file", "cert-file", "key-file", "proxy"},
       {"headers", "body"},
       ""},
      {"interface", Method::Network, {"exists", "addrs", "mtu"}, {"name"}, {}, ""},
      {"kernel-param", Method::Proc, {"value"}, {"key"}, {}, ""},
      {"matching", Method::Pure, {"matches"}, {"content", "as-reader"}, {}, ""},
      {"mount",
       Method::Proc,
       {"exists", "opts", "vfs-opts", "source", "filesystem", "usage"},
       {"mountpoint", "timeout"},
       {},
       ""},
      {"package", Method::Filesystem, {"installed", "versions"}, {"name"}, {}, ""},
      {"port", Method::Network, {"listening", "ip"}, {"port"}, {}, ""},
      {"process", Method::Proc, {"running"}, {"comm"}, {}, ""},
      {"service",
       Method::Unsupported,
       {"enabled", "running", "runlevels"},
       {"name"},
       {},
       "a container runs no init system, so services have no enabled/running state "
       "(check the process or its port instead)"},
      {"user", Method::Filesystem, {"exists", "uid", "gid", "groups", "home", "shell"}, {"username"}, {}, ""},
  };
  return types;
}

const ResourceType* find_resource_type(const std::string& name) {
  for (const auto& t : resource_types())
    if (t.name == name) return &t;
  return nullptr;
}

std::string Check::key() const { return type + ":" + id + (service.empty() ? "" : "@" + service); }

const ResourceType& Check::resource() const { return *find_resource_type(type); }

json Check::param(const std::string& name, const json& fallback) const {
  if (attrs.is_object()) {
    auto it = attrs.find(name);
    if (it != attrs.end()) return *it;
  }
  return fallback;
}

std::string Check::text_param(const std::string& name, const std::string& fallback) const {
  json v = param(name);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return go_format(v);
  return fallback;
}

json yaml_to_json(const yaml::Node& n) {
  switch (n.kind()) {
    case yaml::Kind::Null:
      return nullptr;
    case yaml::Kind::Scalar: {
      if (n.style() != yaml::Style::Plain) return n.value();
      bool b;
      long long i;
      double d;
      if (n.plain_bool(&b)) return b;
      if (n.plain_int(&i)) return i;
      if (n.plain_float(&d)) return d;
      const std::string& v = n.value();
      if (v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
      return v;
    }
    case yaml::Kind::Sequence: {
      json a = json::array();
      for (const auto& item : n.items()) a.push_back(yaml_to_json(item));
      return a;
    }
    case yaml::Kind::Mapping: {
      json o = json::object();
      for (const auto& e : n.entries()) o[e.key.value()] = yaml_to_json(e.value);
      return o;
    }
  }
  return nullptr;
}

std::chrono::milliseconds parse_duration(const json& v, const Location& where) {
  if (v.is_number()) {
    double d = v.get<double>();
    if (d < 0 || d > 86400000.0 * 365)
      throw UserError(where,
                      "duration out of range: " + v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return std::chrono::milliseconds(static_cast<long long>(d));
  }
  if (!v.is_string())
    throw UserError(where, "expected a duration such as \"2s\" or \"500ms\", got " +
                               v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  const std::string s = v.get<std::string>();
  double total = 0;
  size_t i = 0;
  if (s.empty()) throw UserError(where, "empty duration (write e.g. \"2s\" or \"500ms\")");
  while (i < s.size()) {
    size_t b = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (b == i) throw UserError(where, "invalid duration \"" + s + "\" (write e.g. \"2s\", \"500ms\", \"1m30s\")");
    auto num = parse_double(s.substr(b, i - b));
    if (!num) throw UserError(where, "invalid duration \"" + s + "\" (write e.g. \"2s\", \"500ms\", \"1m30s\")");
    size_t u = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(u, i - u);
    double ms;
    if (unit == "ms")
      ms = *num;
    else if (unit == "s")
      ms = *num * 1000;
    else if (unit == "m")
      ms = *num * 60000;
    else if (unit == "h")
      ms = *num * 3600000;
    else if (unit == "us" || unit == "µs")
      ms = *num / 1000;
    else if (unit == "ns")
      ms = *num / 1e6;
    else if (unit.empty() && b == 0 && i == s.size())
      ms = *num;  // bare number: milliseconds
    else
      throw UserError(where, "invalid duration \"" + s + "\" (units: ms, s, m, h)");
    total += ms;
  }
  if (total > 86400000.0 * 365) throw UserError(where, "duration out of range: " + s);
  return std::chrono::milliseconds(static_cast<long long>(total));
}

namespace {

struct FileDefaults {
  std::string service;
  bool smoke = false;
};

class Loader {
 public:
  explicit Loader(const LoadOptions& o) : opts_(o) {
    data_ = json::object();
    data_["Vars"] = o.vars.is_null() ? json::object() : o.vars;
    json env = json::object();
    if (o.env.empty()) {
      for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    } else {
      for (const auto& [k, v] : o.env) env[k] = v;
    }
    data_["Env"] = env;
  }

  void load_path(const std::string& path, int depth, const std::string& inherited_service = {}) {
    load_text(read_input_file(path, "check file"), path, depth, inherited_service);
  }

  // `inherited_service`: an included file's checks run where the including file's do, unless
  // it says otherwise.
  void load_text(const std::string& text, const std::string& file, int depth,
                 const std::string& inherited_service = {}) {
    if (depth > 16) throw UserError(Location{file, 0, 0}, "gossfile includes nest too deeply (is there a cycle?)");
    suite_.files.push_back(file);
    std::string rendered = render_template(text, data_, file);
    yaml::Node root = yaml::read(rendered, file);
    if (root.is_null()) return;
    if (!root.is_mapping())
      throw UserError(root.location(), "a gossfile is a mapping of resource types (file:, http:, command:...), not a " +
                                           std::string(root.kind_name()));
    FileDefaults defaults;
    defaults.service = inherited_service.empty() ? opts_.default_service : inherited_service;
    if (const yaml::Node* x = root.find("x-slipway")) read_extension(*x, &defaults);
    size_t first = suite_.checks.size();
    for (const auto& e : root.entries()) {
      const std::string& type = e.key.value();
      if (type == "x-slipway") continue;
      if (type.rfind("x-", 0) == 0) continue;  // other extensions are left for their owners
      const ResourceType* rt = find_resource_type(type);
      if (!rt) {
        std::string known;
        for (const auto& t : resource_types()) known += (known.empty() ? "" : ", ") + t.name;
        throw UserError(e.key.location(), "unknown resource type \"" + type + "\" (known: " + known + ")");
      }
      if (e.value.is_null()) continue;
      if (!e.value.is_mapping())
        throw UserError(e.value.location(), type + ": expected a mapping of resources, got a " + e.value.kind_name());
      for (const auto& r : e.value.entries()) read_resource(*rt, r.key, r.value, defaults, file, depth);
    }
    // A smoke file's checks are smoke checks, the ones it includes too.
    if (defaults.smoke)
      for (size_t i = first; i < suite_.checks.size(); ++i) suite_.checks[i].smoke = true;
  }

  Suite take() { return std::move(suite_); }

 private:
  void read_extension(const yaml::Node& x, FileDefaults* d) {
    if (!x.is_mapping())
      throw UserError(x.location(), "x-slipway: expected a mapping (service, smoke, retry-timeout, sleep)");
    for (const auto& e : x.entries()) {
      const std::string& k = e.key.value();
      json v = yaml_to_json(e.value);
      if (k == "service") {
        if (!v.is_string() || v.get<std::string>().empty())
          throw UserError(e.value.location(), "x-slipway.service: expected a service name");
        d->service = v.get<std::string>();
        check_service(d->service, e.value.location());
      } else if (k == "smoke") {
        if (!v.is_boolean()) throw UserError(e.value.location(), "x-slipway.smoke: expected true or false");
        d->smoke = v.get<bool>();
      } else if (k == "retry-timeout") {
        suite_.retry_timeout = std::max(suite_.retry_timeout, parse_duration(v, e.value.location()));
      } else if (k == "sleep") {
        suite_.sleep = parse_duration(v, e.value.location());
      } else {
        throw UserError(e.key.location(),
                        "x-slipway: unknown key \"" + k + "\" (known: service, smoke, retry-timeout, sleep)");
      }
    }
  }

  void check_service(const std::string& s, const Location& where) {
    if (opts_.services.empty()) return;
    if (std::find(opts_.services.begin(), opts_.services.end(), s) != opts_.services.end()) return;
    std::string names;
    for (const auto& n : opts_.services) names += (names.empty() ? "" : ", ") + n;
    throw UserError(where, "unknown service \"" + s + "\" (the stack's services: " + names + ")");
  }

  void read_resource(const ResourceType& rt, const yaml::Node& key, const yaml::Node& value, const FileDefaults& d,
                     const std::string& file, int depth) {
    Check c;
    c.type = rt.name;
    c.id = key.value();
    c.where = key.location();
    c.attrs = json::object();
    if (!value.is_mapping() && !value.is_null())
      throw UserError(value.location(),
                      rt.name + ": " + c.id + ": expected a mapping of attributes, got a " + value.kind_name());
    c.service = d.service;
    c.smoke = d.smoke;
    if (value.is_mapping())
      for (const auto& a : value.entries()) read_attribute(rt, a.key, a.value, c);
    for (const auto& p : rt.properties)
      if (c.attrs.contains(p)) c.properties.push_back(p);

    if (rt.method == Method::Include) {
      include(c, file, depth, d.service);
      return;
    }
    check_matchers(rt, value, c);
    if (rt.name == "matching" && !c.attrs.contains("matches"))
      throw UserError(c.where, "matching: " + c.id + ": missing \"matches\"");
    if (rt.method == Method::Unsupported) {
      c.skip = true;
      c.skip_reason = rt.skip_reason;
    }
    assign_service(rt, c);
    suite_.checks.push_back(std::move(c));
  }

  // One attribute of a resource: goss's own (title, meta, skip), slipway's (x-service,
  // retries) or one of the resource type's properties and parameters.
  void read_attribute(const ResourceType& rt, const yaml::Node& key, const yaml::Node& value, Check& c) {
    const std::string& k = key.value();
    json v = yaml_to_json(value);
    if (k == "title") {
      c.title = v.is_string() ? v.get<std::string>() : go_format(v);
    } else if (k == "meta") {
      c.meta = v;
    } else if (k == "skip") {
      if (!v.is_boolean()) throw UserError(value.location(), "skip: expected true or false");
      c.skip = v.get<bool>();
    } else if (k == "x-service" || k == "x-slipway-service") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw UserError(value.location(), "x-service: expected a service name");
      c.service = v.get<std::string>();
      check_service(c.service, value.location());
    } else if (k == "retry_count" || k == "x-retry-count" || k == "retry-count") {
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 10000)
        throw UserError(value.location(), k + ": expected a number of retries (0-10000)");
      c.retry_count = static_cast<int>(v.get<long long>());
    } else if (k == "retry_delay" || k == "x-retry-delay" || k == "retry-delay") {
      c.retry_delay = parse_duration(v, value.location());
    } else if (std::find(rt.properties.begin(), rt.properties.end(), k) != rt.properties.end() ||
               std::find(rt.params.begin(), rt.params.end(), k) != rt.params.end()) {
      c.attrs[k] = v;
    } else {
      std::string list;
      for (const auto& p : rt.properties) list += (list.empty() ? "" : ", ") + p;
      for (const auto& p : rt.params) list += (list.empty() ? "" : ", ") + p;
      throw UserError(key.location(), rt.name + ": " + c.id + ": unknown attribute \"" + k + "\" (known: " + list +
                                          ", title, meta, skip, x-service, retry_count, retry_delay)");
    }
  }

  // Validates matcher syntax now, so a bad spec fails before anything starts (exit 2).
  void check_matchers(const ResourceType& rt, const yaml::Node& value, const Check& c) {
    for (const auto& p : c.properties) {
      const json& e = c.attrs[p];
      bool reader = std::find(rt.readers.begin(), rt.readers.end(), p) != rt.readers.end();
      try {
        if (reader && e.is_array()) {
          for (const auto& pat : e)
            if (!pat.is_string()) throw MatcherSyntaxError("patterns must be strings, got " + json_text(pat));
        } else {
          compile(e);
        }
      } catch (const MatcherSyntaxError& err) {
        const yaml::Node* n = value.find(p);
        throw UserError(n ? n->location() : c.where, rt.name + ": " + c.id + ": " + p + ": " + err.what());
      }
    }
  }

  // The service a check runs in: none for `matching`, the stack's only one when it names none.
  void assign_service(const ResourceType& rt, Check& c) {
    if (rt.method == Method::Pure) {
      c.service.clear();
    } else if (c.service.empty() && opts_.services.size() == 1) {
      c.service = opts_.services[0];
    } else if (c.service.empty() && !opts_.services.empty() && !c.skip) {
      std::string names;
      for (const auto& n : opts_.services) names += (names.empty() ? "" : ", ") + n;
      throw UserError(c.where, rt.name + ": " + c.id +
                                   ": which service does this check run in? (add `x-service: NAME` to it or "
                                   "`x-slipway: {service: NAME}` to the file; services: " +
                                   names + ")");
    }
  }

  void include(Check& c, const std::string& file, int depth, const std::string& service) {
    std::string target = c.param("file", c.param("path", c.id)).is_string()
                             ? c.param("file", c.param("path", c.id)).get<std::string>()
                             : c.id;
    fs::path base = fs::path(file).parent_path();
    fs::path p = fs::path(target).is_absolute() ? fs::path(target) : base / target;
    if (c.skip) {
      c.skip_reason = "skip: true";
      suite_.checks.push_back(std::move(c));
      return;
    }
    std::vector<std::string> matches;
    glob_t g{};
    if (::glob(p.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) matches.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (matches.empty()) {
      // goss stops here; slipway reports it as a failing check so the rest still runs.
      c.attrs["x-load-error"] = "gossfile not found: " + p.string();
      suite_.checks.push_back(std::move(c));
      return;
    }
    for (const auto& m : matches) load_path(m, depth + 1, service);
  }

  const LoadOptions& opts_;
  json data_;
  Suite suite_;
};

}  // namespace

Suite load_gossfile(const std::string& path, const LoadOptions& options) {
  Loader l(options);
  l.load_path(path, 0);
  return l.take();
}

Suite load_gossfile_text(const std::string& text, const std::string& file, const LoadOptions& options) {
  Loader l(options);
  l.load_text(text, file, 0);
  return l.take();
}

Suite load_tests_dir(const std::string& dir, const LoadOptions& options) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto ext = e.path().extension().string();
    // Anything but a directory: a check file that is a link to a device or a FIFO is read (up
    // to the input limit) and refused with its name rather than silently skipped.
    if (!e.is_directory() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path().string());
  }
  if (ec) throw EnvError("cannot read " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  Suite all;
  for (const auto& f : files) {
    Suite s = load_gossfile(f, options);
    all.files.insert(all.files.end(), s.files.begin(), s.files.end());
    for (auto& c : s.checks) all.checks.push_back(std::move(c));
    all.retry_timeout = std::max(all.retry_timeout, s.retry_timeout);
    if (s.sleep != std::chrono::milliseconds(1000)) all.sleep = s.sleep;
  }
  return all;
}

}  // namespace slipway::checks
