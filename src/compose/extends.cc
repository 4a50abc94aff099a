#include "compose/extends.h"

#include <filesystem>
#include <set>
#include <unordered_map>
#include <utility>

#include "compose/merge.h"
#include "util/error.h"

namespace slipway::compose {
namespace {

using yaml::Node;
namespace fs = std::filesystem;

struct Link {
  std::string file;
  std::string service;
};

struct Resolver {
  const ExtendsContext& context;
  std::map<std::string, Node> loaded;                    // other files' services, paths rebased
  std::set<std::pair<std::string, std::string>> active;  // (file, service) being resolved
  static constexpr size_t kMaxDepth = 2000;
  static constexpr size_t kMaxExpandedNodes = 65'536;  // as yaml::ReadLimits::max_nodes
  size_t expanded = 0;                                 // nodes of the services resolved so far

  static size_t node_count(const Node& n) {
    size_t c = 1;
    for (const Node& i : n.items()) c += node_count(i);
    for (const auto& e : n.entries()) c += 1 + node_count(e.value);
    return c;
  }

  std::string chain_text(const std::vector<Link>& chain) {
    std::string s;
    for (const auto& l : chain) s += (s.empty() ? "" : " -> ") + l.service + " in " + l.file;
    return s;
  }

  const Node& other_file_services(const std::string& path, const std::string& name, const Node& at) {
    auto it = loaded.find(path);
    if (it != loaded.end()) return it->second;
    if (!context.load_file) throw UserError(at.location(), "cannot extend service \"" + name + "\": no file loader");
    Node root = context.load_file(path);
    const Node* services = root.is_mapping() ? root.find("services") : nullptr;
    if (!services)
      throw UserError(at.location(), "cannot extend service \"" + name + "\" in " + path + ": no services section");
    if (!services->is_mapping())
      throw UserError(services->location(),
                      "cannot extend service \"" + name + "\" in " + path + ": services must be a mapping");
    rebase_paths(root, fs::path(path).parent_path().string());
    return loaded.emplace(path, *root.find("services")).first->second;
  }

  // Returns the resolved definition of services[name] (also stored back into `services`).
  // Node::find is a linear scan; generated projects can hold thousands of services.
  std::map<const Node*, std::unordered_map<std::string, size_t>> indexes;

  Node* lookup(Node& services, const std::string& name) {
    auto& index = indexes[&services];
    if (index.size() != services.entries().size()) {
      index.clear();
      for (size_t i = 0; i < services.entries().size(); ++i) index.emplace(services.entries()[i].key.value(), i);
    }
    auto it = index.find(name);
    return it == index.end() ? nullptr : &services.entries()[it->second].value;
  }

