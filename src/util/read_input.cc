#include "util/read_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "util/error.h"

namespace slipway {
namespace {

std::string size_text(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

std::string read_input_stream(std::istream& in, const std::string& name, const std::string& what, std::size_t limit) {
  std::string out;
  char buffer[64 * 1024];
  while (in) {
    // Never ask for more than one byte past the limit: that byte is what proves "too large".
    std::size_t want = std::min(sizeof buffer, limit + 1 - out.size());
    in.read(buffer, static_cast<std::streamsize>(want));
    out.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out.size() > limit)
      throw UserError(name + ": the " + what + " is larger than " + size_text(limit) +
                      ", slipway's limit for one input file (is this the right file?)");
  }
  if (in.bad()) throw EnvError("cannot read the " + what + " " + name + ": read error");
  return out;
}

std::string read_input_file(const std::string& path, const std::string& what, std::size_t limit) {
  if (path == "-") return read_input_stream(std::cin, "(standard input)", what, limit);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnvError("cannot read the " + what + " " + path + ": " + std::strerror(errno));
  return read_input_stream(in, path, what, limit);
}

}  // namespace slipway
