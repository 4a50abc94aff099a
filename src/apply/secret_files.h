// Secrets and configs as files on a tmpfs, bind-mounted read-only into their containers.
//
// Why: a file copied into a container (PUT archive) lands in its writable layer, where
// `docker diff`, `docker export`, `docker commit` and the layer directories on disk all show
// it. Instead each container gets a directory of its own under a root-only tmpfs
// (/run/slipway/<project>/<container>.<random>/, mode 0700), holding one file per secret or
// config with the uid/gid/mode the Compose file asks for, and each file is bind-mounted
// read-only at its target. Nothing reaches persistent disk; the container's layer holds at
// most the empty mount point.
//
// Configs go the same way: one mechanism, the same owner/mode handling, and read_only
// containers (where nothing can be copied in) work alike; configs are small, and inline
// `content:` configs may hold credentials too.
//
// The directory is recorded in the container's io.slipway.files-dir label. Old and new
// generations of a service have different directories, so both can run side by side.
// After a reboot the tmpfs is empty: the engine then cannot start such a container (its bind
// sources are missing), and the next `slipway up` writes the files again and starts it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/loader.h"
#include "plan/create_body.h"
#include "plan/plan.h"

namespace slipway::apply {

// $SLIPWAY_RUNTIME_DIR, else /run/slipway.
std::string default_files_root();

// Makes `root` a directory only root can enter (0700) and, with `mount_tmpfs`, a tmpfs: when
// the filesystem holding it is not one, mounts one there (mount(2); size 64 MiB, nosuid,
// nodev, noexec). EnvError naming the directory when that fails (not root, no CAP_SYS_ADMIN).
void prepare_files_root(const std::string& root, bool mount_tmpfs);

// A fresh directory path for `container` of `project` under `root` (not created).
std::string new_files_dir(const std::string& root, const std::string& project, const std::string& container);

// Writes each file into `dir` (created 0700 when missing) with its uid/gid/mode, replacing
// any earlier version atomically. Returns the HostConfig.Mounts entries that bind them
// read-only at their targets. Throws UserError when a source is missing (file_content).
nlohmann::json write_files(const compose::Project& project, const std::string& dir,
                           const std::vector<plan::FileInjection>& files);

// Removes `dir` and its files (nothing when it does not exist). Only directories two levels
// under `root` are touched.
void remove_files_dir(const std::string& root, const std::string& dir);

// Removes the directories under root/<project> that are not in `referenced`. Returns them.
std::vector<std::string> sweep_files_dirs(const std::string& root, const std::string& project,
                                          const std::set<std::string>& referenced);

// The content of a secret/config as it will be written (reads the file / variable).
// Throws UserError when the file is missing or the variable unset.
std::string file_content(const compose::Project& project, const plan::FileInjection& file);

// The keyed fingerprint (HMAC-SHA256 under host_key()) of every secret/config content the
// services use, by "secret:NAME" / "config:NAME", for UpOptions::file_digests. Unreadable ones
// are left out (apply reports them). Throws EnvError when the host key cannot be had.
std::map<std::string, std::string> file_digests(const compose::Project& project);

// Warnings about the files the plan's new containers get: a secret `file:` outside the
// project directory; a mode that makes a root-only host file world-readable inside.
std::vector<std::string> file_source_warnings(const compose::Project& project, const plan::Plan& plan);

}  // namespace slipway::apply