  Node resolve(const std::string& name, Node& services, const std::string& file, const std::string& base_dir,
               std::vector<Link>& chain) {
    Node* s = lookup(services, name);
    if (!s || s->is_null()) return Node();
    if (!s->is_mapping()) throw UserError(s->location(), "services." + name + " must be a mapping");
    const Node* ext = s->find("extends");
    if (!ext) return *s;

    std::string ref;
    const Node* file_node = nullptr;
    if (ext->is_mapping()) {
      const Node* svc = ext->find("service");
      if (!svc || !svc->is_scalar())
        throw UserError(ext->location(),
                        "services." + name + ".extends.service is required (name the service to extend)");
      ref = svc->value();
      file_node = ext->find("file");
      if (file_node && file_node->is_null()) file_node = nullptr;
      if (file_node && !file_node->is_scalar())
        throw UserError(file_node->location(), "services." + name + ".extends.file must be a string");
    } else if (ext->is_scalar()) {
      ref = ext->value();
    } else {
      throw UserError(ext->location(), "services." + name + ".extends must be a string or a mapping");
    }

    if (active.count({file, name})) {
      chain.push_back({file, name});
      throw UserError(ext->location(), "circular extends: " + chain_text(chain) + " (remove one of these extends)");
    }
    // The resolution recurses once per link; bound it so a generated file cannot exhaust the stack.
    if (chain.size() >= kMaxDepth)
      throw UserError(ext->location(),
                      "extends chain deeper than " + std::to_string(kMaxDepth) + " services (shorten it)");
    chain.push_back({file, name});
    active.insert({file, name});
    struct Pop {
      std::vector<Link>& chain;
      std::set<std::pair<std::string, std::string>>& active;
      ~Pop() {
        active.erase({chain.back().file, chain.back().service});
        chain.pop_back();
      }
    } pop{chain, active};

    Node base;
    if (file_node) {
      std::string path = rebase_path(file_node->value(), base_dir);
      if (path.size() > 1 && path[0] == '~' && !context.home.empty()) path = context.home + path.substr(1);
      Node other = other_file_services(path, name, *file_node);  // a copy: resolving edits it
      if (!lookup(other, ref))
        throw UserError(ext->location(), "cannot extend service \"" + name + "\" in " + file + ": service \"" + ref +
                                             "\" not found in " + file_node->value());
      base = resolve(ref, other, path, fs::path(path).parent_path().string(), chain);
      indexes.erase(&other);  // `other` dies here; its address may be reused
    } else {
      if (!lookup(services, ref))
        throw UserError(ext->location(),
                        "cannot extend service \"" + name + "\" in " + file + ": service \"" + ref + "\" not found");
      base = resolve(ref, services, file, base_dir, chain);
    }
    s = lookup(services, name);  // resolving may have reshaped `services`
    if (base.is_null()) return *s;

    strip_merge_tags(base);
    merge_service(base, *s);
    base.erase("extends");
    // Every resolved service is a copy of its base: bound what chains of copies can make.
    expanded += node_count(base);
    if (expanded > kMaxExpandedNodes)
      throw UserError(ext->location(), "extends makes the services hold more than " +
                                           std::to_string(kMaxExpandedNodes) +
                                           " nodes, slipway's limit for one project (shorten the extends chains)");
    *s = base;
    return base;
  }
};

}  // namespace

std::string rebase_path(const std::string& path, const std::string& dir) {
  if (path.empty() || path[0] == '/' || path[0] == '~' || dir.empty()) return path;
  std::string s = (fs::path(dir) / path).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

namespace {

bool remote_context(const std::string& v) {
  if (v.find("://") != std::string::npos) return true;
  if (v.rfind("service:", 0) == 0) return true;
  for (const char* prefix : {"https://", "http://", "git://", "ssh://", "github.com/", "git@"})
    if (v.rfind(prefix, 0) == 0) return true;
  return false;
}

void rebase_scalar(Node& n, const std::string& dir) {
  if (n.is_scalar()) n.set_value(rebase_path(n.value(), dir));
}

void rebase_context(Node& n, const std::string& dir) {
  if (n.is_scalar() && !remote_context(n.value())) n.set_value(rebase_path(n.value(), dir));
}

// A scalar or a list of scalars / {path: ...} mappings.
void rebase_file_list(Node& n, const std::string& dir) {
  if (n.is_scalar()) {
    rebase_scalar(n, dir);
  } else if (n.is_sequence()) {
    for (auto& item : n.items()) {
      if (item.is_scalar()) rebase_scalar(item, dir);
      if (item.is_mapping())
        if (Node* p = item.find("path")) rebase_scalar(*p, dir);
    }
  }
}

void rebase_volume(Node& v, const std::string& dir) {
  if (v.is_scalar()) {
    const std::string& s = v.value();
    if (s.empty() || s[0] != '.') return;  // only ./ and ../ sources are relative paths
    size_t colon = s.find(':');
    std::string source = s.substr(0, colon);
    std::string rest = colon == std::string::npos ? "" : s.substr(colon);
    if (colon == std::string::npos) return;  // a lone path is an anonymous volume's target
    v.set_value(rebase_path(source, dir) + rest);
  } else if (v.is_mapping()) {
    const Node* type = v.find("type");
    if (!type || !type->is_scalar() || type->value() != "bind") return;
    if (Node* src = v.find("source"); src && src->is_scalar() && !src->value().empty() && src->value()[0] != '~')
      rebase_scalar(*src, dir);
  }
}

void rebase_service(Node& svc, const std::string& dir) {
  if (!svc.is_mapping()) return;
  if (Node* build = svc.find("build")) {
    if (build->is_scalar()) rebase_context(*build, dir);
    if (build->is_mapping()) {
      // Compose fills in the default context "." while the file is still on its own, so it
      // names the directory the file was loaded for, not the final project's.
      if (!build->has("context")) build->set("context", Node::scalar(dir, build->mark(), yaml::Style::Quoted));
      if (Node* c = build->find("context")) rebase_context(*c, dir);
      if (Node* ac = build->find("additional_contexts")) {
        if (ac->is_mapping()) {
          for (auto& e : ac->entries()) rebase_context(e.value, dir);
        } else if (ac->is_sequence()) {
          for (auto& item : ac->items()) {
            if (!item.is_scalar()) continue;
            size_t eq = item.value().find('=');
            if (eq == std::string::npos) continue;
            std::string v = item.value().substr(eq + 1);
            if (!remote_context(v)) item.set_value(item.value().substr(0, eq + 1) + rebase_path(v, dir));
          }
        }
      }
    }
  }
  if (Node* ef = svc.find("env_file")) rebase_file_list(*ef, dir);
  if (Node* lf = svc.find("label_file")) rebase_file_list(*lf, dir);
  if (Node* ext = svc.find("extends"); ext && ext->is_mapping())
    if (Node* f = ext->find("file")) rebase_scalar(*f, dir);
  if (Node* vols = svc.find("volumes"); vols && vols->is_sequence())
    for (auto& v : vols->items()) rebase_volume(v, dir);
  if (Node* dev = svc.find("develop"); dev && dev->is_mapping())
    if (Node* watch = dev->find("watch"); watch && watch->is_sequence())
      for (auto& w : watch->items())
        if (w.is_mapping())
          if (Node* p = w.find("path")) rebase_scalar(*p, dir);
}

}  // namespace

void rebase_paths(yaml::Node& file, const std::string& dir) {
  if (!file.is_mapping()) return;
  if (Node* services = file.find("services"); services && services->is_mapping())
    for (auto& e : services->entries()) rebase_service(e.value, dir);
  for (const char* kind : {"secrets", "configs"}) {
    if (Node* m = file.find(kind); m && m->is_mapping())
      for (auto& e : m->entries())
        if (e.value.is_mapping())
          if (Node* f = e.value.find("file")) rebase_scalar(*f, dir);
  }
  if (Node* vols = file.find("volumes"); vols && vols->is_mapping()) {
    for (auto& e : vols->entries()) {
      if (!e.value.is_mapping()) continue;
      const Node* driver = e.value.find("driver");
      Node* opts = e.value.find("driver_opts");
      if (!driver || !driver->is_scalar() || driver->value() != "local" || !opts || !opts->is_mapping()) continue;
      const Node* o = opts->find("o");
      if (o && o->is_scalar() && o->value() == "bind")
        if (Node* device = opts->find("device")) rebase_scalar(*device, dir);
    }
  }
  if (Node* inc = file.find("include"); inc && inc->is_sequence()) {
    for (auto& item : inc->items()) {
      if (item.is_scalar()) {
        rebase_scalar(item, dir);
      } else if (item.is_mapping()) {
        for (const char* k : {"path", "project_directory", "env_file"})
          if (Node* v = item.find(k)) {
            if (v->is_scalar()) rebase_scalar(*v, dir);
            if (v->is_sequence())
              for (auto& p : v->items()) rebase_scalar(p, dir);
          }
      }
    }
  }
}

void apply_extends(yaml::Node& file, const std::string& file_name, const std::string& base_dir,
                   const ExtendsContext& context) {
  if (!file.is_mapping()) return;
  Node* services = file.find("services");
  if (!services || services->is_null()) return;
  if (!services->is_mapping()) throw UserError(services->location(), "services must be a mapping");
  Resolver r{context, {}, {}, {}};
  std::vector<std::string> names;
  for (const auto& e : services->entries()) names.push_back(e.key.value());
  for (const auto& name : names) {
    std::vector<Link> chain;
    r.resolve(name, *services, file_name, base_dir, chain);
  }
}

}  // namespace slipway::compose
