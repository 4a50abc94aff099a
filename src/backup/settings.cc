#include "backup/settings.h"

#include <filesystem>

#include "util/parse.h"

namespace slipway::backup {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void bad(const Location& where, const std::string& path, const std::string& what) {
  throw UserError(where, path + ": " + what);
}

const json* find(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  return "a mapping";
}

// A command is a list of strings (exec form) or a string, run by the container's shell the way
// Compose's healthcheck CMD-SHELL is; this runs inside the container, never on the host.
std::vector<std::string> command(const json& v, const std::string& path, const Location& where) {
  if (v.is_string()) {
    if (v.get<std::string>().empty()) bad(where, path, "is empty (give the command to run in the container)");
    return {"sh", "-c", v.get<std::string>()};
  }
  if (!v.is_array() || v.empty()) bad(where, path, "must be a command: a non-empty list of strings or a string");
  std::vector<std::string> out;
  for (const auto& a : v) {
    if (a.is_string())
      out.push_back(a.get<std::string>());
    else if (a.is_number() || a.is_boolean())
      out.push_back(a.dump());
    else
      bad(where, path, "must be a list of strings (found " + type_name(a) + " in it)");
  }
  return out;
}

int keep_count(const json& keep, const char* key, const std::string& path, const Location& where) {
  const json* v = find(keep, key);
  if (!v) return 0;
  if (v->is_number_integer() && v->get<long long>() >= 0 && v->get<long long>() < 1000000) return v->get<int>();
  if (v->is_string())
    if (auto n = parse_int(v->get<std::string>(), 0, 999999)) return static_cast<int>(*n);
  bad(where, path + "." + key, "must be a non-negative whole number");
}

void check_keys(const json& obj, const std::vector<std::string>& allowed, const std::string& path,
                const Location& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key().rfind("x-", 0) == 0) continue;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == it.key();
    if (!ok) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      bad(where, path + "." + it.key(), "unknown key (known: " + list + ")");
    }
  }
}

}  // namespace

const char* quiesce_name(Quiesce q) {
  switch (q) {
    case Quiesce::pause:
      return "pause";
    case Quiesce::stop:
      return "stop";
    default:
      return "none";
  }
}

std::optional<bool> backup_flag(const json& object, const std::string& path, const Location& where) {
  const json* x = find(object, "x-slipway");
  if (!x) return std::nullopt;
  if (!x->is_object()) bad(where, path + ".x-slipway", "must be a mapping");
  const json* b = find(*x, "backup");
  if (!b || b->is_null()) return std::nullopt;
  if (b->is_boolean()) return b->get<bool>();
  if (b->is_string() && (*b == "true" || *b == "false")) return *b == "true";
  bad(where, path + ".x-slipway.backup", "must be true or false (found " + type_name(*b) + ")");
}

RepositorySettings parse_repository_settings(const compose::Model& model, const Location& where) {
  return parse_repository_settings(model.x_slipway(), model.project().working_dir, where);
}

RepositorySettings parse_repository_settings(const json& model, const std::string& project_dir, const Location& where) {
  return parse_repository_settings(find(model, "x-slipway"), project_dir, where);
}

RepositorySettings parse_repository_settings(const json* x, const std::string& project_dir, const Location& where) {
  RepositorySettings s;
  if (!x || x->is_null()) return s;
  if (!x->is_object()) bad(where, "x-slipway", "must be a mapping");
  const json* b = find(*x, "backup");
  if (!b || b->is_null()) return s;
  if (!b->is_object()) bad(where, "x-slipway.backup", "must be a mapping (repository, password_file, keep)");
  check_keys(*b, {"repository", "password_file", "keep"}, "x-slipway.backup", where);
  if (const json* r = find(*b, "repository")) {
    if (!r->is_string() || r->get<std::string>().empty())
      bad(where, "x-slipway.backup.repository", "must be a restic repository path or URL");
    s.repository = r->get<std::string>();
    // A relative local repository would move with the working directory; anchor it.
    if (s.repository[0] != '/' && s.repository.find(':') == std::string::npos)
      s.repository = (std::filesystem::path(project_dir) / s.repository).lexically_normal().string();
  }
  if (const json* p = find(*b, "password_file")) {
    if (!p->is_string() || p->get<std::string>().empty())
      bad(where, "x-slipway.backup.password_file", "must be the path of a file holding the restic password");
    std::filesystem::path path = p->get<std::string>();
    if (path.is_relative()) path = std::filesystem::path(project_dir) / path;
    s.password_file = path.lexically_normal().string();
  }
  if (const json* k = find(*b, "keep")) {
    if (!k->is_object()) bad(where, "x-slipway.backup.keep", "must be a mapping (last, daily, weekly, monthly)");
    check_keys(*k, {"last", "daily", "weekly", "monthly"}, "x-slipway.backup.keep", where);
    s.keep.last = keep_count(*k, "last", "x-slipway.backup.keep", where);
    s.keep.daily = keep_count(*k, "daily", "x-slipway.backup.keep", where);
    s.keep.weekly = keep_count(*k, "weekly", "x-slipway.backup.keep", where);
    s.keep.monthly = keep_count(*k, "monthly", "x-slipway.backup.keep", where);
  }
  return s;
}

