// Reading the user's input files (Compose files, env files, check files) with a size limit.
//
// slipway reads what the user points it at, and a path can name anything: /dev/urandom, a
// FIFO that never ends, a 5 GB log file given by mistake. Every input file is read through
// here, which stops after `limit` bytes instead of growing until the machine runs out of
// memory: the command fails with exit 2 having read at most limit + 1 bytes.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace slipway {

// The documented limit for any one input file (README "Limits").
inline constexpr std::size_t kMaxInputBytes = 8u << 20;  // 8 MiB

// The whole content of `path` (a file, or "-" for standard input). `what` names the input in
// messages ("compose file", "env file", "check file"). Throws UserError "PATH: the WHAT is
// larger than 8 MiB, slipway's limit for one input file (...)" when there is more than
// `limit`, and EnvError "cannot read the WHAT PATH: REASON" when it cannot be opened or read.
std::string read_input_file(const std::string& path, const std::string& what, std::size_t limit = kMaxInputBytes);

// The same for an already open stream; `name` is used in the messages.
std::string read_input_stream(std::istream& in, const std::string& name, const std::string& what,
                              std::size_t limit = kMaxInputBytes);

}  // namespace slipway
