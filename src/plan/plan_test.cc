#include "plan/plan.h"

#include <gtest/gtest.h>

#include "plan/config_hash.h"
#include "plan/file_digests.h"
#include "plan/naming.h"

namespace slipway::plan {
namespace {

compose::Project project() {
  compose::Project p;
  p.name = "shop";
  p.working_dir = "/srv/shop";
  p.config_files = {"/srv/shop/compose.yaml"};
  p.model = ojson::parse(R"({
    "name": "shop",
    "networks": {"default": {"name": "shop_default", "ipam": {}}},
    "volumes": {"data": {"name": "shop_data"}},
    "services": {
      "web": {"command": null, "entrypoint": null, "image": "web:1",
              "networks": {"default": null},
              "depends_on": {"db": {"condition": "service_healthy", "required": true},
                             "migrate": {"condition": "service_completed_successfully", "required": true}},
              "ports": [{"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}]},
      "db": {"command": null, "entrypoint": null, "image": "db:1", "networks": {"default": null},
             "volumes": [{"type": "volume", "source": "data", "target": "/var/lib/db", "volume": {}}],
             "healthcheck": {"test": ["CMD", "true"], "interval": "1s"}},
      "migrate": {"command": ["migrate"], "entrypoint": null, "image": "db:1", "networks": {"default": null},
                  "depends_on": {"db": {"condition": "service_healthy", "required": true}}}
    }
  })");
  return p;
}

Observed images() {
  Observed o;
  o.images = {{"web:1", "sha256:1111111111111111111111111111"}, {"db:1", "sha256:2222222222222222222222222222"}};
  return o;
}

std::vector<std::string> lines(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions) out.push_back(a.describe());
  return out;
}

// What the engine would run after applying `plan` on top of `observed`.
Observed after(const Plan& plan, Observed observed) {
  for (const auto& a : plan.actions) {
    if (a.type == ActionType::create_network) observed.networks.push_back({"id-" + a.name, a.name, {}});
    if (a.type == ActionType::create_volume) observed.volumes.push_back({a.name, {}});
    if (a.type == ActionType::remove_container || a.type == ActionType::recreate_container)
      std::erase_if(observed.containers, [&](const ObservedContainer& c) { return c.id == a.id; });
    if (a.type == ActionType::create_container || a.type == ActionType::recreate_container) {
      ObservedContainer c;
      c.id = "id-" + a.name;
      c.name = a.name;
      c.service = a.service;
      c.number = a.number;
      c.state = a.service == "migrate" ? "exited" : "running";
      c.labels = a.container->body["Labels"].get<Labels>();
      c.config_hash = c.labels.at(label::kConfigHash);
      observed.containers.push_back(c);
    }
  }
  return observed;
}

TEST(PlanUp, FreshProjectInDependencyOrder) {
  Plan plan = plan_up(project(), images(), {});
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "create network shop_default",
                             "create volume shop_data",
                             "create container shop-db-1 (image sha256:222222222222…)",
                             "wait for container shop-db-1 to be healthy",
                             "create container shop-migrate-1 (image sha256:222222222222…)",
                             "wait for container shop-migrate-1 to be completed successfully",
                             "create container shop-web-1 (image sha256:111111111111…)",
                         }));
  const auto& web = plan.actions.back();
  const auto& labels = web.container->body["Labels"];
  EXPECT_EQ(labels[label::kProject], "shop");
  EXPECT_EQ(labels[label::kService], "web");
  EXPECT_EQ(labels[label::kNumber], "1");
  EXPECT_EQ(labels[label::kOneoff], "False");
  EXPECT_EQ(labels[label::kWorkingDir], "/srv/shop");
  EXPECT_EQ(labels[label::kConfigFiles], "/srv/shop/compose.yaml");
  EXPECT_EQ(labels[label::kGeneration], "1");
  EXPECT_EQ(labels[label::kRole], "service");
  EXPECT_EQ(labels[label::kConfigHash], config_hash(project().model["services"]["web"], images().images["web:1"]));
  EXPECT_EQ(web.container->body["Image"], "sha256:1111111111111111111111111111");
}

TEST(PlanUp, SecondUpChangesNothing) {
  Observed o = after(plan_up(project(), images(), {}), images());
  Plan again = plan_up(project(), o, {});
  EXPECT_TRUE(again.empty()) << again.render();
  EXPECT_TRUE(again.warnings.empty());
}

