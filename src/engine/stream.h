// Decoders for the engine's streamed bodies: newline-delimited JSON (build, import, events),
// text split into lines, and the 8-byte-header multiplexed stdout/stderr stream of logs and
// exec for containers without a TTY. Each takes arbitrary chunks, as they arrive off the wire.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace slipway::engine {

// Calls `on_line` with each complete line (without "\n" or a trailing "\r").
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(const std::string&)> on_line) : on_line_(std::move(on_line)) {}
  void feed(const std::string& chunk);
  // Delivers a last line that had no newline.
  void finish();

 private:
  std::function<void(const std::string&)> on_line_;
  std::string pending_;
};

// Calls `on_message` with each JSON value of a newline-delimited JSON stream; blank lines are
// skipped and a line that is not JSON is handed over as {"stream": line}.
class JsonLines {
 public:
  explicit JsonLines(std::function<void(const nlohmann::json&)> on_message);
  void feed(const std::string& chunk);
  void finish();

 private:
  std::function<void(const nlohmann::json&)> on_message_;
  LineSplitter lines_;
};

// Splits Docker's multiplexed stream: frames of [kind:1][0 0 0][size:4 big-endian][payload].
// feed() returns false once the sink returned false.
class Demultiplexer {
 public:
  explicit Demultiplexer(std::function<bool(StreamKind, const std::string&)> sink) : sink_(std::move(sink)) {}
  bool feed(const char* data, std::size_t size);

 private:
  std::function<bool(StreamKind, const std::string&)> sink_;
  std::string buffer_;
  bool stopped_ = false;
};

}  // namespace slipway::engine
