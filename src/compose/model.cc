#include "compose/model.h"

#include <algorithm>
#include <map>
#include <set>

#include "compose/values.h"
#include "util/error.h"
#include "util/parse.h"

namespace slipway::compose {
namespace {

// The member `key` of an object, or nullptr (also when `j` is not an object).
const ojson* member(const ojson& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string string_of(const ojson& j, const char* key) {
  const ojson* v = member(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

bool bool_of(const ojson& j, const char* key, bool fallback) {
  const ojson* v = member(j, key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) return *v == "true";
  return fallback;
}

const ojson* object_of(const ojson& j, const char* key) {
  const ojson* v = member(j, key);
  return v && v->is_object() ? v : nullptr;
}

// A scalar as text: strings as they are, numbers and booleans as JSON prints them.
std::string text_of(const ojson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::vector<std::pair<std::string, std::string>> string_pairs(const ojson& j, const char* key) {
  std::vector<std::pair<std::string, std::string>> out;
  const ojson* v = member(j, key);
  if (!v) return out;
  if (v->is_object()) {
    for (auto it = v->begin(); it != v->end(); ++it) out.emplace_back(it.key(), text_of(it.value()));
  } else if (v->is_array()) {
    for (const auto& item : *v) {  // KEY=VALUE (an unnormalized model)
      std::string s = text_of(item);
      size_t eq = s.find('=');
      out.emplace_back(s.substr(0, eq), eq == std::string::npos ? "" : s.substr(eq + 1));
    }
  }
  return out;
}

// An integer that is a JSON number or decimal text (scale: "3" after interpolation).
std::optional<int64_t> integer_of(const ojson& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return parse_int(v.get<std::string>());
  return std::nullopt;
}

}  // namespace

// ---- Mount --------------------------------------------------------------------------------

std::string Mount::type() const { return string_of(*spec_, "type"); }
std::string Mount::source() const { return string_of(*spec_, "source"); }
std::string Mount::target() const { return string_of(*spec_, "target"); }
bool Mount::read_only() const { return bool_of(*spec_, "read_only", false); }
const ojson* Mount::x_slipway() const { return member(*spec_, "x-slipway"); }

// ---- Service ------------------------------------------------------------------------------

std::string Service::image() const { return string_of(*spec_, "image"); }

std::string Service::image_reference(const std::string& project) const {
  std::string i = image();
  return i.empty() ? project + "-" + name_ : i;
}

std::optional<Build> Service::build() const {
  const ojson* b = member(*spec_, "build");
  if (!b || b->is_null()) return std::nullopt;
  Build out;
  out.spec = b;
  if (b->is_string()) {  // an unnormalized model's short form
    out.context = b->get<std::string>();
    out.dockerfile = "Dockerfile";
    return out;
  }
  out.context = string_of(*b, "context");
  out.dockerfile = string_of(*b, "dockerfile");
  if (out.dockerfile.empty() && !member(*b, "dockerfile_inline")) out.dockerfile = "Dockerfile";
  return out;
}

std::string Service::pull_policy() const { return string_of(*spec_, "pull_policy"); }

int Service::replicas() const {
  const ojson* v = member(*spec_, "scale");
  if (!v || v->is_null()) {
    const ojson* deploy = object_of(*spec_, "deploy");
    v = deploy ? member(*deploy, "replicas") : nullptr;
  }
  int64_t n = 1;
  if (v && !v->is_null()) {
    std::optional<int64_t> parsed = integer_of(*v);
    if (!parsed || *parsed > 100000)
      throw UserError("services." + name_ + ": scale/replicas must be a number (fix the value)");
    n = *parsed;
  }
  if (n < 0) throw UserError("services." + name_ + ": scale must not be negative");
  if (n > 1 && member(*spec_, "container_name"))
    throw UserError("services." + name_ + ": container_name allows only one container but scale is " +
                    std::to_string(n) + " (remove container_name or the scale)");
  return static_cast<int>(n);
}

std::string Service::container_name() const { return string_of(*spec_, "container_name"); }

std::string Service::container_name(const std::string& project, int number) const {
  std::string fixed = container_name();
  return fixed.empty() ? project + "-" + name_ + "-" + std::to_string(number) : fixed;
}

std::vector<Dependency> Service::depends_on() const {
  std::vector<Dependency> out;
  const ojson* d = member(*spec_, "depends_on");
  if (!d) return out;
  if (d->is_array()) {  // an unnormalized model's short form
    for (const auto& name : *d)
      if (name.is_string()) out.push_back(Dependency{name.get<std::string>()});
    return out;
  }
  if (!d->is_object()) return out;
  for (auto it = d->begin(); it != d->end(); ++it) {
    Dependency dep{it.key()};
    std::string condition = string_of(it.value(), "condition");
    if (!condition.empty()) dep.condition = condition;
    dep.required = bool_of(it.value(), "required", true);
    dep.restart = bool_of(it.value(), "restart", false);
    out.push_back(std::move(dep));
  }
  return out;
}

std::vector<std::string> Service::dependencies() const {
  std::set<std::string> deps;
  for (const auto& d : depends_on()) deps.insert(d.service);
  for (const char* key : {"network_mode", "ipc", "pid"}) {
    std::string mode = string_of(*spec_, key);
    if (mode.rfind("service:", 0) == 0) deps.insert(mode.substr(8));
  }
  auto add_refs = [&](const char* key, bool volumes_from) {
    const ojson* list = member(*spec_, key);
    if (!list || !list->is_array()) return;
    for (const auto& v : *list) {
      if (!v.is_string()) continue;
      std::string s = v.get<std::string>();
      if (volumes_from && s.rfind("container:", 0) == 0) continue;
      if (volumes_from && s.rfind("service:", 0) == 0) s = s.substr(8);
      deps.insert(s.substr(0, s.find(':')));
    }
  };
  add_refs("volumes_from", true);
  add_refs("links", false);
  return {deps.begin(), deps.end()};
}

std::vector<std::string> Service::identity_dependencies() const {
  std::set<std::string> deps;
  for (const char* key : {"network_mode", "ipc", "pid"}) {
    std::string mode = string_of(*spec_, key);
    if (mode.rfind("service:", 0) == 0) deps.insert(mode.substr(8));
  }
  if (const ojson* list = member(*spec_, "volumes_from"); list && list->is_array())
    for (const auto& v : *list) {
      if (!v.is_string()) continue;
      std::string s = v.get<std::string>();
      if (s.rfind("container:", 0) == 0) continue;
      if (s.rfind("service:", 0) == 0) s = s.substr(8);
      deps.insert(s.substr(0, s.find(':')));
    }
  return {deps.begin(), deps.end()};
}

bool Service::has_healthcheck() const {
  const ojson* h = object_of(*spec_, "healthcheck");
  if (!h || bool_of(*h, "disable", false)) return false;
  const ojson* test = member(*h, "test");
  if (test && test->is_array() && !test->empty() && (*test)[0] == "NONE") return false;
  return test != nullptr;
}

std::string Service::network_mode() const { return string_of(*spec_, "network_mode"); }

std::vector<std::string> Service::networks() const {
  std::vector<std::string> out;
  if (!network_mode().empty()) return out;
  const ojson* n = member(*spec_, "networks");
  if (n && n->is_object()) {
    for (auto it = n->begin(); it != n->end(); ++it) out.push_back(it.key());
  } else if (n && n->is_array()) {
    for (const auto& k : *n)
      if (k.is_string()) out.push_back(k.get<std::string>());
  } else {
    out.push_back("default");
  }
  return out;
}

const ojson* Service::network_settings(const std::string& key) const {
  const ojson* n = object_of(*spec_, "networks");
  if (!n) return nullptr;
  auto it = n->find(key);
  return it == n->end() || !it->is_object() ? nullptr : &*it;
}

std::vector<Mount> Service::mounts() const {
  std::vector<Mount> out;
  const ojson* v = member(*spec_, "volumes");
  if (v && v->is_array())
    for (const auto& m : *v)
      if (m.is_object()) out.emplace_back(m);
  return out;
}

std::vector<std::string> Service::writable_volumes() const {
  std::vector<std::string> out;
  for (const Mount& m : mounts()) {
    if (m.type() != "volume" || m.read_only() || m.source().empty()) continue;
    if (std::find(out.begin(), out.end(), m.source()) == out.end()) out.push_back(m.source());
  }
  return out;
}

std::vector<FileReference> Service::file_references(const char* key, bool secret) const {
  std::vector<FileReference> out;
  const ojson* list = member(*spec_, key);
  if (!list || !list->is_array()) return out;
  for (const auto& ref : *list) {
    FileReference f;
    if (ref.is_string()) {
      f.source = ref.get<std::string>();
    } else {
      f.source = string_of(ref, "source");
      f.target = string_of(ref, "target");
      if (const ojson* u = member(ref, "uid")) f.uid = text_of(*u);
      if (const ojson* g = member(ref, "gid")) f.gid = text_of(*g);
      if (const ojson* m = member(ref, "mode")) {
        std::optional<int64_t> mode = m->is_number_integer() ? std::optional<int64_t>(m->get<int64_t>())
                                      : m->is_string()       ? parse_octal_mode(m->get<std::string>())
                                                             : std::nullopt;
        if (mode) f.mode = static_cast<int>(*mode);
      }
    }
    if (secret && f.target.empty()) f.target = "/run/secrets/" + f.source;
    if (secret && f.target[0] != '/') f.target = "/run/secrets/" + f.target;
    if (!secret && f.target.empty()) f.target = "/" + f.source;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<FileReference> Service::secrets() const { return file_references("secrets", true); }
std::vector<FileReference> Service::configs() const { return file_references("configs", false); }

std::vector<Port> Service::ports() const {
  std::vector<Port> out;
  const ojson* list = member(*spec_, "ports");
  if (!list || !list->is_array()) return out;
  for (const auto& p : *list) {
    if (!p.is_object()) continue;
    Port port;
    port.host_ip = string_of(p, "host_ip");
    if (const ojson* t = member(p, "target")) port.target = static_cast<int>(integer_of(*t).value_or(0));
    if (const ojson* pub = member(p, "published")) port.published = text_of(*pub);
    port.protocol = string_of(p, "protocol");
    if (port.protocol.empty()) port.protocol = "tcp";
    port.mode = string_of(p, "mode");
    out.push_back(std::move(port));
  }
  return out;
}

std::optional<int64_t> Service::stop_grace_period() const {
  const ojson* v = member(*spec_, "stop_grace_period");
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_string()) return parse_duration(v->get<std::string>());
  return std::nullopt;
}

std::vector<std::string> Service::profiles() const {
  std::vector<std::string> out;
  const ojson* p = member(*spec_, "profiles");
  if (p && p->is_array())
    for (const auto& s : *p)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

const ojson* Service::x_slipway() const { return member(*spec_, "x-slipway"); }

// ---- Resource, FileObject -----------------------------------------------------------------

std::string Resource::name() const { return string_of(*spec_, "name"); }
bool Resource::external() const { return bool_of(*spec_, "external", false); }
std::string Resource::driver() const { return string_of(*spec_, "driver"); }
std::vector<std::pair<std::string, std::string>> Resource::driver_opts() const {
  return string_pairs(*spec_, "driver_opts");
}
std::vector<std::pair<std::string, std::string>> Resource::labels() const { return string_pairs(*spec_, "labels"); }
const ojson* Resource::x_slipway() const { return member(*spec_, "x-slipway"); }

std::string FileObject::name() const { return string_of(*spec_, "name"); }
bool FileObject::external() const { return bool_of(*spec_, "external", false); }
std::string FileObject::file() const { return string_of(*spec_, "file"); }
std::string FileObject::environment() const { return string_of(*spec_, "environment"); }
std::optional<std::string> FileObject::content() const {
  const ojson* c = member(*spec_, "content");
  if (!c || !c->is_string()) return std::nullopt;
  return c->get<std::string>();
}

// ---- Model --------------------------------------------------------------------------------

Model::Model(const Project& project) : project_(&project), model_(&project.model) {}

const ojson* Model::section(const char* key) const { return object_of(*model_, key); }

std::vector<std::string> Model::service_names() const {
  std::vector<std::string> out;
  if (const ojson* s = section("services"))
    for (auto it = s->begin(); it != s->end(); ++it) out.push_back(it.key());
  return out;
}

bool Model::has_service(const std::string& name) const {
  const ojson* s = section("services");
  return s && s->contains(name);
}

Service Model::service(const std::string& name) const {
  const ojson* s = section("services");
  auto it = s ? s->find(name) : ojson::const_iterator();
  if (!s || it == s->end()) {
    std::string known;
    for (const auto& n : service_names()) known += (known.empty() ? "" : ", ") + n;
    throw UserError("no such service: " + name + " (services: " + (known.empty() ? "none" : known) + ")");
  }
  return Service(name, *it);
}

std::vector<Service> Model::services() const {
  std::vector<Service> out;
  if (const ojson* s = section("services"))
    for (auto it = s->begin(); it != s->end(); ++it) out.emplace_back(it.key(), it.value());
  return out;
}

std::vector<std::string> Model::dependency_order() const {
  std::vector<std::string> names = service_names();
  std::sort(names.begin(), names.end());
  std::map<std::string, int> state;  // 0 new, 1 visiting, 2 done
  std::vector<std::string> order;
  // Iterative depth-first search: a generated chain of thousands of services must not exhaust
  // the stack. Each frame is a service and the index of its next dependency.
  struct Frame {
    std::string name;
    std::vector<Dependency> optional_ok;
    std::vector<std::string> deps;
    size_t next = 0;
  };
  for (const auto& root : names) {
    if (state[root] == 2) continue;
    std::vector<Frame> stack;
    auto push = [&](const std::string& name, const std::string& from) {
      if (!has_service(name))
        throw UserError("services." + from + " depends on undefined service \"" + name +
                        "\" (define it or remove the dependency)");
      int& st = state[name];
      if (st == 2) return;
      if (st == 1)
        throw UserError("services." + name + ": dependency cycle through \"" + from +
                        "\" (remove one of the depends_on entries)");
      st = 1;
      Service svc = service(name);
      Frame f{name, svc.depends_on(), svc.dependencies(), 0};
      stack.push_back(std::move(f));
    };
    push(root, root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.deps.size()) {
        state[f.name] = 2;
        order.push_back(f.name);
        stack.pop_back();
        continue;
      }
      const std::string dep = f.deps[f.next++];
      // An optional dependency on a service that is not loaded (its profile is off) is absent.
      bool optional = std::any_of(f.optional_ok.begin(), f.optional_ok.end(),
                                  [&](const Dependency& d) { return d.service == dep && !d.required; });
      if (optional && !has_service(dep)) continue;
      push(dep, f.name);
    }
  }
  return order;
}

std::vector<std::string> Model::with_dependencies(const std::vector<std::string>& selected) const {
  std::set<std::string> seen;
  std::vector<std::string> todo = selected;
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    Service svc = service(name);  // UserError for an unknown name
    if (!seen.insert(name).second) continue;
    for (const auto& dep : svc.dependencies())
      if (has_service(dep)) todo.push_back(dep);
  }
  return {seen.begin(), seen.end()};
}

namespace {

template <typename View>
std::vector<View> views(const ojson* section) {
  std::vector<View> out;
  if (section)
    for (auto it = section->begin(); it != section->end(); ++it) out.emplace_back(it.key(), it.value());
  return out;
}

template <typename View>
std::optional<View> view(const ojson* section, const std::string& key) {
  if (!section) return std::nullopt;
  auto it = section->find(key);
  if (it == section->end()) return std::nullopt;
  return View(key, *it);
}

}  // namespace

std::vector<Resource> Model::networks() const { return views<Resource>(section("networks")); }
std::optional<Resource> Model::network(const std::string& key) const {
  return view<Resource>(section("networks"), key);
}
std::vector<Resource> Model::volumes() const { return views<Resource>(section("volumes")); }
std::optional<Resource> Model::volume(const std::string& key) const { return view<Resource>(section("volumes"), key); }
std::vector<FileObject> Model::secrets() const { return views<FileObject>(section("secrets")); }
std::optional<FileObject> Model::secret(const std::string& key) const {
  return view<FileObject>(section("secrets"), key);
}
std::vector<FileObject> Model::configs() const { return views<FileObject>(section("configs")); }
std::optional<FileObject> Model::config(const std::string& key) const {
  return view<FileObject>(section("configs"), key);
}

std::string Model::network_name(const std::string& key) const {
  std::optional<Resource> r = network(key);
  std::string name = r ? r->name() : std::string();
  return name.empty() ? project_name() + "_" + key : name;
}

std::string Model::volume_name(const std::string& key) const {
  std::optional<Resource> r = volume(key);
  std::string name = r ? r->name() : std::string();
  return name.empty() ? project_name() + "_" + key : name;
}

const ojson* Model::x_slipway() const { return member(*model_, "x-slipway"); }

}  // namespace slipway::compose