TEST(PlanUp, KeyOrderDoesNotChangeTheHash) {
  Observed o = after(plan_up(project(), images(), {}), images());
  compose::Project p = project();
  ojson web = ojson::object();
  std::vector<std::string> keys;
  for (const auto& [k, _] : p.model["services"]["web"].items()) keys.push_back(k);
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) web[*it] = p.model["services"]["web"][*it];
  p.model["services"]["web"] = web;
  EXPECT_TRUE(plan_up(p, o, {}).empty());
}

TEST(PlanUp, ChangedServiceIsRecreatedAlone) {
  Observed o = after(plan_up(project(), images(), {}), images());
  compose::Project p = project();
  p.model["services"]["web"]["environment"] = {{"MODE", "fast"}};
  Plan plan = plan_up(p, o, {});
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "wait for container shop-db-1 to be healthy",
                             "wait for container shop-migrate-1 to be completed successfully",
                             "recreate container shop-web-1 (config changed)",
                         }));
  EXPECT_EQ(plan.actions.back().id, "id-shop-web-1");
}

TEST(PlanUp, NewImageRecreatesAndKeepsVolumes) {
  Observed o = after(plan_up(project(), images(), {}), images());
  o.images["db:1"] = "sha256:3333333333333333333333333333";
  Plan plan = plan_up(project(), o, {});
  // db and migrate share the image; web is unchanged. No volume action: data survives.
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "recreate container shop-db-1 (config changed)",
                             "wait for container shop-db-1 to be healthy",
                             "recreate container shop-migrate-1 (config changed)",
                         }));
}

TEST(PlanUp, StoppedContainersAreStartedButCompletedJobsAreLeft) {
  Observed o = after(plan_up(project(), images(), {}), images());
  for (auto& c : o.containers)
    if (c.service == "web") {
      c.state = "exited";
      c.exit_code = 137;
    }
  EXPECT_EQ(lines(plan_up(project(), o, {})), (std::vector<std::string>{
                                                  "wait for container shop-db-1 to be healthy",
                                                  "wait for container shop-migrate-1 to be completed successfully",
                                                  "start container shop-web-1 (stopped)",
                                              }));
}

TEST(PlanUp, MissingImagesAreBuiltOrPulledFirst) {
  compose::Project p = project();
  p.model["services"]["web"].erase("image");
  p.model["services"]["web"]["build"] = {{"context", "/srv/shop/web"}, {"dockerfile", "Dockerfile"}};
  Observed o = images();
  o.images.erase("db:1");
  Plan plan = plan_up(p, o, {});
  ASSERT_GE(plan.actions.size(), 2u);
  EXPECT_EQ(plan.actions[0].describe(), "pull image db:1");
  EXPECT_EQ(plan.actions[1].describe(), "build image shop-web (service web)");
  EXPECT_EQ(plan.actions.back().describe(), "create container shop-web-1 (image shop-web, built above)");
  p.model["services"]["db"]["pull_policy"] = "never";
  EXPECT_THROW(plan_up(p, o, {}), UserError);
}

TEST(PlanUp, OrphansWarnOrGo) {
  Observed o = after(plan_up(project(), images(), {}), images());
  ObservedContainer old;
  old.id = "id-old";
  old.name = "shop-old-1";
  old.service = "old";
  old.number = 1;
  old.state = "running";
  o.containers.push_back(old);
  Plan keep = plan_up(project(), o, {});
  EXPECT_TRUE(keep.empty());
  ASSERT_EQ(keep.warnings.size(), 1u);
  UpOptions remove;
  remove.remove_orphans = true;
  EXPECT_EQ(lines(plan_up(project(), o, remove)), (std::vector<std::string>{"remove container shop-old-1 (orphan)"}));
}

TEST(PlanUp, TheEdgeIsNoOrphan) {
  Observed o = after(plan_up(project(), images(), {}), images());
  ObservedContainer edge;
  edge.id = "id-edge";
  edge.name = "shop-slipway-edge-1";
  edge.service = "slipway-edge";
  edge.number = 1;
  edge.state = "running";
  edge.labels[label::kRole] = "edge";
  o.containers.push_back(edge);
  UpOptions remove;
  remove.remove_orphans = true;
  Plan p = plan_up(project(), o, remove);
  EXPECT_TRUE(p.empty()) << p.render();
  EXPECT_TRUE(p.warnings.empty());
  // down leaves it to the command (which removes it first) and still removes the networks.
  Plan down = plan_down(project(), o, {false, false});
  for (const auto& a : down.actions) EXPECT_NE(a.name, "shop-slipway-edge-1");
  EXPECT_TRUE(down.warnings.empty());
}

TEST(PlanUp, SelectedServicesBringTheirDependencies) {
  UpOptions only;
  only.services = {"migrate"};
  Plan plan = plan_up(project(), images(), only);
  for (const auto& a : plan.actions) EXPECT_NE(a.service, "web");
  EXPECT_EQ(plan.actions.back().name, "shop-migrate-1");
}

