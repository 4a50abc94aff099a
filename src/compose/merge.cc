// Compose's merge rules on yaml::Node trees. The rules are keyed by the path of the value in
// the project (services.*.command ...), exactly as compose-go keys them, so the same function
// merges whole files, extended services and included resources.
#include "compose/merge.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compose/merge_tags.h"
#include "util/error.h"

namespace slipway::compose {
namespace {

using yaml::Kind;
using yaml::Node;
using Path = std::vector<std::string>;

// `pattern` is dot-separated; `*` matches any one segment.
bool matches(const Path& path, std::string_view pattern) {
  size_t i = 0;
  size_t pos = 0;
  while (true) {
    size_t dot = pattern.find('.', pos);
    std::string_view seg = pattern.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (i >= path.size()) return false;
    if (seg != "*" && seg != path[i]) return false;
    ++i;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return i == path.size();
}

std::string join(const Path& p) {
  std::string s;
  for (const auto& seg : p) {
    if (!s.empty()) s += '.';
    s += seg;
  }
  return s;
}

[[noreturn]] void fail(const Node& at, const Path& p, const std::string& what) {
  throw UserError(at.location(), join(p) + ": " + what);
}

// Go's fmt "%v" of a float64 (shortest representation; exponent form outside [1e-4, 1e21)).
std::string go_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  int exp = d == 0 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(d))));
  std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
  // Recompute the exponent from the printed digits (log10 can be off by one near powers of 10).
  if (const char* e = std::strchr(buf, 'e')) exp = std::atoi(e + 1);
  if (exp < -4 || exp >= 21) {
    std::string s = buf;  // d.ddde+XX -> Go prints at least two exponent digits, as C does
    return s;
  }
  int decimals = std::max(0, prec - 1 - exp);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
  return buf;
}

// The text Go's "%v" gives for a decoded scalar: plain ints, floats and booleans are decoded
// to numbers first, so `1.0` prints as 1 and `0x10` as 16.
std::string go_text(const Node& n) {
  if (n.is_plain()) {
    long long i;
    double d;
    bool b;
    if (n.plain_int(&i)) return std::to_string(i);
    if (n.plain_bool(&b)) return b ? "true" : "false";
    if (n.plain_float(&d)) return go_float(d);
  }
  if (n.is_scalar()) return n.value();
  if (n.is_null()) return "<nil>";
  return n.is_sequence() ? "[...]" : "map[...]";
}

Node str_node(std::string s, const yaml::Mark& m) { return Node::scalar(std::move(s), m, yaml::Style::Quoted); }

// A KEY=VALUE list from a mapping (sorted like compose-go), a list (kept) or a string.
std::vector<Node> to_sequence(const Node& v) {
  std::vector<Node> seq;
  if (v.is_mapping()) {
    for (const auto& e : v.entries()) {
      const std::string& k = e.key.value();
      if (e.value.is_null()) {
        seq.push_back(str_node(k, e.value.mark().line ? e.value.mark() : e.key.mark()));
      } else if (e.value.is_sequence()) {
        for (const auto& item : e.value.items()) seq.push_back(str_node(k + "=" + go_text(item), item.mark()));
      } else {
        seq.push_back(str_node(k + "=" + go_text(e.value), e.value.mark()));
      }
    }
    std::stable_sort(seq.begin(), seq.end(), [](const Node& a, const Node& b) { return a.value() < b.value(); });
  } else if (v.is_sequence()) {
    seq = v.items();
  } else if (v.is_scalar()) {
    seq.push_back(v);
  }
  return seq;
}

// Appends the entries of `over` that are not already (deeply) equal to one in `base`.
Node append_unique(const Node& base_node, std::vector<Node> base, const std::vector<Node>& over) {
  for (const auto& v : over) {
    bool dup = std::any_of(base.begin(), base.end(), [&](const Node& e) { return e.same_value(v); });
    if (!dup) base.push_back(v);
  }
  Node out = Node::sequence(base_node.mark());
  for (auto& n : base) out.push_back(std::move(n));
  return out;
}

// ---- unicity keys (which entries of a list denote the same thing) -------------------------

std::string key_value_key(const Node& n) {
  std::string s = n.is_scalar() ? n.value() : go_text(n);
  size_t eq = s.find('=');
  return eq == std::string::npos ? s : s.substr(0, eq);
}

