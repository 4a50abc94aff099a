// Normalization is a typed re-serialization: every value is decoded against a description of
// compose-go's model type (normalize_shapes.h), which both converts short forms to long forms and
// fixes the key order and the omission of empty values that `docker compose config` shows.
// This file holds the project level (services, top-level resources, extensions) and the
// decoder dispatch; the decoders of each field kind live in normalize_{scalars,lists,structs}.cc
// and a service's own steps in normalize_service.cc.
#include "compose/normalize.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "compose/normalizer.h"
#include "compose/values.h"
#include "compose/yaml_style.h"

namespace slipway::compose {
namespace norm {

void fail(const Node& at, const std::string& path, const std::string& what) {
  throw UserError(at.location(), (path.empty() ? "" : path + ": ") + what);
}

void need_scalar(const Node& in, const std::string& path, const char* what) {
  if (!in.is_scalar()) fail(in, path, std::string("must be ") + what);
}

std::string float_text(double v) {
  float f = static_cast<float>(v);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  return std::string(buf, r.ptr);
}

std::string text_of(const Node& n) {
  if (n.is_plain()) {
    long long i;
    if (n.plain_int(&i)) return std::to_string(i);
  }
  return n.value();
}

void append_strings(Node& out, const Node& seq, const std::string& path) {
  out.items().reserve(out.items().size() + seq.items().size());
  for (const Node& i : seq.items()) {
    if (!i.is_scalar()) fail(i, path, "entries must be strings");
    out.push_back(str_node(text_of(i), i.mark()));
  }
}

bool go_parse_bool(const std::string& s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

// Sorted copy of a mapping's entries in go-yaml's key order.
void sort_entries(Node& m) {
  std::stable_sort(m.entries().begin(), m.entries().end(), [](const Node::Entry& a, const Node::Entry& b) {
    return yaml_key_less(a.key.value(), b.key.value());
  });
}

void put(Node& m, const std::string& k, Node v, const Mark& km) {
  m.entries().push_back(Node::Entry{key_node(k, km), std::move(v)});
}

std::optional<std::string> Normalizer::lookup(const std::string& k) const {
  auto it = ctx_.environment.find(k);
  if (it == ctx_.environment.end()) return std::nullopt;
  return it->second;
}

std::string Normalizer::expand_user(const std::string& p) const {
  if (p.empty() || p[0] != '~') return p;
  std::optional<std::string> home = lookup("HOME");
  if (!home || home->empty()) return p;
  return clean_path(*home + "/" + p.substr(1));
}

std::string Normalizer::abs_path(const std::string& p) const {
  if (!ctx_.resolve_paths) return p;
  std::string e = expand_user(p);
  if (e.empty() || e[0] == '/') return e;
  // Windows paths (C:\x, \\host\share) are kept as written, as compose does on Linux.
  if (e.rfind("\\\\", 0) == 0 ||
      (e.size() > 2 && std::isalpha(static_cast<unsigned char>(e[0])) && e[1] == ':' && (e[2] == '\\' || e[2] == '/')))
    return e;
  return clean_path(ctx_.working_dir + "/" + e);
}

Node Normalizer::any(const Node& in) {
  switch (in.kind()) {
    case Kind::Null:
      return Node::null(in.mark());
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
      out.items().reserve(in.items().size());
      for (const Node& i : in.items()) out.push_back(any(i));
      return out;
    }
    case Kind::Mapping: {
      Node out = Node::mapping(in.mark());
      out.entries().reserve(in.entries().size());
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
  out.entries().reserve(in.size());
  std::unordered_map<std::string, size_t> index;
  auto add = [&](const std::string& k, std::optional<std::string> v, const Mark& m, const Mark& km) {
    if (!v) {
      if (type == T::MappingEq || type == T::MappingArgs) {
        if (auto e = lookup(k))
          v = e;
        else if (type == T::MappingArgs)
          return;
      } else {
        v = "";
      }
    }
    Node val = v ? str_node(*v, m) : Node::null(m);
    // Node::find is a linear scan: index the keys so a long list stays linear overall.
    auto [it, inserted] = index.emplace(k, out.entries().size());
    if (inserted)
      put(out, k, std::move(val), km);
    else
      out.entries()[it->second].value = std::move(val);
  };
  if (in.is_mapping()) {
    for (const auto& e : in.entries()) {
      const Node& v = e.value;
      if (v.is_null())
        add(e.key.value(), std::nullopt, v.mark(), e.key.mark());
      else if (v.is_scalar())
        add(e.key.value(), text_of(v), v.mark(), e.key.mark());
      else
        fail(v, path + "." + e.key.value(), "must be a string, number, boolean or null");
    }
  } else if (in.is_sequence()) {
    for (const Node& i : in.items()) {
      if (!i.is_scalar()) fail(i, path, "entries must be strings");
      const std::string& s = i.value();
      auto eq = s.find('=');
      if (eq == std::string::npos)
        add(s, std::nullopt, i.mark(), i.mark());
      else
        add(s.substr(0, eq), s.substr(eq + 1), i.mark(), i.mark());
    }
  } else if (!in.is_null()) {
    fail(in, path, "must be a mapping or a list of KEY=VALUE strings");
  }
  sort_entries(out);
  return out;
}

std::optional<Node> Normalizer::decode(const Node& in, const Field& f, const std::string& path) {
  if (in.is_null()) return std::nullopt;  // a null value is an unset field, whatever its kind
  switch (f.type) {
    case T::Drop:
    case T::ExtMap:
      return std::nullopt;
    case T::Str:
      return decode_string(in, f, path);
    case T::Int:
    case T::IntKeep:
      return decode_int(in, f, path);
    case T::Float:
      return decode_float(in, f, path);
    case T::Bool:
    case T::BoolKeep:
    case T::OptOut:
      return decode_bool(in, f, path);
    case T::Dur:
    case T::DurKeep:
      return decode_duration(in, f, path);
    case T::Bytes:
      return decode_bytes(in, f, path);
    case T::StrList:
    case T::StrOrList:
    case T::Expose:
      return decode_string_list(in, f, path);
    case T::Command:
      return decode_command(in, f, path);
    case T::Mapping:
    case T::MappingEq:
    case T::MappingArgs:
    case T::Labels:
      return decode_string_map(in, f, path);
    case T::Struct:
    case T::StructKeep:
      return decode_struct_field(in, f, path);
    case T::Extends:
      return decode_extends(in, f, path);
    case T::StructList:
    case T::Devices:
    case T::Secrets:
    case T::Configs:
      return decode_struct_list(in, f, path);
    case T::AbsPath:
      return decode_abs_path(in, f, path);
    case T::DeviceCount:
      return decode_device_count(in, f, path);
    case T::Gpus:
      return decode_gpus(in, f, path);
    case T::StructMap:
    case T::Any:
      return decode_any(in, f, path);
    case T::HealthTest:
      return decode_health_test(in, f, path);
    case T::Hosts:
      return decode_hosts(in, f, path);
    case T::Ulimits:
      return decode_ulimits(in, f, path);
    case T::Mode:
      return decode_mode(in, f, path);
    case T::Ports:
      return decode_ports(in, f, path);
    case T::Volumes:
      return decode_volumes(in, f, path);
    case T::DependsOn:
      return decode_depends_on(in, f, path);
    case T::Networks:
      return decode_networks(in, f, path);
    case T::Build:
      return decode_build(in, f, path);
  }
  return std::nullopt;
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
      std::stable_sort(ext.begin(), ext.end(),
                       [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
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
    std::stable_sort(ext.begin(), ext.end(),
                     [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
    for (auto& x : ext) out.entries().push_back(std::move(x));
  }
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
    if (is_extension(key))
      put(out, key, any(e.value), e.key.mark());
    else
      put(out, key, resource(key, e.value, kind, s), e.key.mark());
  }
  sort_entries(out);
  return out;
}

Node Normalizer::resource(const std::string& key, const Node& in, const std::string& kind, const Shape& s) {
  std::string path = kind + "." + key;
  Node r = in.is_null() ? Node::mapping(in.mark()) : in;
  if (!r.is_mapping()) fail(in, path, "must be a mapping");
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
  if (!r.has("name") || r.find("name")->is_null())
    r.set("name", str_node(external ? key : project_ + "_" + key, r.mark()));
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
  return d;
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
      put(services, e.key.value(), service(e.key.value(), e.value, "services." + e.key.value(), &uses_default),
          e.key.mark());
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
  } tops[] = {
      {"networks", &sh.network}, {"volumes", &sh.volume}, {"secrets", &sh.file_object}, {"configs", &sh.file_object}};
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
    if (is_extension(k))
      ext.push_back(Node::Entry{key_node(k, e.key.mark()), any(e.value)});
    else if (k == "version") {
      if (ctx_.warn)
        ctx_.warn(
            e.key.location().str() +
            ": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion");
    } else if (k != "name" && k != "services" && k != "networks" && k != "volumes" && k != "secrets" &&
               k != "configs" && k != "models" && k != "jobs" && k != "include") {
      fail(e.key, "", "additional property \"" + k + "\" is not allowed");
    }
  }
  std::stable_sort(ext.begin(), ext.end(),
                   [](auto& a, auto& b) { return yaml_key_less(a.key.value(), b.key.value()); });
  for (auto& x : ext) out.entries().push_back(std::move(x));
  return out;
}

nlohmann::ordered_json node_to_json(const Node& n) {
  switch (n.kind()) {
    case Kind::Null:
      return nullptr;
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

}  // namespace norm

yaml::Node normalize(const yaml::Node& merged, const NormalizeContext& context) {
  norm::Normalizer n(context);
  return n.run(merged);
}

nlohmann::ordered_json to_json(const yaml::Node& canonical) { return norm::node_to_json(canonical); }

}  // namespace slipway::compose