#include "backup/sparse.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

namespace slipway::backup {
namespace {

constexpr off_t kMinFile = 1 << 20;
constexpr off_t kMinRun = 64 << 10;

bool all_zero(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i]) return false;
  return true;
}

uint64_t sparsify_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return 0;
  }
  const size_t block = st.st_blksize > 0 ? st.st_blksize : 4096;
  std::vector<char> buf(1 << 20);
  off_t pos = 0, run_start = -1;
  uint64_t freed = 0;
  auto punch = [&](off_t from, off_t to) {
    if (to - from < kMinRun) return;
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, to - from) == 0) freed += to - from;
  };
  for (;;) {
    ssize_t n = pread(fd, buf.data(), buf.size(), pos);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n; off += block) {
      size_t len = std::min<size_t>(block, n - off);
      bool zero = len == block && all_zero(buf.data() + off, len);
      if (zero && run_start < 0) run_start = pos + off;
      if (!zero && run_start >= 0) {
        punch(run_start, pos + off);
        run_start = -1;
      }
    }
    pos += n;
  }
  if (run_start >= 0) punch(run_start, pos - (pos % block));
  if (freed) {
    // Punching holes touches mtime; the restored timestamps must stay as they were.
    timespec times[2] = {st.st_atim, st.st_mtim};
    futimens(fd, times);
  }
  ::close(fd);
  return freed;
}

}  // namespace

uint64_t make_sparse(const std::string& root) {
  uint64_t freed = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2) || it->is_symlink(e2)) continue;
    if (static_cast<off_t>(it->file_size(e2)) < kMinFile) continue;
    freed += sparsify_file(it->path().string());
  }
  return freed;
}

}  // namespace slipway::backup