std::string volume_key(const Node& n) {
  if (n.is_mapping()) {
    const Node* t = n.find("target");
    return t && t->is_scalar() ? t->value() : "";
  }
  if (!n.is_scalar()) return "";
  // Splits "source:target[:mode]" the way Compose does: colons inside ${...} and the colon of a
  // one-letter "drive" prefix ("c:/x") do not separate fields. One field is the target.
  const std::string& s = n.value();
  if (s.size() <= 2) return s;
  std::vector<std::string> fields;
  std::string buf;
  int depth = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    char c = i < s.size() ? s[i] : '\0';
    if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      ++depth;
      buf += c;
    } else if (c == '}' && depth > 0) {
      --depth;
      buf += c;
    } else if (c == ':' && buf.size() == 1 && std::isalpha(static_cast<unsigned char>(buf[0]))) {
      buf += c;
    } else if ((c == ':' || c == '\0') && depth == 0) {
      fields.push_back(buf);
      buf.clear();
    } else {
      buf += c;
    }
  }
  return fields.size() == 1 ? fields[0] : fields[1];
}

std::string device_key(const Node& n) {
  if (n.is_mapping()) {
    const Node* t = n.find("target");
    return t && t->is_scalar() ? t->value() : "";
  }
  if (!n.is_scalar()) return "";
  const std::string& s = n.value();
  size_t c1 = s.find(':');
  if (c1 == std::string::npos) return s;
  size_t c2 = s.find(':', c1 + 1);
  return s.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
}

std::string mount_key(const Node& n, const std::string& dir) {
  if (n.is_scalar()) return dir + "/" + n.value();
  if (n.is_mapping()) {
    if (const Node* t = n.find("target"); t && t->is_scalar()) return t->value();
    const Node* s = n.find("source");
    return dir + "/" + (s && s->is_scalar() ? s->value() : "");
  }
  return "";
}

// host_ip:published:target/protocol, from either syntax, so that "8080:80" and its long form
// collapse as they do after compose-go's per-file canonicalization.
std::string port_key(const Node& n) {
  if (n.is_mapping()) {
    auto text = [&](const char* k, const char* dflt) {
      const Node* v = n.find(k);
      return v && v->is_scalar() ? go_text(*v) : std::string(dflt);
    };
    return text("host_ip", "0.0.0.0") + ":" + text("published", "") + ":" + text("target", "") + "/" +
           text("protocol", "tcp");
  }
  if (!n.is_scalar()) return "";
  std::string s = n.is_plain() ? go_text(n) : n.value();
  std::string proto = "tcp";
  if (size_t slash = s.rfind('/'); slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s = s.substr(0, slash);
  }
  std::string ip = "0.0.0.0", published, target;
  size_t last = s.rfind(':');
  if (last == std::string::npos) {
    target = s;
  } else {
    target = s.substr(last + 1);
    std::string rest = s.substr(0, last);
    size_t c = rest.rfind(':');
    if (!rest.empty() && rest.front() == '[') {  // [ipv6]:published
      size_t close = rest.find(']');
      if (close != std::string::npos) {
        ip = rest.substr(1, close - 1);
        published = close + 1 < rest.size() && rest[close + 1] == ':' ? rest.substr(close + 2) : "";
      }
    } else if (c == std::string::npos) {
      published = rest;
    } else {
      ip = rest.substr(0, c);
      published = rest.substr(c + 1);
    }
  }
  // A range expands into several ports later; key it as written.
  if (target.find('-') != std::string::npos || published.find('-') != std::string::npos) return n.value();
  return ip + ":" + published + ":" + target + "/" + proto;
}

std::string env_file_key(const Node& n) {
  if (n.is_scalar()) return n.value();
  if (n.is_mapping()) {
    if (const Node* p = n.find("path"); p && p->is_scalar()) return p->value();
  }
  return "";
}

std::string expose_key(const Node& n) { return n.is_scalar() ? go_text(n) : ""; }

using Indexer = std::string (*)(const Node&);

std::string secrets_key(const Node& n) { return mount_key(n, "/run/secrets"); }
std::string configs_key(const Node& n) { return mount_key(n, ""); }

