#include "backup/data.h"

#include <gtest/gtest.h>

#include "backup/settings.h"

namespace slipway::backup {
namespace {

using json = nlohmann::ordered_json;

compose::Project project(const char* model_json) {
  compose::Project p;
  p.name = "demo";
  p.working_dir = "/srv/stacks/demo";
  p.model = json::parse(model_json);
  return p;
}

// The shape `docker compose config --format json` gives, with the x-slipway keys slipway keeps.
const char* kModel = R"({
  "name": "demo",
  "services": {
    "db": {"image": "postgres", "volumes": [
      {"type": "volume", "source": "dbdata", "target": "/var/lib/postgresql/data", "volume": {}},
      {"type": "bind", "source": "/srv/stacks/demo/conf", "target": "/conf", "read_only": true, "bind": {}},
      {"type": "volume", "target": "/anon", "volume": {}},
      {"type": "bind", "source": "/srv/uploads", "target": "/uploads", "x-slipway": {"backup": true}}
    ]},
    "web": {"image": "nginx", "volumes": [
      {"type": "volume", "source": "dbdata", "target": "/ro", "read_only": true},
      {"type": "volume", "source": "cache", "target": "/cache"},
      {"type": "volume", "source": "ext", "target": "/ext"},
      {"type": "tmpfs", "target": "/tmp"}
    ]}
  },
  "volumes": {
    "cache": {"name": "demo_cache", "x-slipway": {"backup": false}},
    "dbdata": {"name": "demo_dbdata"},
    "ext": {"name": "shared-ext", "external": true},
    "unused": {"name": "demo_unused"}
  }
})";

TEST(SelectData, NamedVolumesByDefaultBindsOnlyWhenOptedIn) {
  auto data = select_data(project(kModel));
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].key, "dbdata");
  EXPECT_EQ(data[0].name, "demo_dbdata");
  EXPECT_EQ(data[0].services, (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(data[0].writers, (std::vector<std::string>{"db"}));
  EXPECT_EQ(data[1].key, "ext");
  EXPECT_EQ(data[1].name, "shared-ext");
  EXPECT_TRUE(data[1].external);
  EXPECT_EQ(data[2].kind, DataItem::bind);
  EXPECT_EQ(data[2].name, "/srv/uploads");
  EXPECT_EQ(data[2].writers, (std::vector<std::string>{"db"}));
}

TEST(SelectData, NothingFromTheRepo) {
  auto p = project(R"({"services": {"s": {"volumes": [
      {"type": "bind", "source": "/srv/stacks/demo/data", "target": "/d", "x-slipway": {"backup": true}}]}}})");
  try {
    select_data(p, Location{"compose.yaml"});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("compose.yaml: services.s.volumes[0]: /srv/stacks/demo/data is inside the "
                                         "stack's repository"),
              std::string::npos)
        << e.what();
  }
}

TEST(SelectData, BadFlagsAreUserErrorsWithThePath) {
  auto p = project(R"({"services": {}, "volumes": {"v": {"x-slipway": {"backup": "sometimes"}}}})");
  try {
    select_data(p);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "volumes.v.x-slipway.backup: must be true or false (found a string)");
  }
  EXPECT_THROW(select_data(project(R"({"services": {"s": {"volumes": [
      {"type": "tmpfs", "target": "/t", "x-slipway": {"backup": true}}]}}})")),
               UserError);
}

TEST(SelectData, EmptyAndOddModelsDoNotCrash) {
  EXPECT_TRUE(select_data(project("{}")).empty());
  EXPECT_TRUE(select_data(project(R"({"services": [], "volumes": 3})")).empty());
  EXPECT_TRUE(select_data(project(R"({"services": {"a": {"volumes": [1, null, {"type": 5}]}}})")).empty());
}

TEST(Settings, RepositoryPasswordAndKeep) {
  auto s = parse_repository_settings(json::parse(R"({"x-slipway": {"backup": {
      "repository": "backups/restic", "password_file": "secrets/pw", "keep": {"last": 3, "daily": "7"}}}})"),
                                     "/srv/stacks/demo");
  EXPECT_EQ(s.repository, "/srv/stacks/demo/backups/restic");
  EXPECT_EQ(s.password_file, "/srv/stacks/demo/secrets/pw");
  EXPECT_EQ(s.keep.last, 3);
  EXPECT_EQ(s.keep.daily, 7);
  auto url =
      parse_repository_settings(json::parse(R"({"x-slipway": {"backup": {"repository": "sftp:host:/r"}}})"), "/x");
  EXPECT_EQ(url.repository, "sftp:host:/r");
  EXPECT_TRUE(parse_repository_settings(json::parse("{}"), "/x").repository.empty());
}

