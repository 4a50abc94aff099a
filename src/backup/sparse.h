// restic 0.14 neither records holes nor restores files sparse: a 64 MiB sparse file with 8 bytes
// of data comes back as 64 MiB on disk. After a restore slipway punches holes where a file holds
// long zero runs, so sparse files (disk images, databases' preallocated files) take the space
// they took before. Contents, sizes and timestamps are unchanged.
#pragma once

#include <cstdint>
#include <string>

namespace slipway::backup {

// Walks `root` and punches holes into regular files of at least 1 MiB wherever a block-aligned
// run of zeros is at least 64 KiB long. Returns the bytes of disk space given back. Errors on
// single files are ignored (the data is correct either way).
uint64_t make_sparse(const std::string& root);

}  // namespace slipway::backup
