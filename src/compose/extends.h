// `extends`: a service built on another service of the same file or of another file.
//
// A service that extends another is the other's definition (itself extended first) with the
// service's own keys merged over it by the file merge rules. A base taken from another file
// keeps the meaning of its relative paths: they are rebased to that file's directory.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "yaml/node.h"

namespace slipway::compose {

struct ExtendsContext {
  // Reads, interpolates and merges (into nothing) another Compose file; given an absolute
  // path. Called at most once per file per apply_extends call.
  std::function<yaml::Node(const std::string& path)> load_file;
  // The user's home directory for `extends.file: ~/...` (from LoadOptions::environment, never
  // the process environment: the loader is pure). Empty: such paths stay as written.
  std::string home;
};

// Resolves every `extends` in `file` (one file's top-level mapping, interpolated, merge tags
// still present), which was read from `file_name`. Relative `extends.file` paths start at
// `base_dir`. Throws UserError for a missing service or file and for a cycle, naming the
// chain ("Circular reference: ...").
void apply_extends(yaml::Node& file, const std::string& file_name, const std::string& base_dir,
                   const ExtendsContext& context);

// Makes the relative paths of a Compose file absolute against `dir`: build contexts, env_file,
// label_file, extends.file, bind mount sources, develop.watch paths, secret and config files,
// bind-device volume options, and include paths. Remote build contexts are left alone.
void rebase_paths(yaml::Node& file, const std::string& dir);

// `path` joined to `dir` and cleaned, unless it is absolute or starts with "~".
std::string rebase_path(const std::string& path, const std::string& dir);

}  // namespace slipway::compose
