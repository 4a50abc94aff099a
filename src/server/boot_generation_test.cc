#include "server/boot_generation.h"

#include <gtest/gtest.h>

namespace slipway::server {
namespace {

plan::ObservedContainer container(const std::string& name, const std::string& service, const std::string& image,
                                  int generation, int number = 1, const std::string& state = "exited") {
  plan::ObservedContainer c;
  c.id = "id-" + name;
  c.name = name;
  c.service = service;
  c.image_id = image;
  c.number = number;
  c.state = state;
  if (generation > 0) c.labels[plan::label::kGeneration] = std::to_string(generation);
  return c;
}

deploy::GenerationRecord record(int number, const std::string& status = deploy::status::kDeployed) {
  deploy::GenerationRecord r;
  r.stack = "s";
  r.number = number;
  r.status = status;
  r.images = {{"web", "sha256:w2"}, {"db", "sha256:d1"}};
  return r;
}

TEST(LastDeployed, IsTheNewestDeployedRecordWhateverCameAfterIt) {
  std::vector<deploy::GenerationRecord> list = {record(5, deploy::status::kInterrupted),
                                                record(4, deploy::status::kFailed), record(3), record(2)};
  ASSERT_TRUE(last_deployed(list));
  EXPECT_EQ(last_deployed(list)->number, 3);
  EXPECT_FALSE(last_deployed({record(1, deploy::status::kFailed)}));
  EXPECT_FALSE(last_deployed({}));
}

TEST(GenerationContainers, AreTheRecordedImagesContainersOfTheNewestGenerationNotAfterIt) {
  // web was replaced in generation 3 (two replicas); db still runs what `up` made (no label);
  // a stopped generation-4 web of an undone deploy and an old generation-2 web are left over.
  std::vector<plan::ObservedContainer> seen = {
      container("s-web-g3-2", "web", "sha256:w2", 3, 2),
      container("s-web-g3-1", "web", "sha256:w2", 3, 1),
      container("s-web-g4-1", "web", "sha256:w2", 4, 1),
      container("s-web-g2-1", "web", "sha256:w1", 2, 1, "running"),
      container("s-db-1", "db", "sha256:d1", 0),
  };
  GenerationContainers g = generation_containers(record(3), seen);
  EXPECT_TRUE(g.missing.empty());
  ASSERT_EQ(g.by_service["web"].size(), 2u);
  EXPECT_EQ(g.by_service["web"][0].name, "s-web-g3-1");
  EXPECT_EQ(g.by_service["web"][1].name, "s-web-g3-2");
  ASSERT_EQ(g.by_service["db"].size(), 1u);
  EXPECT_EQ(g.by_service["db"][0].name, "s-db-1");
  ASSERT_EQ(g.strays.size(), 1u);  // the running generation-2 web: not what was recorded
  EXPECT_EQ(g.strays[0].name, "s-web-g2-1");
  EXPECT_EQ(g.ids().size(), 3u);
}

TEST(GenerationContainers, NameTheServicesWhoseRecordedContainersAreGone) {
  plan::ObservedContainer edge = container("s-slipway-edge", "", "sha256:e", 0, 1, "running");
  edge.labels[plan::label::kRole] = "edge";
  GenerationContainers g = generation_containers(record(3), {container("s-db-1", "db", "sha256:d1", 0), edge});
  EXPECT_EQ(g.missing, std::vector<std::string>{"web (sha256:w2)"});
  EXPECT_TRUE(g.strays.empty()) << "the edge is never a stray";
}

TEST(GenerationUpstreams, PointEachRouteAtTheGenerationsContainersOnTheRoutesPort) {
  GenerationContainers g = generation_containers(
      record(3), {container("s-web-g3-1", "web", "sha256:w2", 3, 1), container("s-web-g3-2", "web", "sha256:w2", 3, 2),
                  container("s-db-1", "db", "sha256:d1", 0)});
  edge::Routing routing;
  edge::Route web;
  web.id = "route:web.test";
  web.service = "web";
  web.port = 8080;
  edge::Route other;
  other.id = "route:other.test";
  other.service = "admin";  // not in the record: left as the edge has it
  other.port = 80;
  routing.routes = {web, other};
  edge::UpstreamMap up = generation_upstreams(routing, g);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up["route:web.test"], (std::vector<std::string>{"s-web-g3-1:8080", "s-web-g3-2:8080"}));
}

}  // namespace
}  // namespace slipway::server
