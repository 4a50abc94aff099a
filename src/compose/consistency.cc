// The cross-reference checks Compose runs on a loaded project: every name a service uses must
// be defined, and start order (depends_on) must be acyclic.
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compose/normalize.h"

namespace slipway::compose {

namespace {

using yaml::Node;

[[noreturn]] void fail(const Node& at, const std::string& what) { throw UserError(at.location(), what); }

bool defines(const Node& root, const char* section, const std::string& key) {
  const Node* s = root.find(section);
  return s && s->is_mapping() && s->has(key);
}

bool is_required(const Node& dep) {
  if (!dep.is_mapping()) return true;
  const Node* r = dep.find("required");
  return !r || r->value() != "false";
}

}  // namespace

void check_consistency(const yaml::Node& root) {
  if (!root.is_mapping()) return;
  const Node* services = root.find("services");
  if (!services || !services->is_mapping()) return;
  auto has_service = [&](const std::string& n) { return services->has(n); };

  for (const auto& se : services->entries()) {
    const std::string& name = se.key.value();
    const Node& s = se.value;
    if (!s.is_mapping()) continue;
    std::string where = "service \"" + name + "\"";

    if (const Node* nets = s.find("networks"); nets && nets->is_mapping()) {
      for (const auto& n : nets->entries())
        if (!defines(root, "networks", n.key.value()))
          fail(n.key,
               where + " refers to undefined network " + n.key.value() + " (declare it under the top-level networks:)");
    }
    if (const Node* vols = s.find("volumes"); vols && vols->is_sequence()) {
      for (const Node& v : vols->items()) {
        const Node* type = v.find("type");
        const Node* src = v.find("source");
        if (type && type->value() == "volume" && src && !src->value().empty() &&
            !defines(root, "volumes", src->value()))
          fail(*src,
               where + " refers to undefined volume " + src->value() + " (declare it under the top-level volumes:)");
      }
    }
    for (const char* kind : {"secrets", "configs"}) {
      const Node* refs = s.find(kind);
      if (!refs || !refs->is_sequence()) continue;
      for (const Node& r : refs->items()) {
        const Node* src = r.find("source");
        if (src && !defines(root, kind, src->value()))
          fail(*src, where + " refers to undefined " + std::string(kind).substr(0, std::string(kind).size() - 1) + " " +
                         src->value() + " (declare it under the top-level " + kind + ":)");
      }
    }
    if (const Node* deps = s.find("depends_on"); deps && deps->is_mapping()) {
      for (const auto& d : deps->entries())
        if (!has_service(d.key.value()) && is_required(d.value))
          fail(d.key,
               where + " depends on undefined service \"" + d.key.value() + "\" (define it, or set required: false)");
    }
    for (const char* ns : {"network_mode", "ipc", "pid", "uts", "cgroup"}) {
      const Node* n = s.find(ns);
      if (n && n->is_scalar() && n->value().rfind("service:", 0) == 0) {
        std::string target = n->value().substr(8);
        if (!has_service(target)) fail(*n, where + " " + ns + " refers to undefined service \"" + target + "\"");
      }
    }
    if (const Node* vf = s.find("volumes_from"); vf && vf->is_sequence()) {
      for (const Node& v : vf->items()) {
        if (v.value().rfind("container:", 0) == 0) continue;
        std::string target = v.value().substr(0, v.value().find(':'));
        if (!has_service(target)) fail(v, where + " volumes_from refers to undefined service \"" + target + "\"");
      }
    }
    if (!s.has("image") && !s.has("build") && !s.has("provider"))
      fail(se.key, where + " has neither an image nor a build context specified (add image: or build:)");
    if (const Node* b = s.find("build"); b && b->is_mapping()) {
      if (b->has("dockerfile") && b->has("dockerfile_inline"))
        fail(*b, where + " declares mutually exclusive dockerfile and dockerfile_inline (keep one)");
      if (const Node* bs = b->find("secrets"); bs && bs->is_sequence()) {
        for (const Node& r : bs->items()) {
          const Node* src = r.find("source");
          if (src && !defines(root, "secrets", src->value()))
            fail(*src, where + " refers to undefined build secret " + src->value() +
                           " (declare it under the top-level secrets:)");
        }
      }
    }
    if (const Node* hc = s.find("healthcheck"); hc && hc->is_mapping()) {
      const Node* test = hc->find("test");
      if (test && test->is_sequence() && test->size() > 0) {
        const std::string& first = test->items()[0].value();
        if (first != "CMD" && first != "CMD-SHELL" && first != "NONE")
          fail(test->items()[0], "healthcheck.test must start either by \"CMD\", \"CMD-SHELL\" or \"NONE\"");
      }
    }
    // Settings that exist twice (service level and deploy:) must agree.
    auto at = [&](std::initializer_list<const char*> path) -> const Node* {
      const Node* n = &s;
      for (const char* k : path) {
        if (!n || !n->is_mapping()) return nullptr;
        n = n->find(k);
      }
      return n;
    };
    struct Pair {
      const char* service_key;
      std::initializer_list<const char*> deploy_path;
      const char* deploy_name;
    };
    const Pair pairs[] = {
        {"scale", {"deploy", "replicas"}, "deploy.replicas"},
        {"cpus", {"deploy", "resources", "limits", "cpus"}, "deploy.resources.limits.cpus"},
        {"mem_limit", {"deploy", "resources", "limits", "memory"}, "deploy.resources.limits.memory"},
        {"mem_reservation", {"deploy", "resources", "reservations", "memory"}, "deploy.resources.reservations.memory"},
        {"pids_limit", {"deploy", "resources", "limits", "pids"}, "deploy.resources.limits.pids"}};
    for (const Pair& p : pairs) {
      const Node* a = s.find(p.service_key);
      const Node* b = at(p.deploy_path);
      if (a && b && a->value() != b->value())
        fail(*a, "services." + name + ": can't set distinct values on '" + p.service_key + "' and '" + p.deploy_name +
                     "' (keep one of them)");
    }
    if (const Node* cn = s.find("container_name")) {
      const Node* scale = s.find("scale");
      if (!scale) scale = at({"deploy", "replicas"});
      if (scale && std::atoll(scale->value().c_str()) > 1)
        fail(*cn, "services." + name + ": can't set container_name and " +
                      (s.has("scale") ? "scale" : "deploy.replicas") + " as container name must be unique");
    }
    if (const Node* ext = s.find("extends"))
      fail(*ext, where + " still has extends after loading (extends must be resolved by the loader)");
    if (const Node* nm = s.find("network_mode"); nm && s.has("networks") && nm->is_scalar())
      fail(*nm, where + " declares both network_mode and networks (use only one)");
  }

  // depends_on cycles, reported the way compose does: "a -> b -> a".
  std::map<std::string, int> state;  // 0 unvisited, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    state[n] = 1;
    stack.push_back(n);
    const Node* s = services->find(n);
    const Node* deps = s ? s->find("depends_on") : nullptr;
    if (deps && deps->is_mapping()) {
      for (const auto& d : deps->entries()) {
        const std::string& t = d.key.value();
        if (!has_service(t)) continue;
        if (state[t] == 1) {
          std::string cycle;
          bool on = false;
          for (const std::string& x : stack) {
            if (x == t) on = true;
            if (on) cycle += x + " -> ";
          }
          cycle += t;
          fail(d.key, "dependency cycle detected: " + cycle);
        }
        if (state[t] == 0) visit(t);
      }
    }
    stack.pop_back();
    state[n] = 2;
  };
  for (const auto& se : services->entries())
    if (state[se.key.value()] == 0) visit(se.key.value());
}

}  // namespace slipway::compose
