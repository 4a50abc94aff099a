// The smallest tar slipway needs for secrets and configs: a few regular files with an exact
// owner and mode (PUT /containers/{id}/archive), and reading files back (GET archive).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace slipway::apply {

struct TarEntry {
  std::string path;     // relative, e.g. "run/secrets/db"; a trailing "/" makes a directory
  std::string content;  // regular files only
  int mode = 0644;
  int uid = 0;
  int gid = 0;
};

// A ustar archive of `entries` (paths up to 255 bytes; longer ones are a UserError).
std::string make_tar(const std::vector<TarEntry>& entries);

// Regular files of a ustar/GNU/pax tar by path (pax headers are skipped, not interpreted).
std::map<std::string, std::string> read_tar(const std::string& tar);

}  // namespace slipway::apply
