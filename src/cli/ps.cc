// `slipway ps [--json]`: every container of the project as the engine reports it, with
// whether it still matches the Compose file (its config hash), its generation and whether the
// stack's edge routes requests to it — the truth after any
// interrupted or failed `up`, including the containers an interrupted replacement left under
// their intermediate names. `ps NOSUCH` is a user error (exit 2).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "apply/observe.h"
#include "cli/common.h"
#include "compose/model.h"
#include "deploy/edge_switch.h"
#include "edge/caddy_config.h"
#include "edge/routed.h"
#include "plan/config_hash.h"
#include "plan/naming.h"

namespace slipway::cli {
namespace {

struct PsFlags {
  bool all = true;
  bool quiet = false;
  std::vector<std::string> services;
};

std::string ports_text(const nlohmann::json& ports) {
  std::vector<std::string> out;
  if (!ports.is_array()) return "";
  for (const auto& p : ports) {
    std::string s;
    if (p.contains("PublicPort")) s = p.value("IP", "") + ":" + std::to_string(p.value("PublicPort", 0)) + "->";
    s += std::to_string(p.value("PrivatePort", 0)) + "/" + p.value("Type", "tcp");
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) joined += (i ? ", " : "") + out[i];
  return joined;
}

// Names of the containers the edge's routes serve from now (empty without a running edge).
std::set<std::string> routed_containers(const engine::Engine& client, const std::string& project) {
  std::set<std::string> out;
  auto admin = deploy::running_edge(client, project);
  if (!admin) return out;
  try {
    for (const auto& [id, ups] : edge::live_upstreams(admin->current_config()))
      for (const auto& u : ups) out.insert(u.substr(0, u.rfind(':')));
  } catch (const EnvError&) {
    // the edge is starting or restarting: nothing is known to be routed
  }
  return out;
}

int run_ps(GlobalOptions& global, const PsFlags& f) {
  compose::Project project = compose::load(global.load_options());
  engine::Client client = connect_engine(global, /*ping=*/false);
  compose::Model model(project);
  for (const auto& s : f.services) model.service(s);  // UserError naming the services there are
  // Routed services are created without the ports the edge owns (deploy), so their hash is too.
  edge::EdgePorts edge_ports = edge::edge_ports(project.model, edge::parse_routing(project));
  std::set<std::string> routed = routed_containers(client, project.name);
  std::map<std::string, std::string> image_ids;
  nlohmann::json rows = nlohmann::json::array();
  auto summaries = client.list_containers(apply::project_containers_filter(project.name), true);
  for (const auto& s : summaries) {
    plan::ObservedContainer c = apply::from_summary(s);
    if (!f.services.empty() && std::find(f.services.begin(), f.services.end(), c.service) == f.services.end()) continue;
    // "current": the container matches the Compose file and the image its tag names now;
    // "changed": the next `up` recreates it; "orphan": its service is gone from the file.
    std::string config = "orphan";
    std::string image = s.value("Image", "");
    if (model.has_service(c.service)) {
      compose::Service svc = model.service(c.service);
      const auto spec = edge::without_edge_ports(c.service, svc.spec(), edge_ports);
      std::string ref = svc.image_reference(project.name);
      // Containers are created from the image ID (what the hash covers); show the name.
      if (image == c.image_id) image = ref;
      if (!image_ids.count(ref)) {
        auto img = client.find_image(ref);
        image_ids[ref] = img ? img->value("Id", "") : "";
      }
      config = plan::config_hash(spec, image_ids[ref]) == c.config_hash ? "current" : "changed";
      // Left by an interrupted replacement (plan/recovery.h); the next `up` resolves it.
      auto role = plan::name_role(c.name, c.id, svc.container_name(project.name, c.number));
      if (role == plan::NameRole::staging) config = "new, unfinished (interrupted; `up` resolves it)";
      if (role == plan::NameRole::aside) config = "old, set aside (interrupted; `up` resolves it)";
    }
    if (c.edge()) config = "edge";
    auto label = [&](const char* k) {
      auto it = c.labels.find(k);
      return it == c.labels.end() ? std::string() : it->second;
    };
    rows.push_back({{"Name", c.name},
                    {"Service", c.service},
                    {"Number", c.number},
                    {"State", c.state},
                    {"Health", c.health},
                    {"ExitCode", c.exit_code},
                    {"Status", s.value("Status", "")},
                    {"Image", image},
                    {"ImageID", c.image_id},
                    {"ID", c.id},
                    {"Ports", ports_text(s.value("Ports", nlohmann::json::array()))},
                    {"Generation", label(plan::label::kGeneration)},
                    {"Role", label(plan::label::kRole)},
                    {"Oneoff", c.oneoff},
                    {"Routed", routed.count(c.name) > 0},
                    {"Config", config}});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a["Service"].template get_ref<const std::string&>(), a["Number"]) <
           std::tie(b["Service"].template get_ref<const std::string&>(), b["Number"]);
  });
  if (global.json) {
    std::cout << rows.dump(2) << "\n";
    return 0;
  }
  if (f.quiet) {
    for (const auto& r : rows) std::cout << r["ID"].get<std::string>() << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table = {{"NAME", "SERVICE", "STATUS", "CONFIG", "GEN", "EDGE", "PORTS"}};
  for (const auto& r : rows)
    table.push_back({r["Name"], r["Service"], r["Status"], r["Config"], r["Generation"],
                     r["Routed"].get<bool>() ? "routed" : "-", r["Ports"]});
  std::vector<size_t> width(table[0].size(), 0);
  for (const auto& row : table)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : table) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : row[i] + std::string(width[i] - row[i].size() + 3, ' ');
    std::cout << line << "\n";
  }
  return 0;
}

void setup_ps(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto f = std::make_shared<PsFlags>();
  CLI::App* sub = app.add_subcommand("ps", "List the project's containers, their state and whether they are current");
  sub->add_flag("--json", global.json, "Print a JSON array");
  sub->add_flag("-q,--quiet", f->quiet, "Print only container IDs");
  sub->add_option("services", f->services, "Only these services");
  sub->callback([&global, &run, f] { run = [&global, f] { return run_ps(global, *f); }; });
}

const bool registered = register_command({"ps", 30, setup_ps});

}  // namespace
}  // namespace slipway::cli
