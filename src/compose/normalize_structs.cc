// Decoders of the structured field kinds: nested structs, lists of structs (devices, secrets,
// configs, GPUs), depends_on, networks, extends and build.
#include "compose/normalizer.h"

namespace slipway::compose::norm {

std::optional<Node> Normalizer::decode_struct_field(const Node& in, const Field& f, const std::string& path) {
  if (!in.is_mapping()) fail(in, path, "must be a mapping");
  Node out = decode_struct(in, *f.shape, path);
  if (out.size() == 0 && f.type == T::Struct) return std::nullopt;
  return out;
}

std::optional<Node> Normalizer::decode_extends(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  if (in.is_scalar()) {
    Node out = Node::mapping(m);
    put(out, "service", str_node(in.value(), m));
    return out;
  }
  if (!in.is_mapping()) fail(in, path, "must be a string or a mapping");
  return decode_struct(in, *f.shape, path);
}

std::optional<Node> Normalizer::decode_struct_list(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_gpus(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_any(const Node& in, const Field& f, const std::string& path) {
  // StructMap is never emitted; Any keeps whatever is there.
  if (f.type != T::Any) return std::nullopt;
  return any(in);
}

std::optional<Node> Normalizer::decode_depends_on(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_networks(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  Node out = Node::mapping(m);
  if (in.is_sequence()) {
    for (const Node& i : in.items()) {
      if (!i.is_scalar()) fail(i, path, "entries must be network names");
      put(out, i.value(), Node::null(i.mark()), i.mark());
    }
  } else if (in.is_mapping()) {
    for (const auto& e : in.entries()) {
      if (e.value.is_null())
        put(out, e.key.value(), Node::null(e.value.mark()), e.key.mark());
      else if (e.value.is_mapping())
        put(out, e.key.value(), decode_struct(e.value, *f.shape, path + "." + e.key.value()), e.key.mark());
      else
        fail(e.value, path + "." + e.key.value(), "must be a mapping or null");
    }
  } else {
    fail(in, path, "must be a list or a mapping");
  }
  sort_entries(out);
  if (out.size() == 0) return std::nullopt;
  return out;
}

std::optional<Node> Normalizer::decode_build(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

}  // namespace slipway::compose::norm
