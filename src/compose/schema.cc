// A small JSON-schema (2019-09 subset) validator over yaml::Node trees, driven by the
// compose-spec schema (schema_table.cc). It implements exactly the keywords that schema uses:
// type, enum, pattern, minimum/maximum, properties, patternProperties, additionalProperties,
// unevaluatedProperties, required, items, minItems, uniqueItems, allOf, anyOf, oneOf, $ref.
// Errors name the Compose path ("services.web.ports[0]") and point at the key or value.
#include "compose/schema.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "compose/short_syntax.h"
#include "compose/values.h"

namespace slipway::compose {

extern const std::string_view kComposeSpecSchema;

namespace {

using json = nlohmann::json;
using yaml::Node;

const json& spec() {
  static const json s = json::parse(kComposeSpecSchema);
  return s;
}

bool all_of(const std::string& s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool name_char(char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; }

// The schema's patterns, matched by hand: std::regex recurses per character and would
// overflow the stack on a long enough value. Unknown patterns fall back to std::regex.
bool pattern_matches(const std::string& pattern, const std::string& s) {
  if (pattern == "^.+$") return !s.empty() && s.find('\n') == std::string::npos;
  if (pattern == ".+") return !s.empty() && s.find_first_not_of('\n') != std::string::npos;
  if (pattern == "^x-") return s.rfind("x-", 0) == 0;
  if (pattern == "^[a-z]+$") return !s.empty() && all_of(s, [](char c) { return c >= 'a' && c <= 'z'; });
  if (pattern == "^[a-zA-Z0-9._-]+$") return !s.empty() && all_of(s, name_char);
  if (pattern == "[a-zA-Z0-9][a-zA-Z0-9_.-]+") {
    for (size_t i = 0; i + 1 < s.size(); ++i)
      if (alnum(s[i]) && name_char(s[i + 1])) return true;
    return false;
  }
  if (pattern.rfind("^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_", 0) == 0) {
    for (const char* w : {"always", "never", "build", "if_not_present", "missing", "refresh", "daily", "weekly"})
      if (s == w) return true;
    if (s.rfind("every_", 0) != 0 || s.size() == 6) return false;
    size_t i = 6;
    while (i < s.size()) {
      size_t d = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == d || i >= s.size() || std::string("wdhms").find(s[i]) == std::string::npos) return false;
      ++i;
    }
    return true;
  }
  if (s.size() > 4096) return false;
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::regex>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& r = cache[pattern];
  if (!r) r = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
  return std::regex_search(s, *r);
}

struct Failure {
  Location where;
  std::string message;
  int depth = 0;  // path length, to prefer the most specific error among oneOf branches
};

// A hash that agrees with Node::same_value: equal values hash equally (mapping order ignored).
size_t value_hash(const Node& n) {
  size_t h = std::hash<int>()(static_cast<int>(n.kind()));
  if (n.is_scalar()) return h ^ (std::hash<std::string>()(n.value()) * 31);
  if (n.is_sequence()) {
    for (const Node& i : n.items()) h = h * 1000003 ^ value_hash(i);
  } else if (n.is_mapping()) {
    size_t sum = 0;
    for (const auto& e : n.entries()) sum += std::hash<std::string>()(e.key.value()) * 7 + value_hash(e.value);
    h ^= sum;
  }
  return h;
}

std::string type_of(const Node& n) {
  switch (n.kind()) {
    case yaml::Kind::Null:
      return "null";
    case yaml::Kind::Sequence:
      return "array";
    case yaml::Kind::Mapping:
      return "object";
    case yaml::Kind::Scalar: {
      if (!n.is_plain()) return "string";
      bool b;
      long long i;
      double d;
      if (n.plain_bool(&b)) return "boolean";
      if (n.plain_int(&i)) return "integer";
      if (n.plain_float(&d)) return "number";
      // The reader makes written nulls Null nodes; an empty or "null" plain scalar here is the
      // result of interpolation, which compose treats as a string.
      return "string";
    }
  }
  return "string";
}

bool type_matches(const std::string& actual, const std::string& wanted) {
  return actual == wanted || (wanted == "number" && actual == "integer");
}

std::string article(const std::string& t) {
  if (t == "object") return "a mapping";
  if (t == "array") return "a list";
  if (t == "integer") return "an integer";
  return "a " + t;
}

std::string join_types(const json& t) {
  if (t.is_string()) return article(t.get<std::string>());
  std::string s;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) s += i + 1 == t.size() ? " or " : ", ";
    s += article(t[i].get<std::string>());
  }
  return s;
}

