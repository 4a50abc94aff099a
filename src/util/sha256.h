// SHA-256 for content hashes (config hashes, build-context keys). Hand-written so the pure layers
// need no crypto library; incremental because build contexts are hashed as they are read rather
// than held in memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace slipway {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  void update(const void* data, std::size_t size);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace slipway