Indexer indexer_for(const Path& p) {
  static const std::vector<std::pair<const char*, Indexer>> table = {
      {"networks.*.labels", key_value_key},
      {"networks.*.ipam.options", key_value_key},
      {"services.*.annotations", key_value_key},
      {"services.*.build.args", key_value_key},
      {"services.*.build.additional_contexts", key_value_key},
      {"services.*.build.platform", key_value_key},
      {"services.*.build.tags", key_value_key},
      {"services.*.build.labels", key_value_key},
      {"services.*.cap_add", key_value_key},
      {"services.*.cap_drop", key_value_key},
      {"services.*.configs", configs_key},
      {"services.*.deploy.labels", key_value_key},
      {"services.*.dns", key_value_key},
      {"services.*.dns_opt", key_value_key},
      {"services.*.dns_search", key_value_key},
      {"services.*.environment", key_value_key},
      {"services.*.env_file", env_file_key},
      {"services.*.expose", expose_key},
      {"services.*.labels", key_value_key},
      {"services.*.links", key_value_key},
      {"services.*.networks.*.aliases", key_value_key},
      {"services.*.networks.*.link_local_ips", key_value_key},
      {"services.*.ports", port_key},
      {"services.*.profiles", key_value_key},
      {"services.*.secrets", secrets_key},
      {"services.*.sysctls", key_value_key},
      {"services.*.tmpfs", key_value_key},
      {"services.*.volumes", volume_key},
      {"services.*.devices", device_key},
  };
  for (const auto& [pattern, fn] : table)
    if (matches(p, pattern)) return fn;
  return nullptr;
}

// One entry per key: the last entry for a key wins, at the position of the first.
Node unique_entries(const Node& seq_node, const std::vector<Node>& entries, Indexer indexer) {
  Node out = Node::sequence(seq_node.mark());
  std::map<std::string, size_t> seen;
  for (const auto& e : entries) {
    std::string k = indexer(e);
    auto it = seen.find(k);
    if (it != seen.end()) {
      out.items()[it->second] = e;
    } else {
      seen.emplace(k, out.items().size());
      out.push_back(e);
    }
  }
  return out;
}

// unique_entries(n, n.items(), ix), in place: most lists have no duplicates, and rebuilding
// them copied every item of every service.
void make_unique_in_place(Node& n, Indexer ix) {
  std::unordered_set<std::string> seen;
  bool duplicates = false;
  for (const auto& e : n.items())
    if (!seen.insert(ix(e)).second) duplicates = true;
  if (duplicates) {
    n = unique_entries(n, n.items(), ix);
    return;
  }
  // What unique_entries would return: a fresh sequence node holding the same items.
  n.set_tag("");
  n.set_style(yaml::Style::Plain);
  n.set_interpolated(false);
  n.set_value("");
}

void enforce_unicity(Node& n, Path& p) {
  if (n.is_mapping()) {
    // indexer_for only knows paths of at most 5 segments under services or networks: deeper
    // values and other sections hold no list it would index.
    if (p.size() >= 5) return;
    for (auto& e : n.entries()) {
      if (p.empty() && e.key.value() != "services" && e.key.value() != "networks") continue;
      p.push_back(e.key.value());
      enforce_unicity(e.value, p);
      p.pop_back();
    }
  } else if (n.is_sequence()) {
    if (p.size() >= 1 && p[0] == "services") {
      if (Indexer ix = indexer_for(p)) make_unique_in_place(n, ix);
    } else if (p.size() >= 1 && p[0] == "networks") {
      if (Indexer ix = indexer_for(p)) make_unique_in_place(n, ix);
    }
  }
}

// ---- merging ---------------------------------------------------------------------------------

Node merge_value(Node base, const Node& over, Path& p);

// merge_mappings for an `over` that is not needed afterwards: new keys move their values.
void merge_mappings_consuming(Node& base, Node& over, Path& p) {
  std::unordered_map<std::string, size_t> index;
  index.reserve(base.entries().size() + over.entries().size());
  for (size_t i = 0; i < base.entries().size(); ++i) index.emplace(base.entries()[i].key.value(), i);
  for (auto& e : over.entries()) {
    auto it = index.find(e.key.value());
    if (it == index.end()) {
      index.emplace(e.key.value(), base.entries().size());
      base.entries().push_back(Node::Entry{std::move(e.key), std::move(e.value)});
      continue;
    }
    p.push_back(e.key.value());
    Node& existing = base.entries()[it->second].value;
    existing = merge_value(std::move(existing), e.value, p);
    p.pop_back();
  }
}

void merge_mappings(Node& base, const Node& over, Path& p) {
  // Node::find is a linear scan; a project with thousands of services needs an index.
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < base.entries().size(); ++i) index.emplace(base.entries()[i].key.value(), i);
  for (const auto& e : over.entries()) {
    auto it = index.find(e.key.value());
    if (it == index.end()) {
      index.emplace(e.key.value(), base.entries().size());
      base.entries().push_back(Node::Entry{e.key, e.value});
      continue;
    }
    p.push_back(e.key.value());
    Node& existing = base.entries()[it->second].value;
    existing = merge_value(std::move(existing), e.value, p);
    p.pop_back();
  }
}

