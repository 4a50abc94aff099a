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
#include <set>
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
  # A mail-like service: files in a volume, written by another service than the database.
  mailer:
    image: slipway-pg-test:)" << run_ << R"(
    depends_on: [db]
    entrypoint: ["sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 0.2; done"]
    volumes: [mail:/var/mail]
    labels:
      io.slipway.test: ")" << run_ << R"("
volumes:
  mail:
    labels:
      io.slipway.test: ")" << run_ << R"("
  data:
    labels:
      io.slipway.test: ")" << run_ << R"("
    # PostgreSQL's files are not read while it writes: the dump is the consistent copy.
    x-slipway: {backup: false}
secrets:
  db_password:
    file: ./db_password.txt
)";
    std::ofstream(dir_ + "/stack/tests/db.yaml") << R"(x-slipway: {service: db}
command:
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

  std::string psql(const std::string& sql) { return exec_sql(client_, project_, sql); }

  // Runs a shell command in the mailer service; returns stdout.
  std::string mailer(const std::string& script) {
    auto live = observe_stack(client_, project_);
    engine::ExecOptions o;
    o.cmd = {"sh", "-c", script};
    auto r = client_.exec(live.services.at("mailer").running.at(0), o);
    if (r.exit_code != 0) throw EnvError("mailer: " + r.err);
    return r.out;
  }

  void start_stack() {
    auto build = slipway({"build"});
    ASSERT_EQ(build.exit_code, 0) << build.err;
    auto up = slipway({"up", "-d"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    wait_healthy(client_, project_, 180);
  }

  // The snapshot id a `--json` backup or restore printed under `key`.
  static std::string json_field(const SubprocessResult& r, const char* key) {
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    return doc.is_object() && doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : "";
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
  psql(
      "create table acct (id int primary key, bal int not null); insert into acct values (1, 1000), (2, 0);"
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

  auto backup = slipway({"backup", "--init", "--json"});
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

// Issue 8, item 1: the safety snapshot a restore takes holds everything the restore overwrites,
// the database (a fresh dump) as well as the volumes, so restoring it really undoes the restore.
TEST_F(PostgresBackupTest, RestoringTheSafetySnapshotUndoesTheRestore) {
  start_stack();
  psql("create table notes (v text primary key); insert into notes values ('A')");
  mailer("echo A > /var/mail/a");
  auto backup = slipway({"backup", "--init", "--json"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  std::string first = json_field(backup, "snapshot");
  ASSERT_FALSE(first.empty()) << backup.out;

  psql("insert into notes values ('B')");
  mailer("echo B > /var/mail/b");
  auto restore = slipway({"restore", first, "--json"});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  std::string safety = json_field(restore, "safety_snapshot");
  ASSERT_FALSE(safety.empty()) << restore.out;
  EXPECT_EQ(psql("select string_agg(v, ',' order by v) from notes"), "A");
  EXPECT_EQ(mailer("ls /var/mail"), "a\n");

  // The safety snapshot is one complete run with the database's dump and the volume.
  auto list = slipway({"snapshots", "--json"});
  auto doc = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(doc.is_array()) << list.out;
  bool seen = false;
  for (const auto& s : doc) {
    if (s["id"] != safety) continue;
    seen = true;
    EXPECT_EQ(s["reason"], "safety");
    EXPECT_EQ(s["complete"], true);
    std::set<std::string> kinds;
    for (const auto& p : s["parts"]) kinds.insert(p["kind"].get<std::string>() + " " + p["name"].get<std::string>());
    EXPECT_EQ(kinds, (std::set<std::string>{"dump db", "volume mail"}));
  }
  EXPECT_TRUE(seen) << list.out;

  auto undo = slipway({"restore", safety, "--json"});
  ASSERT_EQ(undo.exit_code, 0) << undo.out << undo.err;
  EXPECT_EQ(psql("select string_agg(v, ',' order by v) from notes"), "A,B");
  EXPECT_EQ(mailer("ls /var/mail"), "a\nb\n");
  EXPECT_EQ(mailer("cat /var/mail/b"), "B\n");
}

}  // namespace
}  // namespace slipway::backup
