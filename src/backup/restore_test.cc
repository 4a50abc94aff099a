// Volumes that restore and drill create are the ones `up` would create (create_volume_as_up,
// through plan::volume_body): driver and driver_opts survive. Unit level, on engine::FakeEngine.
#include "backup/restore.h"

#include <gtest/gtest.h>

#include "backup/drill.h"
#include "engine/fake_engine.h"
#include "plan/plan.h"

namespace slipway::backup {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

compose::Project shop() {
  compose::Project p;
  p.name = "shop";
  p.model = ojson::parse(R"({
    "name": "shop",
    "services": {"db": {"image": "postgres:15", "volumes": [{"type": "volume", "source": "db", "target": "/d"},
                                                            {"type": "volume", "source": "host", "target": "/h"}]}},
    "volumes": {
      "db": {"name": "shop_db", "driver": "local",
             "driver_opts": {"type": "nfs", "o": "addr=10.0.0.5,rw", "device": ":/export/db"},
             "labels": {"tier": "gold"}},
      "host": {"name": "shop_host", "driver_opts": {"type": "none", "o": "bind", "device": "/srv/shop"}}
    }
  })");
  return p;
}

const json kNfs = {{"type", "nfs"}, {"o", "addr=10.0.0.5,rw"}, {"device", ":/export/db"}};

// Restore re-creates a missing live volume with its driver, driver_opts and labels, and leaves
// an existing one alone.
TEST(CreateVolumeAsUp, RestoreKeepsDriverAndDriverOpts) {
  engine::FakeEngine fake;
  compose::Project p = shop();
  EXPECT_TRUE(create_volume_as_up(fake, p, "db"));
  json v = fake.inspect_volume("shop_db");
  EXPECT_EQ(v["Driver"], "local");
  EXPECT_EQ(v["Options"], kNfs);
  EXPECT_EQ(v["Labels"]["tier"], "gold");
  EXPECT_EQ(v["Labels"]["com.docker.compose.project"], "shop");
  EXPECT_EQ(v["Labels"]["com.docker.compose.volume"], "db");
  // The body is exactly the one `up` sends.
  json up = plan::volume_body(p, "db");
  EXPECT_EQ(v["Options"], up["DriverOpts"]);
  EXPECT_FALSE(create_volume_as_up(fake, p, "db"));  // present: unchanged, no second create
}

// A drill's copy gets volumes of its own, with the live volume's driver_opts, except those that
// bind a host directory (that would be the live data).
TEST(CreateVolumeAsUp, DrillCopyKeepsDriverOptsButNeverTheLiveDirectory) {
  engine::FakeEngine fake;
  compose::Project copy = throwaway_copy(shop(), "shop-drill-7");
  EXPECT_TRUE(create_volume_as_up(fake, copy, "db", {{"io.slipway.role", "drill"}}));
  EXPECT_TRUE(create_volume_as_up(fake, copy, "host", {{"io.slipway.role", "drill"}}));
  json db = fake.inspect_volume("shop-drill-7_db");
  EXPECT_EQ(db["Driver"], "local");
  EXPECT_EQ(db["Options"], kNfs);
  EXPECT_EQ(db["Labels"]["io.slipway.role"], "drill");
  EXPECT_EQ(db["Labels"]["com.docker.compose.project"], "shop-drill-7");
  json host = fake.inspect_volume("shop-drill-7_host");
  EXPECT_TRUE(host["Options"].empty()) << host.dump();
  EXPECT_THROW(fake.inspect_volume("shop_db"), engine::EngineError);  // the live one is never touched
}

}  // namespace
}  // namespace slipway::backup