Node key_value_merge(const Node& base, const Node& over, Path& p) {
  std::vector<Node> all = to_sequence(base);
  for (auto& n : to_sequence(over)) all.push_back(std::move(n));
  for (const auto& n : all)
    if (!n.is_scalar()) fail(n, p, "unexpected " + std::string(n.kind_name()) + " in a KEY=VALUE list");
  return unique_entries(base.is_null() ? over : base, all, key_value_key);
}

Node to_sequence_merge(const Node& base, const Node& over) {
  return append_unique(base.is_null() ? over : base, to_sequence(base), to_sequence(over));
}

Node build_mapping(const Node& n) {
  if (n.is_scalar()) {
    Node m = Node::mapping(n.mark());
    m.set("context", n, n.mark());
    return m;
  }
  if (n.is_mapping()) return n;
  return Node::mapping(n.mark());
}

// A list of names, a mapping or null -> mapping (entries get `defaults`, or null).
Node as_mapping(const Node& n, const Node* defaults, const Path& p) {
  if (n.is_null()) return Node::mapping(n.mark());
  if (n.is_mapping()) return n;
  Node m = Node::mapping(n.mark());
  auto add = [&](const Node& key) {
    if (!key.is_scalar()) fail(key, p, "cannot use a " + std::string(key.kind_name()) + " as a mapping key");
    m.set(key.value(), defaults ? *defaults : Node::null(key.mark()), key.mark());
  };
  if (n.is_scalar()) {
    add(n);
  } else {
    for (const auto& item : n.items()) add(item);
  }
  return m;
}

Node mapping_merge(const Node& base, const Node& over, const Node* defaults, Path& p) {
  Node b = as_mapping(base, defaults, p);
  Node o = as_mapping(over, defaults, p);
  merge_mappings(b, o, p);
  return b;
}

Node logging_merge(Node base, const Node& over, Path& p) {
  if (!base.is_mapping() || !over.is_mapping()) fail(over, p, "cannot merge logging: expected a mapping");
  const Node* d = over.find("driver");
  const Node* bd = base.find("driver");
  if (!d || !bd || d->same_value(*bd)) {
    merge_mappings(base, over, p);
    return base;
  }
  return over;
}

Node ipam_config_merge(const Node& base, const Node& over, Path& p) {
  if (!base.is_sequence() || !over.is_sequence()) fail(over, p, "expected a sequence");
  auto subnet = [](const Node& n) -> std::string {
    const Node* s = n.is_mapping() ? n.find("subnet") : nullptr;
    return s && s->is_scalar() ? s->value() : std::string("\x01none");
  };
  std::vector<Node> out;
  for (const auto& original : base.items()) {
    if (!original.is_mapping()) fail(original, p, "expected a mapping");
    for (const auto& o : over.items()) {
      if (!o.is_mapping()) fail(o, p, "expected a mapping");
      if (subnet(o) != subnet(original)) {
        bool present = std::any_of(out.begin(), out.end(), [&](const Node& a) { return subnet(a) == subnet(o); });
        if (!present) {
          out.push_back(o);
          continue;
        }
      }
      Node merged = original;
      merge_mappings(merged, o, p);
      auto it = std::find_if(out.begin(), out.end(), [&](const Node& a) { return subnet(a) == subnet(merged); });
      if (it != out.end()) {
        *it = merged;
      } else {
        out.push_back(merged);
      }
    }
  }
  Node seq = Node::sequence(base.mark());
  for (auto& n : out) seq.push_back(std::move(n));
  return seq;
}

enum class Rule { None, KeyValue, ToSequence, Override, Build, DependsOn, AsMapping, Logging, Ulimit, IpamConfig };

