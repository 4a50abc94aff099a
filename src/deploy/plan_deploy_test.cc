#include "deploy/plan_deploy.h"

#include <gtest/gtest.h>

#include "deploy/generation.h"
#include "plan/config_hash.h"
#include "plan/labels.h"

namespace slipway::deploy {
namespace {

compose::Project project() {
  compose::Project p;
  p.name = "demo";
  p.working_dir = "/srv/demo";
  p.config_files = {"/srv/demo/compose.yaml"};
  p.model = ojson::parse(R"({
    "name": "demo",
    "networks": {"default": {"name": "demo_default"}},
    "volumes": {"pgdata": {"name": "demo_pgdata"}},
    "services": {
      "db": {"image": "pg", "networks": {"default": null},
             "volumes": [{"type": "volume", "source": "pgdata", "target": "/var/lib/pg"}]},
      "web": {"image": "web", "networks": {"default": null}, "depends_on": {"db": {"condition": "service_started"}},
              "ports": [{"target": 8000, "published": "8080", "protocol": "tcp"}]},
      "worker": {"image": "web", "networks": {"default": null}, "scale": 2}
    },
    "x-slipway": {"routes": {"demo.test": "web:8000"}}
  })");
  return p;
}

plan::Observed images() {
  plan::Observed o;
  o.images = {{"pg", "sha256:pg1"}, {"web", "sha256:web1"}};
  return o;
}

edge::Routing routing(const compose::Project& p) { return edge::parse_routing(p.model, edge::fixed_locator()); }

DeployOptions gen(int n) {
  DeployOptions o;
  o.generation = n;
  return o;
}

TEST(DeployOrder, StatelessStartsFirstStatefulStopsFirst) {
  compose::Project p = project();
  edge::EdgePorts ports = edge::edge_ports(p.model, routing(p));
  EXPECT_EQ(service_order("web", p.model["services"]["web"], ports).order, Order::start_first);
  ServiceOrder db = service_order("db", p.model["services"]["db"], ports);
  EXPECT_EQ(db.order, Order::stop_first);
  EXPECT_EQ(db.reason, "writable volume pgdata");
}

TEST(DeployOrder, EveryReasonToRunOnce) {
  edge::EdgePorts none;
  auto order = [&](const char* json) { return service_order("s", ojson::parse(json), none); };
  EXPECT_EQ(order(R"({"container_name": "x"})").reason, "container_name");
  EXPECT_EQ(order(R"({"network_mode": "host"})").reason, "network_mode: host");
  EXPECT_EQ(order(R"({"ports": [{"target": 587, "published": "587", "protocol": "tcp"}]})").reason,
            "publishes host port 587/tcp");
  // A random host port, a read-only volume and an anonymous volume do not stop two copies.
  EXPECT_EQ(order(R"({"ports": [{"target": 80, "protocol": "tcp"}],
                      "volumes": [{"type": "volume", "source": "v", "target": "/v", "read_only": true},
                                  {"type": "volume", "target": "/tmp/x"}]})")
                .order,
            Order::start_first);
}

TEST(DeployOrder, OverrideWins) {
  edge::EdgePorts none;
  ojson cache = ojson::parse(R"({"volumes": [{"type": "volume", "source": "c", "target": "/c"}],
                                 "x-slipway": {"deploy": {"order": "start-first"}}})");
  EXPECT_EQ(service_order("cache", cache, none).order, Order::start_first);
  ojson web = ojson::parse(R"({"x-slipway": {"deploy": {"order": "stop-first"}}})");
  EXPECT_EQ(service_order("web", web, none).order, Order::stop_first);
  ojson bad = ojson::parse(R"({"x-slipway": {"deploy": {"order": "blue-green"}}})");
  EXPECT_THROW(service_order("web", bad, none), UserError);
}

TEST(DeploySettings, DefaultsAndValues) {
  DeploySettings d = deploy_settings(ojson::object(), {});
  EXPECT_EQ(d.keep, 3);
  EXPECT_EQ(d.watch, std::chrono::seconds(60));
  d = deploy_settings(ojson::parse(R"({"x-slipway": {"deploy": {"keep": 5, "watch": 2}}})"), {});
  EXPECT_EQ(d.keep, 5);
  EXPECT_EQ(d.watch, std::chrono::seconds(2));
  EXPECT_THROW(deploy_settings(ojson::parse(R"({"x-slipway": {"deploy": {"keep": 0}}})"), {}), UserError);
  EXPECT_THROW(deploy_settings(ojson::parse(R"({"x-slipway": {"deploy": {"wait": 1}}})"), {}), UserError);
}