TEST(Settings, RepositoryErrors) {
  auto err = [](const char* j) {
    try {
      parse_repository_settings(json::parse(j), "/x", Location{"compose.yaml"});
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err(R"({"x-slipway": {"backup": {"repo": "/r"}}})"),
            "compose.yaml: x-slipway.backup.repo: unknown key (known: repository, password_file, keep)");
  EXPECT_EQ(err(R"({"x-slipway": {"backup": {"keep": {"last": -1}}}})"),
            "compose.yaml: x-slipway.backup.keep.last: must be a non-negative whole number");
  EXPECT_EQ(err(R"({"x-slipway": {"backup": "yes"}})"),
            "compose.yaml: x-slipway.backup: must be a mapping (repository, password_file, keep)");
  EXPECT_EQ(err(R"({"x-slipway": {"backup": {"repository": 5}}})"),
            "compose.yaml: x-slipway.backup.repository: must be a restic repository path or URL");
}

TEST(Settings, ServiceBackups) {
  auto list = parse_service_backups(json::parse(R"({"services": {
      "db": {"x-slipway": {"backup": {"dump": {"command": ["pg_dumpall", "-U", "postgres"], "filename": "all.sql",
                                               "user": "postgres"},
                                      "restore": "psql -U postgres"}}},
      "web": {"image": "x"},
      "files": {"x-slipway": {"backup": {"quiesce": "stop", "pre": ["sync"], "post": "echo done"}}},
      "kv": {"x-slipway": {"backup": {"dump": ["redis-cli", "--rdb", "-"]}}}}})"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].service, "db");
  ASSERT_TRUE(list[0].dump);
  EXPECT_EQ(list[0].dump->command, (std::vector<std::string>{"pg_dumpall", "-U", "postgres"}));
  EXPECT_EQ(list[0].dump->filename, "all.sql");
  EXPECT_EQ(list[0].dump->user, "postgres");
  EXPECT_EQ(list[0].restore, (std::vector<std::string>{"sh", "-c", "psql -U postgres"}));
  EXPECT_EQ(list[1].service, "files");
  EXPECT_EQ(list[1].quiesce, Quiesce::stop);
  EXPECT_EQ(list[1].pre, std::vector<std::string>{"sync"});
  EXPECT_EQ(list[1].post, (std::vector<std::string>{"sh", "-c", "echo done"}));
  EXPECT_EQ(list[2].dump->filename, "kv.dump");
}

TEST(Settings, ServiceBackupErrors) {
  auto err = [](const char* j) {
    try {
      parse_service_backups(json::parse(j));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"quiesce": "freeze"}}}}})"),
            "services.db.x-slipway.backup.quiesce: must be pause or stop");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"dump": []}}}}})"),
            "services.db.x-slipway.backup.dump: must be a command: a non-empty list of strings or a string");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"dump": {"filename": "x"}}}}}})"),
            "services.db.x-slipway.backup.dump.command: is missing (the command that prints the dump)");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"dump": {"command": "x", "filename": "../x"}}}}}})"),
            "services.db.x-slipway.backup.dump.filename: must be a plain file name without '/'");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"dump": "x", "quiesce": "pause"}}}}})"),
            "services.db.x-slipway.backup: dump and quiesce exclude each other (a dump needs the service running)");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"dumb": "x"}}}}})"),
            "services.db.x-slipway.backup.dumb: unknown key (known: dump, restore, pre, post, quiesce)");
  EXPECT_EQ(err(R"({"services": {"db": {"x-slipway": {"backup": {"pre": [["nested"]]}}}}})"),
            "services.db.x-slipway.backup.pre: must be a list of strings (found a list in it)");
}

// A volume mounted as tmpfs holds nothing once its containers stop: it is never data.
TEST(SelectData, TmpfsVolumesAreNotData) {
  auto items = select_data(project(R"({
    "services": {"app": {"volumes": [{"type": "volume", "source": "fast", "target": "/f"},
                                     {"type": "volume", "source": "host", "target": "/h"}]}},
    "volumes": {"fast": {"name": "demo_fast", "driver_opts": {"type": "tmpfs", "device": "tmpfs"}},
                "host": {"name": "demo_host", "driver_opts": {"type": "none", "o": "bind", "device": "/srv/h"}}}
  })"));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].key, "host");
}

}  // namespace
}  // namespace slipway::backup
