// Creating and replacing one container so that an interruption at any engine request leaves
// a state the next plan recognises and resolves (plan/recovery.h). `up` recreates in place
// with it (Compose-compatible); the coming `deploy` builds on stage/promote to run a new
// generation beside the old one.
//
// The steps and the names the containers carry meanwhile (plan/naming.h):
//
//   create:  stage (files written, created as NAME_slipway-new, networks joined)
//            -> start -> rename to NAME
//   replace: stage -> stop the old one -> rename it to NAME_slipway-old -> start the new one
//            -> rename it to NAME -> remove the old one (and its files directory)
//
// A staged container that was never started is incomplete and gets removed; once started it
// is complete (networks and files come before the start), so the next run finishes by
// renaming it. The old one is set aside only after it stopped, and removed only after the
// new one carries the name. On an error (not a kill) the step undoes itself: the staged
// container and its files go, the old one gets its name back and is started again if it ran.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "engine/engine.h"
#include "plan/create_body.h"

namespace slipway::apply {

// Where the secret/config files go (apply/secret_files.h).
struct FilesPlace {
  std::string root;         // e.g. /run/slipway
  bool mount_tmpfs = true;  // make root a tmpfs when it is not one
};

// A container to make: its canonical name and final create request (the image ID known).
struct NewContainer {
  std::string name;
  nlohmann::json body;
  std::vector<plan::NetworkAttachment> extra_networks;
  std::vector<plan::FileInjection> files;
};

// A staged container: its ID and its files directory ("" when it has no files).
struct Staged {
  std::string id;
  std::string files_dir;
};

class Replacer {
 public:
  using Warn = std::function<void(const std::string&)>;
  Replacer(const engine::Engine& engine, const compose::Project& project, FilesPlace files, Warn warn);

  // Stages `c`: writes its files, creates it under its staging name, joins its networks.
  // On failure removes what it made and rethrows.
  Staged stage(const NewContainer& c);
  // Starts the staged container `id` and renames it to `name`.
  void promote(const std::string& id, const std::string& name);
  // Removes a staged (or any) container and its files directory, warning when it cannot.
  void discard(const Staged& staged) noexcept;

  // stage + promote, discarding on failure. Returns the ID.
  std::string create(const NewContainer& c);
  // Replaces the existing container `old_id` (see the header comment). The new container
  // mounts the old one's anonymous volumes, as Compose does. Returns the new ID.
  std::string replace(const std::string& old_id, const NewContainer& c, int stop_timeout);

  // Writes `files` into `dir` again (a container's files after the tmpfs was emptied).
  void rewrite_files(const std::string& dir, const std::vector<plan::FileInjection>& files);
  // Removes a container's files directory (after the container is gone).
  void remove_files(const std::string& dir);

 private:
  const engine::Engine& engine_;
  const compose::Project& project_;
  FilesPlace files_;
  Warn warn_;
  bool root_ready_ = false;

  void ensure_root();
};

// Adds the old container's anonymous volumes (inspect result `old`) to `body`'s mounts so a
// recreate keeps their data.
void inherit_anonymous_volumes(const nlohmann::json& old, nlohmann::json& body);

}  // namespace slipway::apply
