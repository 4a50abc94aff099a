#include "agent/repo_usage.h"

#include <cstdlib>
#include <filesystem>

#include "backup/restic.h"
#include "backup/settings.h"
#include "compose/model.h"

namespace slipway::agent {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int64_t kLocalMaxAge = 600;
constexpr int64_t kRemoteMaxAge = 6 * 3600;

}  // namespace

std::optional<uint64_t> directory_bytes(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  uint64_t total = 0;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code fe;
    if (it->is_regular_file(fe)) total += it->file_size(fe);
  }
  if (ec) return std::nullopt;
  return total;
}

json RepositoryUsage::of(const compose::Project& project, int64_t now) {
  std::lock_guard lock(mutex_);
  auto hit = cached_.find(project.name);
  if (hit != cached_.end() && now < hit->second.first) return hit->second.second;
  json figure;
  int64_t max_age = kLocalMaxAge;
  try {
    backup::RepositorySettings settings = backup::parse_repository_settings(compose::Model(project));
    if (settings.repository.empty() && !std::getenv("RESTIC_REPOSITORY")) return nullptr;
    if (auto path = backup::Restic::local_path(settings.repository)) {
      // A directory: its size needs neither restic nor the repository's password.
      figure = {{"repository", *path}};
      fs::path p(*path);
      if (p.is_relative()) p = fs::path(project.working_dir) / p;
      auto bytes = directory_bytes(p.string());
      if (bytes)
        figure.update({{"bytes", *bytes}, {"how", "directory"}, {"measured", now}});
      else
        figure["error"] = "cannot read " + p.string() + " (is the backup disk mounted?)";
    } else {
      backup::ResticConfig config;
      config.repository = settings.repository;
      config.password_file = settings.password_file;
      backup::Restic restic(config);
      figure = {{"repository", restic.display_repository()}};
      max_age = kRemoteMaxAge;
      figure.update({{"bytes", restic.raw_data_size()}, {"how", "restic stats"}, {"measured", now}});
    }
  } catch (const std::exception& e) {
    figure["error"] = e.what();
    max_age = kLocalMaxAge;  // a repository locked by a prune, a disk not mounted: look again soon
  }
  cached_[project.name] = {now + max_age, figure};
  return figure;
}

}  // namespace slipway::agent
