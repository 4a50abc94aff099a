// Decoders of the list and map field kinds: string lists, commands, health tests, extra hosts,
// string maps, ulimits, ports and volumes (short syntax to long form).
#include "compose/normalizer.h"

#include <algorithm>

#include "compose/short_syntax.h"
#include "compose/values.h"

namespace slipway::compose::norm {

std::optional<Node> Normalizer::decode_string_list(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_command(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  Node out = Node::sequence(m);
  if (in.is_scalar()) {
    Parsed<std::vector<std::string>> words = shell_split(in.value());
    if (!words) fail(in, path, words.error);
    for (auto& a : *words.value) out.push_back(str_node(a, m));
  } else if (in.is_sequence()) {
    append_strings(out, in, path);
  } else {
    fail(in, path, "must be a string or a list of strings");
  }
  return out;
}

std::optional<Node> Normalizer::decode_health_test(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_hosts(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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

std::optional<Node> Normalizer::decode_string_map(const Node& in, const Field& f, const std::string& path) {
  Node out = mapping_of_strings(in, path, f.type);
  if (out.size() == 0) return std::nullopt;
  return out;
}

std::optional<Node> Normalizer::decode_ulimits(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
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
        if (!se.value.is_scalar() || !se.value.plain_int(&x))
          fail(se.value, ep + "." + se.key.value(), "must be an integer");
        if (se.key.value() == "soft")
          soft = x;
        else if (se.key.value() == "hard")
          hard = x;
        else
          fail(se.key, ep, "additional property \"" + se.key.value() + "\" is not allowed");
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

std::optional<Node> Normalizer::decode_ports(const Node& in, const Field& f, const std::string& path) {
  Node out = port_list(in, f, path);
  if (out.size() == 0) return std::nullopt;
  return out;
}

std::optional<Node> Normalizer::decode_volumes(const Node& in, const Field& f, const std::string& path) {
  Node out = volume_list(in, f, path);
  if (out.size() == 0) return std::nullopt;
  return out;
}

Node Normalizer::port_list(const Node& in, const Field& f, const std::string& path) {
  if (!in.is_sequence()) fail(in, path, "must be a list");
  Node out = Node::sequence(in.mark());
  for (size_t k = 0; k < in.items().size(); ++k) {
    const Node& i = in.items()[k];
    std::string ip = path + "[" + std::to_string(k) + "]";
    if (i.is_scalar()) {
      Parsed<std::vector<PortMapping>> ports = parse_port_spec(text_of(i));
      if (!ports) fail(i, ip, ports.error + " (use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])");
      // A range expands to one entry per port: bound what a few bytes can make the model hold.
      ports_ += ports.value->size();
      if (ports_ > kMaxPorts)
        fail(i, ip,
             "the project publishes more than " + std::to_string(kMaxPorts) +
                 " ports, slipway's limit (publish a smaller range)");
      for (auto& p : *ports.value) {
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
      Parsed<VolumeSpec> parsed = parse_volume_spec(i.value());
      if (!parsed) fail(i, ip, parsed.error + " (use SOURCE:TARGET[:ro] or a long-form mapping)");
      const VolumeSpec& v = *parsed.value;
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
}  // namespace slipway::compose::norm
