// The Compose files a generation was deployed from, kept in its record so that `rollback GEN`
// runs GEN's configuration and not only its images.
//
// What is kept: each file's text as the loader read it (what the repository holds), never the
// interpolated model, which carries the values of variables and may carry secrets. A rollback
// writes the texts into a private directory and loads them with the stack's directory as the
// project directory, so relative paths (build contexts, env_file, secret files) and `.env`
// resolve where they do today; the variables come from today's environment. Files that the
// recorded ones include or extend are read as they are now.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"

namespace slipway::deploy {

// [{"path": P, "content": TEXT}, ...] for project.config_files, in load order; P is relative to
// the project directory when the file lies inside it. EnvError when a file cannot be read.
nlohmann::json record_compose_files(const compose::Project& project);

// Writes `files` (as record_compose_files made them) under `dir` and returns their paths, in
// order, for compose::LoadOptions::files. EnvError when one cannot be written; UserError when
// the record holds no file.
std::vector<std::string> write_compose_files(const nlohmann::json& files, const std::string& dir);

}  // namespace slipway::deploy