// What check() needs from one schema object, looked up once: the schema is a static table and
// every node of a large file would otherwise repeat the same dozen std::map string lookups.
struct Compiled {
  const json* ref = nullptr;  // resolved "#/$defs/..." target
  const json* type = nullptr;
  std::vector<std::string> types;
  const json* enumeration = nullptr;
  const json* pattern = nullptr;
  std::string pattern_text;
  const json* minimum = nullptr;
  const json* maximum = nullptr;
  const json* all_of = nullptr;
  const json* any_of = nullptr;
  const json* one_of = nullptr;
  bool unevaluated_false = false;
  const json* properties = nullptr;
  const json* pattern_properties = nullptr;
  const json* additional = nullptr;
  const json* required = nullptr;
  const json* items = nullptr;
  const json* min_items = nullptr;
  const json* unique_items = nullptr;
};

const json* member(const json& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

const Compiled& compiled(const json& schema) {
  // Per thread, so that the lookup needs no lock; the schema has a few hundred objects.
  static thread_local std::unordered_map<const json*, std::unique_ptr<Compiled>> cache;
  auto& slot = cache[&schema];
  if (slot) return *slot;
  auto c = std::make_unique<Compiled>();
  if (const json* r = member(schema, "$ref")) {
    const std::string ref = r->get<std::string>();
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) == 0) c->ref = &spec()["$defs"][ref.substr(prefix.size())];
  }
  if ((c->type = member(schema, "type"))) {
    if (c->type->is_string())
      c->types.push_back(c->type->get<std::string>());
    else
      for (const auto& t : *c->type) c->types.push_back(t.get<std::string>());
  }
  c->enumeration = member(schema, "enum");
  if ((c->pattern = member(schema, "pattern"))) c->pattern_text = c->pattern->get<std::string>();
  c->minimum = member(schema, "minimum");
  c->maximum = member(schema, "maximum");
  c->all_of = member(schema, "allOf");
  c->any_of = member(schema, "anyOf");
  c->one_of = member(schema, "oneOf");
  if (const json* u = member(schema, "unevaluatedProperties"))
    c->unevaluated_false = u->is_boolean() && !u->get<bool>();
  c->properties = member(schema, "properties");
  c->pattern_properties = member(schema, "patternProperties");
  c->additional = member(schema, "additionalProperties");
  c->required = member(schema, "required");
  c->items = member(schema, "items");
  c->min_items = member(schema, "minItems");
  c->unique_items = member(schema, "uniqueItems");
  slot = std::move(c);
  return *slot;
}

class Validator {
 public:
  // Returns the first failure, or nullopt. `evaluated` collects the property names that
  // some applicator looked at (for unevaluatedProperties).
  std::optional<Failure> check(const Node& n, const json& schema, const std::string& path, int depth,
                               std::set<std::string>* evaluated) {
    std::set<std::string> own;  // a new instance starts its own set
    if (!evaluated) evaluated = &own;
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return std::nullopt;
      return Failure{n.location(), path + " is not allowed", depth};
    }
    if (!schema.is_object()) return std::nullopt;

