#include "compose/include.h"

#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "compose/discovery.h"
#include "compose/dotenv.h"
#include "compose/merge.h"
#include "util/error.h"

namespace slipway::compose {
namespace {

using yaml::Node;
namespace fs = std::filesystem;

struct Entry {
  std::vector<std::string> paths;
  std::string project_directory;
  std::vector<std::string> env_files;
  const Node* at = nullptr;
};

std::vector<std::string> string_list(const Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (n.is_null()) return out;
  if (n.is_scalar()) {
    out.push_back(n.value());
    return out;
  }
  if (!n.is_sequence()) throw UserError(n.location(), what + " must be a string or a list of strings");
  for (const auto& item : n.items()) {
    if (!item.is_scalar()) throw UserError(item.location(), what + " must be a string or a list of strings");
    out.push_back(item.value());
  }
  return out;
}

Entry parse_entry(const Node& n) {
  Entry e;
  e.at = &n;
  if (n.is_scalar()) {
    e.paths.push_back(n.value());
    return e;
  }
  if (!n.is_mapping()) throw UserError(n.location(), "include entries must be a path or a mapping");
  for (const auto& kv : n.entries()) {
    const std::string& k = kv.key.value();
    if (k == "path") {
      e.paths = string_list(kv.value, "include.path");
    } else if (k == "project_directory") {
      if (!kv.value.is_scalar() && !kv.value.is_null())
        throw UserError(kv.value.location(), "include.project_directory must be a string");
      e.project_directory = kv.value.is_scalar() ? kv.value.value() : "";
    } else if (k == "env_file") {
      e.env_files = string_list(kv.value, "include.env_file");
    } else if (k.rfind("x-", 0) != 0) {
      throw UserError(kv.key.location(), "include: additional property " + k + " is not allowed");
    }
  }
  if (e.paths.empty()) throw UserError(n.location(), "include: path is required");
  return e;
}

std::string chain_text(const std::vector<std::string>& chain) {
  std::string s;
  for (const auto& f : chain) s += (s.empty() ? "" : " -> include ") + f;
  return s;
}

void import_resources(Node& target, const Node& imported, const Node& local_file) {
  for (const char* key : {"services", "jobs", "volumes", "networks", "secrets", "configs", "models"}) {
    const Node* from = imported.find(key);
    if (!from || !from->is_mapping()) continue;
    Node* to = target.find(key);
    if (!to || to->is_null()) to = &target.set(key, Node::mapping(from->mark()));
    if (!to->is_mapping()) throw UserError(to->location(), std::string(key) + " must be a mapping");
    for (const auto& e : from->entries()) {
      Node* conflict = to->find(e.key.value());
      if (!conflict) {
        to->set(e.key.value(), e.value, e.key.mark());
        continue;
      }
      if (conflict->same_value(e.value)) continue;
      // The included definition is the base; this file's definition merges over it.
      Node base = Node::mapping();
      base.set(key, Node::mapping()).set(e.key.value(), e.value, e.key.mark());
      Node over = Node::mapping();
      over.set(key, Node::mapping()).set(e.key.value(), *conflict, e.key.mark());
      merge_files(base, over);
      *conflict = *base.find(key)->find(e.key.value());
    }
  }
  (void)local_file;
}

}  // namespace

void apply_include(yaml::Node& file, const IncludeContext& context) {
  if (!file.is_mapping()) return;
  const Node* inc = file.find("include");
  if (!inc) return;
  if (inc->is_null()) {
    file.erase("include");
    return;
  }
  if (!inc->is_sequence()) throw UserError(inc->location(), "`include` must be a list");
  const Node include = *inc;
  for (const auto& item : include.items()) {
    Entry e = parse_entry(item);
    std::vector<std::string> files;
    for (const auto& p : e.paths) files.push_back(absolute_path(p, context.working_dir));

    std::string project_dir;
    if (e.project_directory.empty()) {
      project_dir = fs::path(files[0]).parent_path().string();
    } else {
      project_dir = absolute_path(e.project_directory, context.working_dir);
    }
    for (const auto& f : context.chain) {
      if (f == files[0]) {
        auto chain = context.chain;
        chain.push_back(files[0]);
        throw UserError(item.location(),
                        "include cycle detected: " + chain_text(chain) + " (remove one of these includes)");
      }
    }

    std::vector<std::string> env_files;
    if (e.env_files.empty()) {
      std::error_code ec;
      std::string f = (fs::path(project_dir) / ".env").string();
      if (fs::exists(f, ec) && !fs::is_directory(f, ec)) env_files.push_back(f);
    } else {
      for (const auto& f : e.env_files) {
        if (f == "/dev/null") continue;
        std::string path = f;
        if (!fs::path(f).is_absolute()) {
          path = absolute_path(f, context.working_dir);
          std::error_code ec;
          auto st = fs::status(path, ec);
          if (ec || !fs::exists(st))
            throw UserError(item.location(),
                            "include env_file " + path + " does not exist (create it or fix the path)");
          if (fs::is_directory(st)) throw UserError(item.location(), path + " is not a file");
        }
        env_files.push_back(path);
      }
    }

    std::map<std::string, std::string> from_files;
    for (const auto& f : env_files) {
      std::error_code ec;
      if (!fs::exists(f, ec)) throw UserError(item.location(), "couldn't find env file: " + f);
      Lookup lookup = [&](const std::string& k) -> std::optional<std::string> {
        if (auto it = context.environment.find(k); it != context.environment.end()) return it->second;
        if (auto it = from_files.find(k); it != from_files.end()) return it->second;
        return std::nullopt;
      };
      for (auto& [k, v] : read_dotenv(f, lookup)) from_files[k] = v;
    }
    Environment env = context.environment;
    for (const auto& [k, v] : from_files) env.emplace(k, v);  // the including environment wins

    auto chain = context.chain;
    Node imported = context.load_project(files, project_dir, env, chain);
    if (imported.is_mapping()) import_resources(file, imported, file);
  }
  file.erase("include");
}

}  // namespace slipway::compose
