#include "server/probes.h"

#include <sys/statvfs.h>
#include <sys/timex.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "apply/tar.h"
#include "edge/edge.h"
#include "server/certificate.h"
#include "edge/image.h"
#include "engine/base_image.h"
#include "util/subprocess.h"

namespace slipway::server {

EngineFacts probe_engine(const engine::Engine& engine) {
  EngineFacts f;
  f.address = engine.address();
  try {
    engine.ping();
    engine::json v = engine.version();
    f.version = v.value("Version", "?");
    f.api_version = engine.api_version();
    f.os = engine.info().value("OperatingSystem", "");
    f.reachable = true;
  } catch (const std::exception& e) {
    f.error = e.what();
  }
  return f;
}

DiskFacts probe_disk(const std::string& what, const std::string& path) {
  DiskFacts f{what, path, std::nullopt, std::nullopt, ""};
  std::filesystem::path p = path;
  std::error_code ec;
  while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.root_path()) p = p.parent_path();
  struct statvfs s {};
  if (p.empty() || ::statvfs(p.c_str(), &s) != 0) {
    f.unmeasured = "cannot measure " + path + " (does it exist? is it readable?)";
    return f;
  }
  f.available = static_cast<unsigned long long>(s.f_bavail) * s.f_frsize;
  f.total = static_cast<unsigned long long>(s.f_blocks) * s.f_frsize;
  return f;
}

DiskFacts probe_engine_disk(const engine::Engine& engine) {
  std::string root;
  try {
    root = engine.info().value("DockerRootDir", "");
  } catch (const std::exception&) {
  }
  if (root.empty())
    return {"engine data root", "", std::nullopt, std::nullopt, "the engine did not say where its data root is"};
  if (engine::Endpoint::parse(engine.address()).socket_path.empty())
    return {"engine data root", root, std::nullopt, std::nullopt,
            "the engine is on another host: run slipway doctor there"};
  return probe_disk("engine data root", root);
}

DiskFacts probe_repository_disk(const std::string& repository) {
  std::string path = repository;
  if (path.rfind("local:", 0) == 0) path = path.substr(6);
  if (path.empty()) return {"backup repository", "", std::nullopt, std::nullopt, "no repository configured"};
  if (std::regex_search(path, std::regex("^[a-z0-9]+:")))
    return {"backup repository", repository, std::nullopt, std::nullopt,
            "a remote repository: check its free space at the provider"};
  return probe_disk("backup repository", path);
}

ClockFacts probe_clock() {
  ClockFacts f;
  f.timesyncd_synchronized = ::access("/run/systemd/timesync/synchronized", F_OK) == 0;
  struct timex t {};  // modes = 0: read only, allowed without privileges
  int state = ::adjtimex(&t);
  if (state >= 0) {
    f.adjtimex_state = state;
    f.adjtimex_status = t.status;
  }
  return f;
}

UpgradeFacts probe_upgrades() {
  UpgradeFacts f;
  f.installed = ::access("/usr/bin/unattended-upgrade", X_OK) == 0;
  if (program_exists("apt-config")) {
    try {
      parse_apt_config(run_process({"apt-config", "dump"}).out, f);
    } catch (const std::exception&) {
    }
  }
  return f;
}

RunHistory probe_history(backup::StateDb& db, const std::string& stack, const std::string& kind) {
  RunHistory h;
  h.stack = stack;
  auto runs = db.history(stack, kind, 200);
  if (!runs.empty()) {
    h.last = runs.front().started;
    h.last_succeeded = runs.front().ok;
    h.last_detail = runs.front().detail;
  }
  for (const auto& r : runs)
    if (r.ok) {
      h.last_ok = r.started;
      break;
    }
  return h;
}

std::vector<CertificateFacts> probe_edge_certificates(const engine::Engine& engine, const std::string& project) {
  std::vector<CertificateFacts> out;
  auto found = edge::find_edge(engine, project);
  if (!found) return out;
  std::string tar;
  try {
    engine.get_archive(found->container_id, std::string(edge::kEdgeStateDir) + "/data/caddy/certificates",
                       [&](const char* d, size_t n) {
                         tar.append(d, n);
                         return true;
                       });
  } catch (const engine::EngineError& e) {
    if (e.not_found()) return out;  // no certificate obtained yet
    throw;
  }
  for (const auto& [path, content] : apply::read_tar(tar)) {
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".crt") != 0) continue;
    auto v = certificate_validity(content);
    if (!v) continue;
    std::string name = std::filesystem::path(path).stem().string();
    out.push_back({name, v->not_before, v->not_after});
  }
  return out;
}

std::vector<SuiteInUse> probe_suites(const engine::Engine* engine) {
  std::vector<SuiteInUse> out;
  std::ifstream os("/etc/os-release");
  std::string line;
  while (std::getline(os, line))
    if (line.rfind("VERSION_CODENAME=", 0) == 0 && line.size() > 17) out.push_back({"host", line.substr(17)});
  if (!engine) return out;
  try {
    for (const auto& img : engine->list_images({{"label", {engine::kBaseSuiteLabel}}})) {
      const auto& labels = img.contains("Labels") && img["Labels"].is_object() ? img["Labels"] : engine::json::object();
      std::string suite = labels.value(engine::kBaseSuiteLabel, "");
      std::string tag = img.contains("RepoTags") && img["RepoTags"].is_array() && !img["RepoTags"].empty()
                            ? img["RepoTags"][0].get<std::string>()
                            : img.value("Id", "").substr(0, 19);
      if (!suite.empty()) out.push_back({"image " + tag, suite});
    }
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace slipway::server