    const Compiled& c = compiled(schema);
    if (c.ref) {
      if (auto f = check(n, *c.ref, path, depth, evaluated)) return f;
    }
    const std::string actual = type_of(n);
    if (c.type) {
      bool ok = false;
      // An interpolated scalar is a string to Compose; it passes as one as well as the type its
      // text reads as (compose-go casts such values where the schema wants a number).
      for (const auto& wanted : c.types)
        ok = ok || type_matches(actual, wanted) || (n.interpolated() && wanted == "string");
      if (!ok) return Failure{n.location(), path + " must be " + join_types(*c.type), depth};
    }
    if (c.enumeration) {
      bool ok = false;
      for (const auto& e : *c.enumeration) {
        if (e.is_string() && n.is_scalar() && n.value() == e.get_ref<const std::string&>()) ok = true;
        if (e.is_null() && n.is_null()) ok = true;
        if ((e.is_number() || e.is_boolean()) && n.is_scalar() && n.value() == e.dump()) ok = true;
      }
      if (!ok) {
        std::string allowed;
        for (const auto& e : *c.enumeration)
          allowed += (allowed.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
        return Failure{n.location(), path + " must be one of: " + allowed, depth};
      }
    }
    if (c.pattern && actual == "string") {
      if (!pattern_matches(c.pattern_text, n.value()))
        return Failure{n.location(), path + " \"" + n.value() + "\" does not match pattern " + c.pattern_text, depth};
    }
    if (actual == "integer" || actual == "number") {
      double d = 0;
      long long i;
      if (n.plain_int(&i))
        d = static_cast<double>(i);
      else
        n.plain_float(&d);
      if (c.minimum && d < c.minimum->get<double>())
        return Failure{n.location(), path + " must be >= " + c.minimum->dump(), depth};
      if (c.maximum && d > c.maximum->get<double>())
        return Failure{n.location(), path + " must be <= " + c.maximum->dump(), depth};
    }

    if (n.is_mapping()) {
      if (auto f = check_object(n, schema, path, depth, evaluated)) return f;
    }
    if (n.is_sequence()) {
      if (auto f = check_array(n, schema, path, depth)) return f;
    }

    if (const json* it = c.all_of) {
      for (const auto& sub : *it)
        if (auto f = check(n, sub, path, depth, evaluated)) return f;
    }
    if (const json* it = c.any_of) {
      std::optional<Failure> best;
      bool any = false;
      for (const auto& sub : *it) {
        std::set<std::string> ev;
        auto f = check(n, sub, path, depth, &ev);
        if (!f) {
          any = true;
          if (evaluated) evaluated->insert(ev.begin(), ev.end());
        } else if (!best || f->depth > best->depth) {
          best = f;
        }
      }
      if (!any) return best;
    }
    if (const json* it = c.one_of) {
      std::optional<Failure> best;
      int passed = 0;
      std::set<std::string> ev_passed;
      for (const auto& sub : *it) {
        std::set<std::string> ev;
        auto f = check(n, sub, path, depth, &ev);
        if (!f) {
          ++passed;
          ev_passed = ev;
        } else if (!best || f->depth > best->depth) {
          best = f;
        }
      }
      if (passed == 0) {
        // A branch that failed on the value's own type is less telling than one that got
        // further or whose type matched; otherwise say what forms are accepted.
        if (best && best->depth > depth) return best;
        std::optional<Failure> typed;
        int typed_count = 0;
        for (const auto& sub : *it) {
          if (!branch_type_matches(n, sub)) continue;
          ++typed_count;
          typed = check(n, sub, path, depth, nullptr);
        }
        if (typed_count == 1 && typed) return typed;
        return Failure{n.location(), path + " has an invalid form (" + describe_forms(*it) + ")", depth};
      }
      if (passed > 1) return Failure{n.location(), path + " matches more than one allowed form", depth};
      if (evaluated) evaluated->insert(ev_passed.begin(), ev_passed.end());
    }

    if (n.is_mapping()) {
      if (c.unevaluated_false) {
        for (const auto& e : n.entries()) {
          if (evaluated && evaluated->count(e.key.value())) continue;
          return Failure{e.key.location(), path + ": additional property \"" + e.key.value() + "\" is not allowed",
                         depth + 1};
        }
      }
    }
    return std::nullopt;
  }

