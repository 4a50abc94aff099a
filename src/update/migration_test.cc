#include "update/migration.h"

#include <gtest/gtest.h>

namespace slipway::update {
namespace {

PackageChange change(const std::string& name, const std::string& kind, const std::string& old_version,
                     const std::string& new_version) {
  PackageChange p;
  p.name = name;
  p.source = name;
  p.kind = kind;
  p.old_version = old_version;
  p.new_version = new_version;
  return p;
}

// bookworm -> trixie of the example's db image, as apt names it.
std::vector<PackageChange> postgres_15_to_17() {
  return {change("postgresql-15", "removed", "15.14-0+deb12u1", ""),
          change("postgresql-17", "added", "", "17.6-0+deb13u1"),
          change("postgresql-client-15", "removed", "15.14-0+deb12u1", ""),
          change("postgresql-client-17", "added", "", "17.6-0+deb13u1"),
          change("postgresql-common", "upgraded", "248+deb12u1", "278"),
          change("libicu72", "removed", "72.1-3", ""),
          change("libicu76", "added", "", "76.1-4"),
          change("apt", "upgraded", "2.6.1", "3.0.3")};
}

TEST(DataMigrations, PostgresFamilyAcrossMajorsWithAVolumeNeedsOne) {
  auto m = data_migrations(postgres_15_to_17(), {"db:pgdata"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("postgresql-15 15.14-0+deb12u1 -> postgresql-17 17.6-0+deb13u1"), std::string::npos) << m[0];
  EXPECT_NE(m[0].find("db:pgdata"), std::string::npos) << m[0];
}

TEST(DataMigrations, TheFamilysMetapackageIsTheSameMigrationSaidOnce) {
  // The example installs the `postgresql` metapackage: it moves 15+248 -> 17+278 beside the family.
  auto changes = postgres_15_to_17();
  changes.push_back(change("postgresql", "upgraded", "15+248+deb12u2", "17+278+deb13u1"));
  auto m = data_migrations(changes, {"db:db-data"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("postgresql-15"), std::string::npos) << m[0];
  // Alone (a family this list does not know moved with it), the metapackage still says it.
  m = data_migrations({change("postgresql", "upgraded", "15+248+deb12u2", "17+278+deb13u1")}, {"db:db-data"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("postgresql 15+248+deb12u2 -> 17+278+deb13u1 changes its major version"), std::string::npos) << m[0];
}

TEST(DataMigrations, WithoutADataVolumeAMajorChangeIsAnOrdinaryUpgrade) {
  EXPECT_TRUE(data_migrations(postgres_15_to_17(), {}).empty());
}

TEST(DataMigrations, LibraryTransitionsAndToolMajorsAreNotMigrations) {
  auto m = data_migrations({change("libicu72", "removed", "72.1-3", ""), change("libicu76", "added", "", "76.1-4"),
                            change("apt", "upgraded", "2.6.1", "3.0.3"),
                            change("perl-modules-5.36", "removed", "5.36.0-7", ""),
                            change("perl-modules-5.40", "added", "", "5.40.1-6")},
                           {"app:data"});
  EXPECT_TRUE(m.empty());
}

TEST(DataMigrations, ADataServerUpgradedAcrossMajorsNeedsOne) {
  auto m = data_migrations({change("mariadb-server", "upgraded", "1:10.11.11-0+deb12u1", "1:11.8.2-1")}, {"db:mysql"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("mariadb-server"), std::string::npos);
  EXPECT_TRUE(
      data_migrations({change("mariadb-server", "upgraded", "1:10.11.6-0+deb12u1", "1:10.11.11-0+deb12u1")}, {"db:x"})
          .empty());
}

TEST(DataMigrations, APointReleaseOfTheSameFamilyMemberIsNotOne) {
  EXPECT_TRUE(data_migrations({change("postgresql-15", "upgraded", "15.13-0+deb12u1", "15.14-0+deb12u1")}, {"db:d"})
                  .empty());
}

TEST(DataMigrations, FamilyMembersNeedTheNumberRightAfterThePrefix) {
  auto m = data_migrations({change("postgresql-15-pgvector", "removed", "0.5.1-1", ""),
                            change("postgresql-17-pgvector", "added", "", "0.8.0-1"),
                            change("mysql-server-5.7", "removed", "5.7.1", ""),
                            change("mysql-server-8.0", "added", "", "8.0.1")},
                           {"db:d"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("mysql-server-5.7"), std::string::npos);
}

}  // namespace
}  // namespace slipway::update
