// End to end through the slipway binary: PostgreSQL (the guestbook example's db image, built
// from examples/guestbook/db) under write load while `slipway backup` runs, then `slipway drill`
// passes and `slipway restore` leaves a consistent database. The write load moves money between
// two accounts and logs every move in the same transaction, so a consistent database has
// sum(bal) = 1000 and bal of account 2 = the number of log rows.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "backup/live.h"
#include "engine/client.h"
#include "util/subprocess.h"

namespace slipway::backup {
namespace {

namespace fs = std::filesystem;

// Runs SQL as postgres in the project's db container; returns stdout without the newline.
std::string exec_sql(const engine::Client& client, const std::string& project, const std::string& sql) {
  auto live = observe_stack(client, project);
  engine::ExecOptions o;
  o.cmd = {"psql", "-tA", "--set=ON_ERROR_STOP=1", "-d", "app", "-c", sql};
  o.user = "postgres";
  auto r = client.exec(live.services.at("db").running.at(0), o);
  if (r.exit_code != 0) throw EnvError("psql: " + r.err);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}


class PostgresBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    char b[16];
    std::snprintf(b, sizeof b, "%06x", rd() & 0xffffff);
    run_ = b;
    project_ = "swpg" + run_;
    char tmpl[] = "/tmp/slipway-pg-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directories(dir_ + "/stack/tests");
    std::ofstream(dir_ + "/pw") << "restic test password\n";
    std::ofstream(dir_ + "/stack/db_password.txt") << "app-password\n";
    std::ofstream(dir_ + "/stack/compose.yaml") << R"(name: )" << project_ << R"(
x-slipway:
  backup:
    repository: )" << dir_ << R"(/repo
    password_file: )" << dir_ << R"(/pw
services:
  db:
    build: )" << SLIPWAY_SOURCE_DIR << R"(/examples/guestbook/db
    image: slipway-pg-test:)" << run_ << R"(
    environment:
      DB_NAME: app
      DB_USER: app
      DB_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    volumes: [data:/var/lib/postgresql/data]
    labels:
      io.slipway.test: ")" << run_ << R"("
    healthcheck:
      test: ["CMD", "pg_isready", "--host=127.0.0.1", "--username=app", "--dbname=app"]
      interval: 1s
      retries: 120
    x-slipway:
      backup:
        dump:
          command: [pg_dump, --clean, --if-exists, app]
          user: postgres
          filename: app.sql
        restore: [psql, --quiet, --set=ON_ERROR_STOP=1, app]
volumes:
  data:
    labels:
      io.slipway.test: ")" << run_ << R"("
    # PostgreSQL's files are not read while it writes: the dump is the consistent copy.
    x-slipway: {backup: false}
secrets:
  db_password:
    file: ./db_password.txt
)";
    std::ofstream(dir_ + "/stack/tests/db.yaml") << R"(command:
  money-is-conserved:
    exec: "runuser -u postgres -- psql -tA -d app -c 'select sum(bal) from acct'"
    exit-status: 0
    stdout: ["1000"]
  every-move-is-logged:
    exec: "runuser -u postgres -- psql -tA -d app -c 'select (select bal from acct where id = 2) = (select count(*) from moves)'"
    exit-status: 0
    stdout: ["t"]
)";
  }

  void TearDown() override {
    slipway({"down", "-v"});
    engine::Client c;
    for (const char* project : {project_.c_str()}) {
      auto f = engine::Filters{{"label", {std::string("com.docker.compose.project=") + project}}};
      try {
        for (const auto& ct : c.list_containers(f, true)) c.remove_container(ct["Id"], true, true);
        for (const auto& v : c.list_volumes(f)) c.remove_volume(v["Name"], true);
        for (const auto& n : c.list_networks(f)) c.remove_network(n["Id"]);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup: " << e.what();
      }
    }
    try {
      c.remove_image("slipway-pg-test:" + run_, true);
    } catch (const std::exception&) {
    }
    fs::remove_all(dir_);
  }

  SubprocessResult slipway(std::vector<std::string> args) {
    args.insert(args.begin(), {SLIPWAY_BINARY, "-f", dir_ + "/stack/compose.yaml"});
    SubprocessOptions o;
    o.extra_env["SLIPWAY_STATE_DIR"] = dir_ + "/state";
    return run_process(args, o);
  }

  std::string psql(const std::string& sql) {
    return exec_sql(client_, project_, sql);
  }

  engine::Client client_;
  std::string run_, project_, dir_;
};

TEST_F(PostgresBackupTest, BackupUnderWriteLoadDrillAndConsistentRestore) {
  auto build = slipway({"build"});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  auto up = slipway({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  wait_healthy(client_, project_, 180);
  psql("create table acct (id int primary key, bal int not null); insert into acct values (1, 1000), (2, 0);"
       "create table moves (n serial primary key, at timestamptz default now())");

  // Write load: a loop of transfers inside the container until /tmp/stop appears.
  auto live = observe_stack(client_, project_);
  engine::ExecOptions load;
  load.user = "postgres";
  load.cmd = {"sh", "-c",
              "nohup sh -c 'while [ ! -e /tmp/stop ]; do psql -q -d app -c \"begin; update acct set bal = bal - 1 "
              "where id = 1; update acct set bal = bal + 1 where id = 2; insert into moves default values; "
              "commit;\"; done' >/dev/null 2>&1 &"};
  ASSERT_EQ(client_.exec(live.services.at("db").running.at(0), load).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int before = std::stoi(psql("select count(*) from moves"));
  EXPECT_GT(before, 0) << "the write load does not run";

  auto backup = slipway({"backup", "--json"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  int after = std::stoi(psql("select count(*) from moves"));
  EXPECT_GT(after, before) << "writes stopped during the backup";

  // The drill restores the dump into a throwaway copy and runs tests/db.yaml against it.
  auto drill = slipway({"drill", "--json"});
  EXPECT_EQ(drill.exit_code, 0) << drill.out << drill.err;
  auto doc = nlohmann::json::parse(drill.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << drill.out;
  EXPECT_EQ(doc["passed"], true);
  EXPECT_EQ(doc["failed"], 0);
  // The live database kept running and writing meanwhile.
  EXPECT_GT(std::stoi(psql("select count(*) from moves")), after);

  // Restore into the live stack: the database is consistent and back at the snapshot's state.
  engine::ExecOptions stop;
  stop.cmd = {"touch", "/tmp/stop"};
  client_.exec(live.services.at("db").running.at(0), stop);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  int live_moves = std::stoi(psql("select count(*) from moves"));
  auto restore = slipway({"restore", "--json"});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  int restored_moves = std::stoi(psql("select count(*) from moves"));
  EXPECT_LT(restored_moves, live_moves);
  EXPECT_GE(restored_moves, before);
  EXPECT_EQ(psql("select sum(bal) from acct"), "1000");
  EXPECT_EQ(psql("select bal from acct where id = 2"), std::to_string(restored_moves));
}

}  // namespace
}  // namespace slipway::backup
