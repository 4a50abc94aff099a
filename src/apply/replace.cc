#include "apply/replace.h"

#include "apply/secret_files.h"
#include "plan/labels.h"
#include "plan/naming.h"

namespace slipway::apply {

using json = nlohmann::json;

namespace {

bool anonymous_volume_name(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// `target` is already mounted by the request (a mount, a bind or a tmpfs).
bool covered(const json& host, const std::string& target) {
  if (host.contains("Mounts"))
    for (const auto& m : host["Mounts"])
      if (m.value("Target", "") == target) return true;
  if (host.contains("Binds"))
    for (const auto& b : host["Binds"]) {
      std::string s = b.get<std::string>();
      size_t a = s.find(':');
      if (a != std::string::npos && s.substr(a + 1, s.find(':', a + 1) - a - 1) == target) return true;
    }
  return host.contains("Tmpfs") && host["Tmpfs"].contains(target);
}

std::string name_of(const json& inspect) {
  std::string name = inspect.value("Name", "");
  return !name.empty() && name[0] == '/' ? name.substr(1) : name;
}

std::string files_dir_of(const json& inspect) {
  if (inspect.contains("Config") && inspect["Config"].contains("Labels") && inspect["Config"]["Labels"].is_object())
    return inspect["Config"]["Labels"].value(plan::label::kFilesDir, "");
  return "";
}

}  // namespace

void inherit_anonymous_volumes(const json& old, json& body) {
  if (!old.contains("Mounts")) return;
  for (const auto& m : old["Mounts"]) {
    std::string name = m.value("Name", ""), dest = m.value("Destination", "");
    if (m.value("Type", "") != "volume" || !anonymous_volume_name(name)) continue;
    json& host = body["HostConfig"];
    bool reused = false;
    if (host.contains("Mounts"))
      for (auto& mine : host["Mounts"])
        if (mine.value("Target", "") == dest && mine.value("Type", "") == "volume" && !mine.contains("Source")) {
          mine["Source"] = name;
          reused = true;
        }
    if (!reused && !covered(host, dest))
      host["Mounts"].push_back({{"Type", "volume"}, {"Source", name}, {"Target", dest}});
  }
}

Replacer::Replacer(const engine::Engine& engine, const compose::Project& project, FilesPlace files, Warn warn)
    : engine_(engine), project_(project), files_(std::move(files)), warn_(std::move(warn)) {}

void Replacer::ensure_root() {
  if (root_ready_) return;
  prepare_files_root(files_.root, files_.mount_tmpfs);
  root_ready_ = true;
}

Staged Replacer::stage(const NewContainer& c) {
  json body = c.body;
  std::string dir;
  if (!c.files.empty()) {
    ensure_root();
    dir = new_files_dir(files_.root, project_.name, c.name);
    try {
      json mounts = write_files(project_, dir, c.files);
      for (auto& m : mounts) body["HostConfig"]["Mounts"].push_back(std::move(m));
    } catch (...) {
      remove_files_dir(files_.root, dir);
      throw;
    }
    body["Labels"][plan::label::kFilesDir] = dir;
  }
  std::string id;
  try {
    id = engine_.create_container(plan::staging_name(c.name), body);
  } catch (...) {
    remove_files_dir(files_.root, dir);
    throw;
  }
  try {
    for (const auto& n : c.extra_networks) engine_.connect_network(n.network, id, n.endpoint);
  } catch (...) {
    discard({id, dir});
    throw;
  }
  return {id, dir};
}

void Replacer::promote(const std::string& id, const std::string& name) {
  engine_.start_container(id);
  engine_.rename_container(id, name);
}

void Replacer::discard(const Staged& staged) noexcept {
  const std::string& id = staged.id;
  try {
    engine_.remove_container(id, true, true);
  } catch (const engine::EngineError& e) {
    if (!e.not_found()) warn_("could not remove the unfinished container " + id.substr(0, 12) + ": " + e.what());
  } catch (const std::exception& e) {
    warn_("could not remove the unfinished container " + id.substr(0, 12) + ": " + e.what() +
          " (the next `slipway up` removes it)");
    return;  // the container may still use its files: leave them to the next run's sweep
  }
  remove_files_dir(files_.root, staged.files_dir);
}

std::string Replacer::create(const NewContainer& c) {
  Staged staged = stage(c);
  try {
    promote(staged.id, c.name);
  } catch (...) {
    discard(staged);
    throw;
  }
  return staged.id;
}

std::string Replacer::replace(const std::string& old_id, const NewContainer& c, int stop_timeout) {
  auto old = engine_.find_container(old_id);
  if (!old) return create(c);
  NewContainer next = c;
  inherit_anonymous_volumes(*old, next.body);
  bool was_running = (*old)["State"].value("Running", false);
  std::string old_name = name_of(*old);
  Staged staged = stage(next);
  bool set_aside = false;
  try {
    engine_.stop_container(old_id, stop_timeout);
    engine_.rename_container(old_id, plan::aside_name(c.name));
    set_aside = true;
    promote(staged.id, c.name);
  } catch (...) {
    discard(staged);
    try {
      if (set_aside) engine_.rename_container(old_id, old_name);
      if (was_running) engine_.start_container(old_id);
    } catch (const std::exception& e) {
      warn_("could not restore container " + old_name + ": " + e.what() + " (the next `slipway up` restores it)");
    }
    throw;
  }
  engine_.remove_container(old_id, true, false);
  remove_files(files_dir_of(*old));
  return staged.id;
}

void Replacer::rewrite_files(const std::string& dir, const std::vector<plan::FileInjection>& files) {
  if (dir.empty() || files.empty()) return;
  ensure_root();
  write_files(project_, dir, files);
}

void Replacer::remove_files(const std::string& dir) { remove_files_dir(files_.root, dir); }

}  // namespace slipway::apply