TEST(PlanDeploy, FirstDeployCreatesGenerationContainers) {
  compose::Project p = project();
  DeployPlan d = plan_deploy(p, routing(p), images(), gen(1));
  ASSERT_EQ(d.steps.size(), 3u);
  EXPECT_EQ(d.steps[0].service, "db");  // dependencies first
  EXPECT_EQ(d.steps[0].order.order, Order::stop_first);
  const ServiceStep* web = d.step("web");
  ASSERT_TRUE(web);
  ASSERT_EQ(web->fresh.size(), 1u);
  EXPECT_EQ(web->fresh[0].name, "demo-web-g1-1");
  EXPECT_EQ(web->fresh[0].body["Labels"][plan::label::kGeneration], "1");
  EXPECT_EQ(web->fresh[0].body["Image"], "sha256:web1");
  // The edge owns web's published port: the container publishes none.
  EXPECT_FALSE(web->fresh[0].body["HostConfig"].contains("PortBindings") &&
               !web->fresh[0].body["HostConfig"]["PortBindings"].empty());
  const ServiceStep* worker = d.step("worker");
  ASSERT_EQ(worker->fresh.size(), 2u);
  EXPECT_EQ(worker->fresh[1].name, "demo-worker-g1-2");
  ASSERT_EQ(d.switches.size(), 1u);
  EXPECT_EQ(d.switches[0].to, (std::vector<std::string>{"demo-web-g1-1:8000"}));
  EXPECT_TRUE(d.switches[0].from.empty());
}

plan::ObservedContainer running(const DeployPlan& d, const std::string& service, int n) {
  const plan::ContainerSpec& cs = d.step(service)->fresh[n - 1];
  plan::ObservedContainer c;
  c.id = cs.name + "-id";
  c.name = cs.name;
  c.service = service;
  c.number = n;
  c.state = "running";
  c.config_hash = cs.body["Labels"][plan::label::kConfigHash];
  for (const auto& [k, v] : cs.body["Labels"].items()) c.labels[k] = v;
  return c;
}

TEST(PlanDeploy, UnchangedServicesStayAndChangedOnesSwitch) {
  compose::Project p = project();
  DeployPlan first = plan_deploy(p, routing(p), images(), gen(1));
  plan::Observed o = images();
  o.containers = {running(first, "db", 1), running(first, "web", 1), running(first, "worker", 1),
                  running(first, "worker", 2)};
  EXPECT_TRUE(plan_deploy(p, routing(p), o, gen(2)).empty());
  EXPECT_EQ(next_generation(o, 0), 2);
  EXPECT_EQ(next_generation(o, 7), 8);

  o.images["web"] = "sha256:web2";  // a rebuilt image: web and worker change, db does not
  DeployPlan d = plan_deploy(p, routing(p), o, gen(2));
  ASSERT_EQ(d.steps.size(), 2u);
  EXPECT_EQ(d.unchanged, (std::vector<std::string>{"db"}));
  EXPECT_EQ(d.step("web")->previous.size(), 1u);
  ASSERT_EQ(d.switches.size(), 1u);
  EXPECT_EQ(d.switches[0].from, (std::vector<std::string>{"demo-web-g1-1:8000"}));
  EXPECT_EQ(d.switches[0].to, (std::vector<std::string>{"demo-web-g2-1:8000"}));
  EXPECT_NE(d.render().find("switch route route:demo.test to demo-web-g2-1:8000"), std::string::npos);
}

TEST(PlanDeploy, ScopeImageOverrideAndErrors) {
  compose::Project p = project();
  DeployOptions o = gen(3);
  o.services = {"web"};
  o.images = {{"web", "sha256:old"}};
  DeployPlan d = plan_deploy(p, routing(p), plan::Observed{}, o);
  ASSERT_EQ(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].fresh[0].body["Image"], "sha256:old");
  o.services = {"nope"};
  EXPECT_THROW(plan_deploy(p, routing(p), images(), o), UserError);
  o.services = {"db"};
  EXPECT_THROW(plan_deploy(p, routing(p), plan::Observed{}, o), UserError);  // no image
}

TEST(Generation, NamesAndLabels) {
  EXPECT_EQ(generation_container_name("p", "web", ojson::object(), 4, 2), "p-web-g4-2");
  EXPECT_EQ(generation_container_name("p", "db", ojson::parse(R"({"container_name": "pg"})"), 4, 1), "pg");
  plan::ObservedContainer c;
  EXPECT_FALSE(generation_of(c));
  c.labels[plan::label::kGeneration] = "12";
  EXPECT_EQ(generation_of(c), 12);
  c.labels[plan::label::kGeneration] = "x";
  EXPECT_FALSE(generation_of(c));
  EXPECT_EQ(keep_tag("p", "web", 3).reference(), "p-web-slipway:g3");
}

}  // namespace
}  // namespace slipway::deploy
