// Where a key of the Compose files was written, for error messages about settings the loader
// keeps only as values (x-slipway extensions carry no source positions in the model).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/error.h"

namespace slipway::edge {

// Finds the Location of the key at `path` (e.g. {"x-slipway", "routes", "example.org"}).
using Locator = std::function<Location(const std::vector<std::string>& path)>;

// A Locator over the Compose files as loaded (compose::Project::config_files): the key in the
// last file that writes it (later files override earlier ones), else the first file without a
// line. Files are read only when a location is asked for, i.e. on an error path; a file that
// cannot be read or parsed then gives just its name.
Locator file_locator(const std::vector<std::string>& config_files);

// A Locator that always answers `where` (tests, callers without files).
Locator fixed_locator(Location where = {});

// Reports errors about one key path of x-slipway settings: "file:line:col: a.b.c: what".
class Reporter {
 public:
  Reporter(const Locator& locate, std::vector<std::string> path) : locate_(locate), path_(std::move(path)) {}
  [[noreturn]] void fail(const std::string& what) const;
  Reporter child(const std::string& key) const;
  Location where() const { return locate_ ? locate_(path_) : Location{}; }

 private:
  const Locator& locate_;
  std::vector<std::string> path_;
};

}  // namespace slipway::edge