Rule rule_for(const Path& p) {
  if (p.empty()) return Rule::None;
  if (p[0] == "networks") {
    if (matches(p, "networks.*.ipam.config")) return Rule::IpamConfig;
    if (matches(p, "networks.*.labels")) return Rule::KeyValue;
    return Rule::None;
  }
  if (p[0] == "volumes" || p[0] == "secrets" || p[0] == "configs") {
    return p.size() == 3 && p[2] == "labels" ? Rule::KeyValue : Rule::None;
  }
  if (p[0] != "services" && p[0] != "jobs") return Rule::None;
  if (p.size() < 3) return Rule::None;
  // services.<name>.<rest...>
  const std::string& a = p[2];
  if (p.size() == 3) {
    if (a == "annotations" || a == "environment" || a == "labels" || a == "sysctls") return Rule::KeyValue;
    if (a == "build") return Rule::Build;
    if (a == "command" || a == "entrypoint") return Rule::Override;
    if (a == "depends_on") return Rule::DependsOn;
    if (a == "dns" || a == "dns_opt" || a == "dns_search" || a == "env_file" || a == "label_file" ||
        a == "extra_hosts" || a == "tmpfs")
      return Rule::ToSequence;
    if (a == "logging") return Rule::Logging;
    if (a == "models" || a == "networks") return Rule::AsMapping;
    return Rule::None;
  }
  if (p.size() == 4) {
    const std::string& b = p[3];
    if (a == "build" && (b == "args" || b == "additional_contexts" || b == "labels")) return Rule::KeyValue;
    if (a == "build" && b == "extra_hosts") return Rule::ToSequence;
    if (a == "healthcheck" && b == "test") return Rule::Override;
    if (a == "ulimits") return Rule::Ulimit;
    if (a == "deploy" && b == "labels" && p[0] == "services") return Rule::KeyValue;
    return Rule::None;
  }
  if (p.size() == 6 && a == "volumes" && p[4] == "volume" && p[5] == "labels") return Rule::KeyValue;
  return Rule::None;
}

Node merge_value(Node base, const Node& over, Path& p) {
  static const Node depends_on_defaults = [] {
    Node d = Node::mapping();
    d.set("condition", Node::scalar("service_started", {}, yaml::Style::Quoted));
    d.set("required", Node::scalar("true", {}, yaml::Style::Plain));
    return d;
  }();
  switch (rule_for(p)) {
    case Rule::KeyValue:
      return key_value_merge(base, over, p);
    case Rule::ToSequence:
      return to_sequence_merge(base, over);
    case Rule::Override:
      return over;
    case Rule::Build: {
      Node b = build_mapping(base);
      merge_mappings(b, build_mapping(over), p);
      return b;
    }
    case Rule::DependsOn:
      return mapping_merge(base, over, &depends_on_defaults, p);
    case Rule::AsMapping:
      return mapping_merge(base, over, nullptr, p);
    case Rule::Logging:
      return logging_merge(std::move(base), over, p);
    case Rule::Ulimit:
      if (base.is_mapping() && over.is_mapping()) {
        merge_mappings(base, over, p);
        return base;
      }
      return over;
    case Rule::IpamConfig:
      return ipam_config_merge(base, over, p);
    case Rule::None:
      break;
  }
  if (over.is_null()) return base;
  if (base.is_mapping()) {
    if (!over.is_mapping()) fail(over, p, "cannot override a mapping with a " + std::string(over.kind_name()));
    merge_mappings(base, over, p);
    return base;
  }
  if (base.is_sequence()) {
    if (!over.is_sequence()) fail(over, p, "cannot override a sequence with a " + std::string(over.kind_name()));
    return append_unique(base, base.items(), over.items());
  }
  return over;
}

}  // namespace

void merge_files(yaml::Node& base, const yaml::Node& override) { merge_files(base, Node(override)); }

void merge_files(yaml::Node& base, yaml::Node&& override) {
  const yaml::Mark mark = override.mark();
  Node over = std::move(override);
  if (base.is_null()) base = Node::mapping(mark);
  if (over.is_null()) over = Node::mapping(mark);
  if (!base.is_mapping() || !over.is_mapping()) throw UserError(mark.location(), "top-level object must be a mapping");
  apply_tags(&base, over);
  Path p;
  merge_mappings_consuming(base, over, p);
  enforce_unicity(base, p);
}

void apply_resets(yaml::Node& base, const yaml::Node& override) {
  if (!has_merge_tags(override)) return;
  Node over = override;
  apply_tags(&base, over);
}

void merge_service(yaml::Node& base, const yaml::Node& override) {
  Node over = override;
  if (over.is_null()) over = Node::mapping(override.mark());
  if (base.is_null()) base = Node::mapping(override.mark());
  if (!base.is_mapping() || !over.is_mapping()) throw UserError(override.location(), "a service must be a mapping");
  apply_tags(&base, over);
  Path p = {"services", "x"};
  merge_mappings(base, over, p);
}

}  // namespace slipway::compose