 private:
  bool branch_type_matches(const Node& n, const json& branch) {
    const json* sch = &branch;
    if (auto r = branch.find("$ref"); r != branch.end()) {
      std::string ref = r->get<std::string>();
      sch = &spec()["$defs"][ref.substr(ref.rfind('/') + 1)];
    }
    auto ty = sch->find("type");
    if (ty == sch->end()) return false;
    std::string actual = type_of(n);
    if (ty->is_string()) return type_matches(actual, ty->get<std::string>());
    for (const auto& t : *ty)
      if (type_matches(actual, t.get<std::string>())) return true;
    return false;
  }

  std::string describe_forms(const json& branches) {
    std::string s;
    for (const auto& b : branches) {
      std::string t;
      const json* sch = &b;
      if (auto r = b.find("$ref"); r != b.end()) {
        std::string ref = r->get<std::string>();
        sch = &spec()["$defs"][ref.substr(ref.rfind('/') + 1)];
      }
      if (auto ty = sch->find("type"); ty != sch->end())
        t = join_types(*ty);
      else if (sch->contains("oneOf"))
        t = describe_forms((*sch)["oneOf"]);
      else
        t = "another form";
      if (!s.empty()) s += " or ";
      s += t;
    }
    return "expected " + s;
  }

  std::optional<Failure> check_object(const Node& n, const json& schema, const std::string& path, int depth,
                                      std::set<std::string>* evaluated) {
    const Compiled& c = compiled(schema);
    const json* props = c.properties;
    const json* pprops = c.pattern_properties;
    const json* additional = c.additional;
    for (const auto& e : n.entries()) {
      const std::string& k = e.key.value();
      std::string child;
      child.reserve(path.size() + 1 + k.size());
      if (!path.empty()) child.append(path).push_back('.');
      child.append(k);
      bool matched = false;
      if (props) {
        if (auto p = props->find(k); p != props->end()) {
          matched = true;
          if (auto f = check(e.value, *p, child, depth + 1, nullptr)) return f;
        }
      }
      if (pprops) {
        for (auto it = pprops->begin(); it != pprops->end(); ++it) {
          if (pattern_matches(it.key(), k)) {
            matched = true;
            if (auto f = check(e.value, it.value(), child, depth + 1, nullptr)) return f;
          }
        }
      }
      if (matched) {
        if (evaluated) evaluated->insert(k);
        continue;
      }
      if (additional) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          std::string where = path.empty() ? "(root)" : path;
          return Failure{e.key.location(), where + ": additional property \"" + k + "\" is not allowed", depth + 1};
        }
        if (auto f = check(e.value, *additional, child, depth + 1, nullptr)) return f;
        if (evaluated) evaluated->insert(k);
      }
    }
    if (const json* it = c.required) {
      for (const auto& r : *it) {
        if (!n.has(r.get<std::string>()))
          return Failure{
              n.location(),
              (path.empty() ? "(root)" : path) + ": missing required property \"" + r.get<std::string>() + "\"", depth};
      }
    }
    return std::nullopt;
  }

  std::optional<Failure> check_array(const Node& n, const json& schema, const std::string& path, int depth) {
    const Compiled& c = compiled(schema);
    if (const json* it = c.items) {
      for (size_t i = 0; i < n.items().size(); ++i)
        if (auto f = check(n.items()[i], *it, path + "[" + std::to_string(i) + "]", depth + 1, nullptr)) return f;
    }
    if (const json* it = c.min_items; it && n.items().size() < it->get<size_t>())
      return Failure{n.location(), path + " must have at least " + it->dump() + " items", depth};
    if (const json* it = c.unique_items; it && it->get<bool>()) {
      // Items are compared only within a bucket of equal hashes: a long list stays linear.
      const auto& items = n.items();
      std::unordered_map<size_t, std::vector<size_t>> buckets;
      for (size_t j = 0; j < items.size(); ++j) {
        auto& bucket = buckets[value_hash(items[j])];
        for (size_t i : bucket)
          if (items[i].same_value(items[j]))
            return Failure{items[j].location(),
                           path + " has duplicate items [" + std::to_string(i) + "] and [" + std::to_string(j) +
                               "] (entries must be unique)",
                           depth};
        bucket.push_back(j);
      }
    }
    return std::nullopt;
  }
};

