#include "compose/discovery.h"

#include <filesystem>
#include <system_error>

#include "util/error.h"

namespace slipway::compose {
namespace fs = std::filesystem;

const std::vector<std::string>& default_file_names() {
  static const std::vector<std::string> names = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                                 "docker-compose.yaml"};
  return names;
}

const std::vector<std::string>& default_override_file_names() {
  static const std::vector<std::string> names = {"compose.override.yml", "compose.override.yaml",
                                                 "docker-compose.override.yml", "docker-compose.override.yaml"};
  return names;
}

namespace {

std::string join_list(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

// Any existing entry counts, as in Compose (a directory named compose.yaml is found, then
// fails to read with a clear message).
std::vector<std::string> find_in(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<std::string> found;
  for (const auto& n : names) {
    std::error_code ec;
    std::string f = (fs::path(dir) / n).string();
    if (fs::exists(f, ec)) found.push_back(f);
  }
  return found;
}

}  // namespace

std::string current_directory() {
  std::error_code ec;
  fs::path p = fs::current_path(ec);
  if (ec) throw EnvError("cannot determine the current directory: " + ec.message());
  return p.string();
}

std::string absolute_path(const std::string& path, const std::string& cwd) {
  fs::path p(path);
  if (!p.is_absolute()) p = fs::path(cwd.empty() ? current_directory() : cwd) / p;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::vector<std::string> discover_files(const std::string& start_dir,
                                        const std::function<void(const std::string&)>& warn) {
  std::string dir = absolute_path(start_dir, "");
  while (true) {
    auto candidates = find_in(dir, default_file_names());
    if (!candidates.empty()) {
      std::vector<std::string> files = {candidates[0]};
      if (candidates.size() > 1 && warn) {
        warn("Found multiple config files with supported names: " + join_list(candidates));
        warn("Using " + candidates[0]);
      }
      auto overrides = find_in(dir, default_override_file_names());
      if (!overrides.empty()) {
        if (overrides.size() > 1 && warn) {
          warn("Found multiple override files with supported names: " + join_list(overrides));
          warn("Using " + overrides[0]);
        }
        files.push_back(overrides[0]);
      }
      return files;
    }
    std::string parent = fs::path(dir).parent_path().string();
    if (parent.empty() || parent == dir) return {};
    dir = parent;
  }
}

std::vector<std::string> split_compose_file_env(const std::string& value, const std::string& separator,
                                                const std::string& cwd) {
  std::string sep = separator.empty() ? ":" : separator;
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t next = value.find(sep, pos);
    std::string entry = value.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    auto invalid = [&](const std::string& why) {
      return UserError("compose file \"" + entry + "\" set by COMPOSE_FILE environment variable is invalid: " + why);
    };
    if (entry == "-") {
      out.push_back(entry);
    } else {
      std::string abs = absolute_path(entry, cwd);
      std::error_code ec;
      auto st = fs::status(abs, ec);
      if (ec || !fs::exists(st)) throw invalid("stat " + abs + ": no such file or directory");
      if (fs::is_directory(st)) throw invalid(abs + " is a directory");
      if (!fs::is_regular_file(st)) throw invalid(abs + " is not a regular file");
      out.push_back(abs);
    }
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  return out;
}

std::string normalize_project_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') out += l;
  }
  size_t start = out.find_first_not_of("_-");
  return start == std::string::npos ? std::string() : out.substr(start);
}

void check_project_name(const std::string& name, const std::string& origin) {
  if (normalize_project_name(name) != name)
    throw UserError("invalid project name \"" + name + "\"" + (origin.empty() ? "" : " (" + origin + ")") +
                    ": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well "
                    "as start with a letter or number");
}

}  // namespace slipway::compose