TEST(PlanUp, ScaleDownAndExternalObjects) {
  compose::Project p = project();
  p.model["services"]["web"]["scale"] = 2;
  Observed o = after(plan_up(p, images(), {}), images());
  EXPECT_EQ(std::count_if(o.containers.begin(), o.containers.end(), [](auto& c) { return c.service == "web"; }), 2);
  p.model["services"]["web"]["scale"] = 1;
  EXPECT_EQ(lines(plan_up(p, o, {})).back(), "remove container shop-web-2 (scaled down)");
  p.model["volumes"]["data"] = {{"name", "precious"}, {"external", true}};
  EXPECT_THROW(plan_up(p, images(), {}), UserError);
}

TEST(PlanUp, ChangedSecretRecreates) {
  compose::Project p = project();
  p.model["secrets"] = {{"pw", {{"name", "shop_pw"}, {"file", "/srv/shop/pw.txt"}}}};
  p.model["services"]["db"]["secrets"] = ojson::parse(R"([{"source":"pw","target":"/run/secrets/pw"}])");
  UpOptions opts;
  opts.file_digests["secret:pw"] = "aaaa";
  Observed o = after(plan_up(p, images(), opts), images());
  for (auto& c : o.containers)
    if (c.service == "db") c.file_digests["/run/secrets/pw"] = "aaaa";
  EXPECT_TRUE(plan_up(p, o, opts).empty());
  opts.file_digests["secret:pw"] = "bbbb";
  EXPECT_EQ(lines(plan_up(p, o, opts)).front(), "recreate container shop-db-1 (secret pw changed)");
}

// The fingerprints travel in a label written at create time: the next plan needs no reads.
TEST(PlanUp, SecretFingerprintLabel) {
  compose::Project p = project();
  p.model["secrets"] = {{"pw", {{"name", "shop_pw"}, {"file", "/srv/shop/pw.txt"}}}};
  p.model["services"]["db"]["secrets"] = ojson::parse(R"([{"source":"pw","target":"/run/secrets/pw"}])");
  UpOptions opts;
  opts.file_digests["secret:pw"] = "aaaa";
  Plan first = plan_up(p, images(), opts);
  for (const auto& a : first.actions)
    if (a.container) {
      auto labels = a.container->body["Labels"];
      EXPECT_EQ(labels.contains(label::kFileDigests), a.service == "db") << a.name;
    }
  Observed o = after(first, images());
  for (auto& c : o.containers) c.file_digests = decode_file_digests(c.labels[label::kFileDigests]);
  EXPECT_TRUE(plan_up(p, o, opts).empty()) << plan_up(p, o, opts).render();
  opts.file_digests["secret:pw"] = "bbbb";
  EXPECT_EQ(lines(plan_up(p, o, opts)), (std::vector<std::string>{"recreate container shop-db-1 (secret pw changed)"}));
  // Without fingerprints (test copies, drills) nothing is compared or labelled.
  Plan plain = plan_up(p, images(), {});
  for (const auto& a : plain.actions) {
    if (a.container) {
      EXPECT_FALSE(a.container->body["Labels"].contains(label::kFileDigests));
    }
  }
}

TEST(FileDigests, RoundTrip) {
  std::map<std::string, std::string> m{{"/run/secrets/a,b=c", "01"}, {"/etc/x.conf", "02"}};
  EXPECT_EQ(decode_file_digests(encode_file_digests(m)), m);
  EXPECT_TRUE(decode_file_digests("").empty());
  EXPECT_TRUE(decode_file_digests("[1]").empty());
}

TEST(PlanDown, ReverseOrderThenNetworksAndVolumes) {
  Observed o = after(plan_up(project(), images(), {}), images());
  EXPECT_EQ(lines(plan_down(project(), o, {})), (std::vector<std::string>{
                                                    "remove container shop-web-1",
                                                    "remove container shop-migrate-1",
                                                    "remove container shop-db-1",
                                                    "remove network shop_default",
                                                }));
  DownOptions v;
  v.volumes = true;
  Plan plan = plan_down(project(), o, v);
  EXPECT_EQ(plan.actions.back().describe(), "remove volume shop_data");
  EXPECT_TRUE(plan.actions.front().remove_volumes);
  EXPECT_TRUE(plan_down(project(), images(), {}).empty());
}