namespace {

// One service's x-slipway.backup; nullopt when it has none. `x` is its x-slipway (or nullptr).
std::optional<ServiceBackup> parse_service_backup(const std::string& service, const json* x, const Location& where) {
  std::string path = "services." + service + ".x-slipway";
  if (!x || x->is_null()) return std::nullopt;
  if (!x->is_object()) bad(where, path, "must be a mapping");
  const json* b = find(*x, "backup");
  if (!b || b->is_null()) return std::nullopt;
  path += ".backup";
  if (!b->is_object()) bad(where, path, "must be a mapping (dump, restore, pre, post, quiesce)");
  check_keys(*b, {"dump", "restore", "pre", "post", "quiesce"}, path, where);
  ServiceBackup sb;
  sb.service = service;
  if (const json* d = find(*b, "dump")) {
    DumpSpec spec;
    if (d->is_object()) {
      check_keys(*d, {"command", "filename", "user"}, path + ".dump", where);
      const json* c = find(*d, "command");
      if (!c) bad(where, path + ".dump.command", "is missing (the command that prints the dump)");
      spec.command = command(*c, path + ".dump.command", where);
      if (const json* f = find(*d, "filename")) {
        if (!f->is_string()) bad(where, path + ".dump.filename", "must be a string");
        spec.filename = f->get<std::string>();
      }
      if (const json* u = find(*d, "user")) {
        if (!u->is_string()) bad(where, path + ".dump.user", "must be a string");
        spec.user = u->get<std::string>();
      }
    } else {
      spec.command = command(*d, path + ".dump", where);
    }
    if (spec.filename.empty()) spec.filename = service + ".dump";
    if (spec.filename.find('/') != std::string::npos || spec.filename == "." || spec.filename == "..")
      bad(where, path + ".dump.filename", "must be a plain file name without '/'");
    sb.dump = spec;
  }
  if (const json* r = find(*b, "restore")) sb.restore = command(*r, path + ".restore", where);
  if (const json* p = find(*b, "pre")) sb.pre = command(*p, path + ".pre", where);
  if (const json* p = find(*b, "post")) sb.post = command(*p, path + ".post", where);
  if (const json* q = find(*b, "quiesce")) {
    if (*q == "pause")
      sb.quiesce = Quiesce::pause;
    else if (*q == "stop")
      sb.quiesce = Quiesce::stop;
    else if (q->is_null() || *q == "none" || *q == false)
      sb.quiesce = Quiesce::none;
    else
      bad(where, path + ".quiesce", "must be pause or stop");
  }
  if (sb.dump && sb.quiesce != Quiesce::none)
    bad(where, path, "dump and quiesce exclude each other (a dump needs the service running)");
  if (!sb.restore.empty() && !sb.dump) bad(where, path + ".restore", "needs a dump to restore");
  return sb;
}

}  // namespace

std::vector<ServiceBackup> parse_service_backups(const compose::Model& model, const Location& where) {
  std::vector<ServiceBackup> out;
  for (const auto& svc : model.services())
    if (auto sb = parse_service_backup(svc.name(), svc.x_slipway(), where)) out.push_back(std::move(*sb));
  return out;
}

std::vector<ServiceBackup> parse_service_backups(const json& model, const Location& where) {
  compose::Project project;
  project.model = model;
  return parse_service_backups(compose::Model(project), where);
}

}  // namespace slipway::backup
