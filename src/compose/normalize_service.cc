// A service's own normalization steps: environment (env_file contents merged in), label
// files, implicit dependencies, the default network, and depends_on's place in the output.
#include "compose/normalizer.h"

#include <cstdio>
#include <map>
#include <vector>

#include "compose/dotenv.h"
#include "compose/values.h"

namespace slipway::compose::norm {

void Normalizer::resolve_environment(Node& svc, const std::string& path) {
  const Node* envn = svc.find("environment");
  Node env = envn ? mapping_of_strings(*envn, path + ".environment", T::MappingEq) : Node::mapping(svc.mark());
  const Node* files = svc.find("env_file");
  if (files && !files->is_null()) {
    std::vector<std::pair<std::string, bool>> list;  // path, required
    auto add = [&](const Node& n) {
      if (n.is_scalar())
        list.emplace_back(n.value(), true);
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
    else
      add(*files);
    std::map<std::string, std::string> from_files;
    std::vector<std::string> order;
    for (auto& [p, req] : list) {
      std::string full = ctx_.resolve_paths ? abs_path(p) : p;
      if (full.empty() || full[0] != '/') full = clean_path(ctx_.working_dir + "/" + full);
      FILE* probe = std::fopen(full.c_str(), "r");
      if (!probe) {
        if (req)
          fail(*files, path + ".env_file", "env file " + full + " not found (create it or mark it required: false)");
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
      if (Node* x = merged.find(e.key.value()))
        *x = e.value;
      else
        merged.entries().push_back(e);
    }
    sort_entries(merged);
    env = std::move(merged);
  }
  svc.erase("env_file");
  if (env.size() > 0)
    svc.set("environment", std::move(env));
  else
    svc.erase("environment");
}

// label_file contents become labels (the service's own labels win); the files stay listed,
// with absolute paths, as compose prints them.
void Normalizer::resolve_label_files(Node& svc, const std::string& path) {
  const Node* lf = svc.find("label_file");
  if (!lf || lf->is_null()) return;
  std::vector<const Node*> entries;
  if (lf->is_scalar())
    entries.push_back(lf);
  else if (lf->is_sequence())
    for (const Node& i : lf->items()) entries.push_back(&i);
  else
    fail(*lf, path + ".label_file", "must be a string or a list of strings");
  Node files = Node::sequence(lf->mark());
  std::map<std::string, std::string> from_files;
  for (const Node* e : entries) {
    if (!e->is_scalar()) fail(*e, path + ".label_file", "entries must be strings");
    std::string full = abs_path(e->value());
    if (full.empty() || full[0] != '/') full = clean_path(ctx_.working_dir + "/" + full);
    FILE* probe = std::fopen(full.c_str(), "r");
    if (!probe)
      fail(*e, path + ".label_file", "label file " + full + " not found (create it or remove it from label_file)");
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
      if (Node* x = labels.find(e.key.value()))
        *x = e.value;
      else
        labels.entries().push_back(e);
    }
  }
  sort_entries(labels);
  svc.set("label_file", std::move(files));
  if (labels.size() > 0) svc.set("labels", std::move(labels));
}

Node Normalizer::service(const std::string& name, const Node& in, const std::string& path, bool* uses_default) {
  if (!in.is_mapping()) fail(in, path, "must be a mapping");
  Node svc = in;
  const Mark& m = in.mark();
  if (Node* pp = svc.find("pull_policy"); pp && pp->is_scalar() && pp->value() == "if_not_present")
    *pp = str_node("missing", pp->mark());
  resolve_environment(svc, path);
  resolve_label_files(svc, path);
  Node deps = dependencies(svc, path);

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
  if (deps.size() == 0) return out;
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
    sorted.entries().push_back(std::move(e));
  }
  if (!placed) put(sorted, "depends_on", std::move(deps), m);
  (void)name;
  return sorted;
}

// Implicit dependencies: links, namespaces shared with another service, volumes_from.
Node Normalizer::dependencies(const Node& svc, const std::string& path) {
  const Mark& m = svc.mark();
  Node deps = Node::mapping(m);
  if (const Node* d = svc.find("depends_on"); d && !d->is_null()) {
    Field df{"depends_on", T::DependsOn, &shapes().dependency};
    if (auto dd = decode(*d, df, path + ".depends_on")) deps = std::move(*dd);
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
  return deps;
}

}  // namespace slipway::compose::norm