TEST(PlanBodies, NetworkAndVolumeRequests) {
  compose::Project p = project();
  p.model["networks"]["back"] = ojson::parse(
      R"({"name":"shop_back","driver":"bridge","internal":true,"labels":{"a":"b"},"ipam":{"config":[{"subnet":"172.20.0.0/24"}]}})");
  auto body = network_body(p, "back");
  EXPECT_EQ(body["Name"], "shop_back");
  EXPECT_EQ(body["Internal"], true);
  EXPECT_EQ(body["Labels"]["a"], "b");
  EXPECT_EQ(body["Labels"][label::kNetwork], "back");
  EXPECT_EQ(body["IPAM"]["Config"][0]["Subnet"], "172.20.0.0/24");
  p.model["networks"]["back"]["driver_opts"] = {{"com.docker.network.bridge.name", "br9"}};
  EXPECT_EQ(network_body(p, "back")["Options"]["com.docker.network.bridge.name"], "br9");
  p.model["networks"]["back"]["bogus"] = 1;
  EXPECT_THROW(network_body(p, "back"), UserError);
  auto vol = volume_body(p, "data");
  EXPECT_EQ(vol["Name"], "shop_data");
  EXPECT_EQ(vol["Labels"][label::kVolume], "data");
}

// What an interrupted replacement leaves (plan/recovery.h), as the next plan sees it.
TEST(PlanRecovery, NamesTellEveryIntermediateState) {
  EXPECT_EQ(name_role("p-web-1", "abc", "p-web-1"), NameRole::canonical);
  EXPECT_EQ(name_role(staging_name("p-web-1"), "abc", "p-web-1"), NameRole::staging);
  EXPECT_EQ(name_role(aside_name("p-web-1"), "abc", "p-web-1"), NameRole::aside);
  // <id12>_<name>: set aside by an older slipway (its own ID), or Compose's new container.
  EXPECT_EQ(name_role("0123456789ab_p-web-1", "0123456789abcdef", "p-web-1"), NameRole::aside);
  EXPECT_EQ(name_role("0123456789ab_p-web-1", "fedcba9876543210", "p-web-1"), NameRole::staging);
  EXPECT_EQ(name_role("p-web-1-old", "abc", "p-web-1"), NameRole::other);
}

TEST(PlanRecovery, EachLeftoverIsFinishedOrUndone) {
  compose::Project p = project();
  Observed base = after(plan_up(p, images(), {}), images());
  auto web = [&](Observed& o) -> ObservedContainer& {
    for (auto& c : o.containers)
      if (c.service == "web") return c;
    throw std::logic_error("no web");
  };
  // Killed after the new container was staged (never started): it goes, nothing else changes.
  {
    Observed o = base;
    ObservedContainer staged = web(o);
    staged.id = "id-new";
    staged.name = staging_name("shop-web-1");
    staged.state = "created";
    o.containers.push_back(staged);
    EXPECT_EQ(
        lines(plan_up(p, o, {})),
        (std::vector<std::string>{"remove container shop-web-1_slipway-new (unfinished, left by an interrupted run)"}));
  }
  // Killed after the old one was set aside: the rename error cannot happen; it comes back.
  {
    Observed o = base;
    web(o).name = aside_name("shop-web-1");
    web(o).state = "exited";
    auto l = lines(plan_up(p, o, {}));
    ASSERT_GE(l.size(), 2u);
    EXPECT_EQ(l[l.size() - 2],
              "rename container shop-web-1_slipway-old to shop-web-1 (restoring what an interrupted replacement set "
              "aside)");
    EXPECT_EQ(l.back(), "start container shop-web-1 (stopped)");
  }
  // Killed after the new one started: it is complete; it takes the name, the old one goes.
  {
    Observed o = base;
    ObservedContainer fresh = web(o);
    web(o).name = aside_name("shop-web-1");
    web(o).state = "exited";
    fresh.id = "id-new";
    fresh.name = staging_name("shop-web-1");
    o.containers.push_back(fresh);
    EXPECT_EQ(lines(plan_up(p, o, {})),
              (std::vector<std::string>{
                  "rename container shop-web-1_slipway-new to shop-web-1 (finishing a replacement an interrupted run "
                  "left started)",
                  "remove container shop-web-1_slipway-old (replaced, left aside by an interrupted run)"}));
  }
  // Killed before the old one was removed: the healthy new one stays.
  {
    Observed o = base;
    ObservedContainer old = web(o);
    old.id = "id-old";
    old.name = aside_name("shop-web-1");
    old.state = "exited";
    o.containers.push_back(old);
    EXPECT_EQ(lines(plan_up(p, o, {})),
              (std::vector<std::string>{"remove container shop-web-1_slipway-old (replaced, left aside by an "
                                        "interrupted run)"}));
  }
}

}  // namespace
}  // namespace slipway::plan
