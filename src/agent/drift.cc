// classify_drift (drift.h): pure judgement of the observed facts against the project.
#include "agent/drift.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "compose/model.h"
#include "plan/config_hash.h"
#include "plan/naming.h"

namespace slipway::agent {

using json = nlohmann::json;
namespace label = plan::label;

namespace {

// Files the engine itself mounts into every container.
const std::vector<std::string> kEngineMounts = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
                                                "/dev",       "/proc",         "/sys"};

bool under(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// A change that belongs to data, not to the container's own filesystem: at or below a mount
// target, or a directory above one (the engine creates mount points in the writable layer,
// which marks their parents changed).
bool is_data_path(const std::string& path, const std::vector<std::string>& targets) {
  for (const auto* list : {&targets, &kEngineMounts})
    for (const auto& t : *list)
      if (!t.empty() && (under(path, t) || under(t, path))) return true;
  return false;
}

std::string role_of(const plan::Labels& labels) {
  auto it = labels.find(label::kRole);
  return it == labels.end() ? "" : it->second;
}

// The edge proxy (src/edge) is declared by x-slipway, not by a service.
bool is_edge(const plan::Labels& labels) { return role_of(labels).rfind("edge", 0) == 0; }

const char* kind_letter(int kind) { return kind == 1 ? "A" : kind == 2 ? "D" : "C"; }

class Classifier {
 public:
  Classifier(const compose::Project& project, const DriftFacts& facts)
      : project_(project), model_(project), facts_(facts) {}

  DriftReport run() {
    report_.project = project_.name;
    report_.generation = facts_.generation;
    for (const auto& pc : facts_.containers) container(pc);
    missing_images();
    for (const auto& o : facts_.others)
      add(DriftKind::hand_started, o.name,
          "started by hand from a stack image (" + short_id(o.image_id) + "), " + o.state + "; no plan knows it",
          "remove it (`docker rm -f " + o.name + "`), or declare it as a service in the Compose file");
    declared_resources();
    std::stable_sort(report_.findings.begin(), report_.findings.end(), [](const auto& a, const auto& b) {
      return std::tie(a.kind, a.object) < std::tie(b.kind, b.object);
    });
    return report_;
  }

 private:
  const compose::Project& project_;
  compose::Model model_;
  const DriftFacts& facts_;
  DriftReport report_;

  static std::string short_id(const std::string& id) {
    std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
    return s.substr(0, 12);
  }

  DriftFinding& add(DriftKind kind, const std::string& object, const std::string& detail, const std::string& action) {
    report_.findings.push_back({kind, object, detail, action, {}, 0});
    return report_.findings.back();
  }

  void container(const ProjectContainer& pc) {
    const auto& c = pc.c;
    if (is_edge(c.labels)) return;
    if (c.oneoff) {
      add(DriftKind::hand_started, c.name, "a one-off container of service \"" + c.service + "\" (`compose run`)",
          "remove it when done (`docker rm -f " + c.name + "`)");
      return;
    }
    if (!model_.has_service(c.service)) {
      add(DriftKind::undeclared, c.name,
          "container of service \"" + c.service + "\", which the Compose file no longer declares",
          "`" + facts_.converge.remove_orphan(c.name) + "` removes it");
      return;
    }
    compose::Service service = model_.service(c.service);
    auto role = plan::name_role(c.name, c.id, service.container_name(project_.name, c.number));
    if (role == plan::NameRole::staging || role == plan::NameRole::aside) {
      add(DriftKind::config, c.name, "left half-replaced by an interrupted run",
          "`" + facts_.converge.command() + "` finishes or undoes the replacement");
      return;
    }
    if (!pc.image_present)
      add(DriftKind::missing_image, c.name, "runs image " + short_id(c.image_id) + ", which no longer exists",
          "rebuild and converge: `" + facts_.converge.rebuild() + "`");
    auto image = facts_.images.find(service.image_reference(project_.name));
    if (image != facts_.images.end() && !image->second.empty() &&
        plan::config_hash(service.spec(), image->second) != c.config_hash)
      add(DriftKind::config, c.name,
          "runs a configuration that differs from the repository's (the Compose file or the image " + image->first +
              " changed since it was created)",
          "`" + facts_.converge.command() + "` recreates it from the repository");
    filesystem(pc);
  }

  void filesystem(const ProjectContainer& pc) {
    std::vector<std::string> paths;
    size_t count = 0;
    for (const auto& ch : pc.changes) {
      if (is_data_path(ch.path, pc.mount_targets)) continue;
      ++count;
      if (paths.size() < kMaxPaths) paths.push_back(std::string(kind_letter(ch.kind)) + " " + ch.path);
    }
    if (!count) return;
    auto& f = add(DriftKind::filesystem, pc.c.name,
                  std::to_string(count) + " path(s) changed inside the container, outside its volumes and tmpfs",
                  "keep the change in the repository (Dockerfile, a volume, a config), then `" +
                      facts_.converge.recreate(pc.c.service) + "` to start clean");
    f.paths = std::move(paths);
    f.path_count = count;
  }

  void missing_images() {
    for (const auto& s : model_.services()) {
      std::string ref = s.image_reference(project_.name);
      auto it = facts_.images.find(ref);
      if (it == facts_.images.end() || !it->second.empty()) continue;
      bool builds = s.build().has_value();
      add(DriftKind::missing_image, ref, "image of service \"" + s.name() + "\" is missing from the engine",
          builds ? "`slipway build " + s.name() + "` rebuilds it"
                 : "load it again (`docker load`), or build it with `slipway base` when it is a base image");
    }
  }

  void declared_resources() {
    std::set<std::string> networks, volumes;
    for (const auto& n : model_.networks()) networks.insert(n.name());
    networks.insert(model_.network_name("default"));
    for (const auto& v : model_.volumes()) volumes.insert(v.name());
    for (const auto& n : facts_.networks)
      if (!networks.count(n.name) && !is_edge(n.labels))
        add(DriftKind::undeclared, n.name,
            "network carries the project's label but the Compose file does not declare it",
            "remove it when nothing uses it (`docker network rm " + n.name + "`)");
    for (const auto& v : facts_.volumes)
      if (!volumes.count(v.name) && !is_edge(v.labels))
        add(DriftKind::undeclared, v.name,
            "volume carries the project's label but the Compose file does not declare it (backups skip it)",
            "declare it again if its data matters; otherwise `docker volume rm " + v.name + "`");
  }
};

}  // namespace

std::string to_string(DriftKind kind) {
  switch (kind) {
    case DriftKind::filesystem:
      return "filesystem";
    case DriftKind::hand_started:
      return "hand-started";
    case DriftKind::undeclared:
      return "undeclared";
    case DriftKind::config:
      return "config";
    case DriftKind::missing_image:
      return "missing-image";
  }
  return "unknown";
}

DriftReport classify_drift(const compose::Project& project, const DriftFacts& facts) {
  return Classifier(project, facts).run();
}

json DriftReport::to_json() const {
  json out = {{"project", project}, {"generation", generation}, {"clean", clean()}, {"findings", json::array()}};
  for (const auto& f : findings) {
    json j = {{"kind", to_string(f.kind)}, {"object", f.object}, {"detail", f.detail}, {"action", f.action}};
    if (f.kind == DriftKind::filesystem) {
      j["paths"] = f.paths;
      j["path_count"] = f.path_count;
    }
    out["findings"].push_back(std::move(j));
  }
  return out;
}

std::string render_drift(const DriftReport& report) {
  if (report.clean()) return "no drift: what runs for " + report.project + " is what the repository declares\n";
  std::string out;
  for (const auto& f : report.findings) {
    out += to_string(f.kind) + ": " + f.object + ": " + f.detail + "\n";
    for (const auto& p : f.paths) out += "    " + p + "\n";
    if (f.path_count > f.paths.size()) out += "    ... " + std::to_string(f.path_count - f.paths.size()) + " more\n";
    out += "  -> " + f.action + "\n";
  }
  out += std::to_string(report.findings.size()) + " finding(s)\n";
  return out;
}

}  // namespace slipway::agent