// The value grammars the schema leaves as plain strings: port and volume short syntax,
// durations and byte sizes. Values still holding a ${...} (interpolation off) are skipped.
void check_formats(const Node& root) {
  const Node* services = root.find("services");
  if (!services || !services->is_mapping()) return;
  auto templated = [](const Node& n) { return n.value().find("${") != std::string::npos; };
  for (const auto& se : services->entries()) {
    const Node& s = se.value;
    if (!s.is_mapping()) continue;
    std::string base = "services." + se.key.value();
    if (const Node* ports = s.find("ports"); ports && ports->is_sequence()) {
      for (size_t i = 0; i < ports->items().size(); ++i) {
        const Node& p = ports->items()[i];
        if (!p.is_scalar() || templated(p)) continue;
        Parsed<std::vector<PortMapping>> parsed = parse_port_spec(p.value());
        if (!parsed)
          throw UserError(p.location(), base + ".ports[" + std::to_string(i) + "]: " + parsed.error +
                                            " (use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])");
      }
    }
    if (const Node* vols = s.find("volumes"); vols && vols->is_sequence()) {
      for (size_t i = 0; i < vols->items().size(); ++i) {
        const Node& v = vols->items()[i];
        if (!v.is_scalar() || templated(v)) continue;
        Parsed<VolumeSpec> parsed = parse_volume_spec(v.value());
        if (!parsed)
          throw UserError(v.location(), base + ".volumes[" + std::to_string(i) + "]: " + parsed.error +
                                            " (use SOURCE:TARGET[:ro] or a long-form mapping)");
      }
    }
    auto duration = [&](const Node* n, const std::string& path) {
      if (!n || !n->is_scalar() || templated(*n)) return;
      if (!parse_duration(n->value()))
        throw UserError(n->location(), path + ": invalid duration \"" + n->value() +
                                           "\" (use a Go duration such as 30s, 1m30s or 2h)");
    };
    duration(s.find("stop_grace_period"), base + ".stop_grace_period");
    if (const Node* hc = s.find("healthcheck"); hc && hc->is_mapping()) {
      for (const char* k : {"interval", "timeout", "start_period", "start_interval"})
        duration(hc->find(k), base + ".healthcheck." + k);
    }
    for (const char* k : {"shm_size", "mem_limit", "mem_reservation", "memswap_limit"}) {
      const Node* n = s.find(k);
      long long i;
      if (!n || !n->is_scalar() || n->plain_int(&i) || templated(*n)) continue;
      if (!parse_bytes(n->value()))
        throw UserError(n->location(), base + "." + k + ": invalid byte size \"" + n->value() +
                                           "\" (use a number of bytes or a unit: 512m, 1g)");
    }
  }
}

}  // namespace

void validate_schema(const yaml::Node& root) {
  if (root.is_null()) return;  // an empty file is an empty project
  Validator v;
  std::set<std::string> evaluated;
  if (auto f = v.check(root, spec(), "", 0, &evaluated)) {
    std::string msg = f->message;
    if (msg.rfind(" must be a mapping", 0) == 0) msg = "the top level" + msg;
    throw UserError(f->where, msg);
  }
  check_formats(root);
}

}  // namespace slipway::compose
