#include "deploy/plan_deploy.h"

#include <algorithm>
#include <set>

#include "deploy/generation.h"
#include "plan/config_hash.h"
#include "plan/labels.h"
#include "plan/naming.h"
#include "plan/plan.h"
#include "util/error.h"

namespace slipway::deploy {
namespace {

Location first_file(const compose::Project& project) {
  Location l;
  if (!project.config_files.empty()) l.file = project.config_files.front();
  return l;
}

std::vector<std::string> in_scope(const compose::Project& project, const std::vector<std::string>& wanted) {
  const ojson& services = project.model["services"];
  for (const auto& s : wanted)
    if (!services.contains(s))
      throw UserError(first_file(project), "no such service: " + s + " (see `slipway config --services`)");
  std::set<std::string> want(wanted.begin(), wanted.end());
  std::vector<std::string> out;
  for (const auto& s : plan::dependency_order(services))
    if (want.empty() || want.count(s)) out.push_back(s);
  return out;
}

std::vector<plan::ObservedContainer> containers_of(const plan::Observed& observed, const std::string& service) {
  std::vector<plan::ObservedContainer> out;
  for (const auto& c : observed.containers)
    if (c.service == service && !c.oneoff) out.push_back(c);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.number, a.name) < std::tie(b.number, b.name); });
  return out;
}

bool up_to_date(const std::vector<plan::ObservedContainer>& have, int replicas, const std::string& hash) {
  if (static_cast<int>(have.size()) != replicas) return false;
  return std::all_of(have.begin(), have.end(),
                     [&](const plan::ObservedContainer& c) { return c.running() && c.config_hash == hash; });
}

std::vector<std::string> upstreams(const std::vector<std::string>& names, int port) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(n + ":" + std::to_string(port));
  return out;
}

// The model the create requests are made from: routed services without the ports the edge owns.
ojson deployable_model(const compose::Project& project, const edge::EdgePorts& ports) {
  ojson m = project.model;
  for (const auto& s : ports.routed_services) m["services"][s] = without_edge_ports(s, m["services"][s], ports);
  return m;
}

class DeployPlanner {
 public:
  DeployPlanner(const compose::Project& project, const edge::Routing& routing, const plan::Observed& observed,
                const DeployOptions& options)
      : project_(project), observed_(observed), options_(options) {
    plan_.generation = options.generation;
    plan_.routing = routing;
    plan_.edge_ports = edge::edge_ports(project.model, routing);
    model_ = deployable_model(project, plan_.edge_ports);
  }

  DeployPlan run() {
    for (const auto& s : in_scope(project_, options_.services)) plan_service(s);
    plan_switches();
    return std::move(plan_);
  }

 private:
  const compose::Project& project_;
  const plan::Observed& observed_;
  const DeployOptions& options_;
  DeployPlan plan_;
  ojson model_;

  std::string image_for(const std::string& s, const ojson& spec) const {
    if (auto it = options_.images.find(s); it != options_.images.end()) return it->second;
    std::string ref = plan::service_image(project_.name, s, spec);
    auto it = observed_.images.find(ref);
    if (it == observed_.images.end() || it->second.empty())
      throw UserError(first_file(project_), "services." + s + ": image " + ref +
                                                " is not on the engine (build or pull it first: `slipway build`)");
    return it->second;
  }

  void plan_service(const std::string& s) {
    const ojson& spec = model_["services"][s];
    ServiceStep step;
    step.service = s;
    step.image_id = image_for(s, spec);
    step.stop_timeout = plan::stop_timeout_seconds(spec);
    step.fixed_name = spec.contains("container_name");
    step.previous = containers_of(observed_, s);
    std::string hash = plan::config_hash(spec, step.image_id);
    int replicas = plan::replicas(s, spec);
    if (!options_.force && up_to_date(step.previous, replicas, hash)) {
      plan_.unchanged.push_back(s);
      return;
    }
    step.order = service_order(s, spec, plan_.edge_ports);
    for (int n = 1; n <= replicas; ++n) step.fresh.push_back(fresh_container(s, spec, n, hash, step.image_id));
    plan_.steps.push_back(std::move(step));
  }

  plan::ContainerSpec fresh_container(const std::string& s, const ojson& spec, int n, const std::string& hash,
                                      const std::string& image_id) const {
    plan::CreateContext ctx;
    ctx.project = project_.name;
    ctx.service = s;
    ctx.number = n;
    ctx.image = image_id;
    ctx.labels = plan::container_labels(project_, s, n, "service", std::to_string(options_.generation));
    ctx.labels[plan::label::kConfigHash] = hash;
    ctx.labels[plan::label::kImage] = image_id;
    ctx.api_version = options_.api_version;
    ctx.where = first_file(project_);
    plan::ContainerSpec cs = plan::container_spec(model_, ctx);
    cs.name = generation_container_name(project_.name, s, spec, options_.generation, n);
    return cs;
  }

  void plan_switches() {
    for (const auto& route : plan_.routing.routes) {
      const ServiceStep* step = plan_.step(route.service);
      if (!step) continue;
      std::vector<std::string> to, from;
      for (const auto& c : step->fresh) to.push_back(c.name);
      for (const auto& c : step->previous)
        if (c.running()) from.push_back(c.name);
      plan_.switches.push_back({route.id, route.service, upstreams(to, route.port), upstreams(from, route.port)});
    }
  }
};

}  // namespace

const ServiceStep* DeployPlan::step(const std::string& service) const {
  for (const auto& s : steps)
    if (s.service == service) return &s;
  return nullptr;
}

std::string DeployPlan::render() const {
  std::string out;
  for (const auto& s : steps) {
    out += "deploy " + s.service + " as generation " + std::to_string(generation) + " (" + order_name(s.order.order) +
           ": " + s.order.reason + "):";
    for (const auto& c : s.fresh) out += " " + c.name;
    out += "\n";
  }
  for (const auto& sw : switches) {
    out += "switch route " + sw.route_id + " to";
    for (const auto& u : sw.to) out += " " + u;
    out += "\n";
  }
  for (const auto& s : unchanged) out += "keep " + s + " (unchanged)\n";
  return out;
}

edge::Routing routing_of(const compose::Project& project) {
  edge::Routing routing = edge::parse_routing(project);
  edge::check_public_ports(project.model, routing, edge::edge_ports(project.model, routing),
                           edge::file_locator(project.config_files));
  return routing;
}

DeployPlan plan_deploy(const compose::Project& project, const edge::Routing& routing, const plan::Observed& observed,
                       const DeployOptions& options) {
  return DeployPlanner(project, routing, observed, options).run();
}

int next_generation(const plan::Observed& observed, int recorded) {
  int best = std::max(recorded, 0);
  for (const auto& c : observed.containers)
    if (auto g = generation_of(c)) best = std::max(best, *g);
  return best + 1;
}

}  // namespace slipway::deploy
