// Which Compose files a project consists of when none is named, and what the project is called.
// Both follow Docker Compose v2 exactly, since users move between the two tools.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::compose {

// The file names Compose looks for, in order of preference.
const std::vector<std::string>& default_file_names();
const std::vector<std::string>& default_override_file_names();

// Looks in `start_dir`, then in each parent directory, for the first directory holding a
// Compose file. Returns that file (absolute) followed by its override file when one exists;
// empty when no directory up to the root has one. Several candidates in one directory give a
// warning and the most preferred wins.
std::vector<std::string> discover_files(const std::string& start_dir,
                                        const std::function<void(const std::string&)>& warn = {});

// Splits COMPOSE_FILE by `separator` (COMPOSE_PATH_SEPARATOR; ":" when empty) and makes each
// entry absolute against `cwd`. Throws UserError when an entry is not a regular file.
std::vector<std::string> split_compose_file_env(const std::string& value, const std::string& separator,
                                                const std::string& cwd);

// Lowercase, characters other than [a-z0-9_-] dropped, leading '_' and '-' dropped.
std::string normalize_project_name(std::string_view name);

// A name the user gave explicitly (-p, COMPOSE_PROJECT_NAME) must already be normal.
// `origin` says where it came from for the message. Throws UserError.
void check_project_name(const std::string& name, const std::string& origin);

// `path` made absolute against `cwd` and cleaned lexically (like Go's filepath.Abs: symlinks
// are kept, "." and ".." segments removed, no trailing slash).
std::string absolute_path(const std::string& path, const std::string& cwd);

// The process's current directory (EnvError when it cannot be determined).
std::string current_directory();

}  // namespace slipway::compose
