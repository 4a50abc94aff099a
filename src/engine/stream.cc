#include "engine/stream.h"

namespace slipway::engine {

void LineSplitter::feed(const std::string& chunk) {
  pending_ += chunk;
  size_t start = 0;
  for (;;) {
    size_t nl = pending_.find('\n', start);
    if (nl == std::string::npos) break;
    size_t end = nl;
    if (end > start && pending_[end - 1] == '\r') --end;
    on_line_(pending_.substr(start, end - start));
    start = nl + 1;
  }
  pending_.erase(0, start);
}

void LineSplitter::finish() {
  if (pending_.empty()) return;
  std::string last;
  last.swap(pending_);
  if (!last.empty() && last.back() == '\r') last.pop_back();
  on_line_(last);
}

JsonLines::JsonLines(std::function<void(const nlohmann::json&)> on_message)
    : on_message_(std::move(on_message)), lines_([this](const std::string& line) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) return;
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (parsed.is_discarded()) parsed = nlohmann::json{{"stream", line + "\n"}};
        on_message_(parsed);
      }) {}

void JsonLines::feed(const std::string& chunk) { lines_.feed(chunk); }
void JsonLines::finish() { lines_.finish(); }

bool Demultiplexer::feed(const char* data, std::size_t size) {
  if (stopped_) return false;
  buffer_.append(data, size);
  size_t pos = 0;
  while (buffer_.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(buffer_.data() + pos);
    size_t len = (size_t(h[4]) << 24) | (size_t(h[5]) << 16) | (size_t(h[6]) << 8) | size_t(h[7]);
    if (buffer_.size() - pos - 8 < len) break;
    // Kind 0 is stdin echoed back (only with a TTY, which never reaches here); treat as stdout.
    StreamKind kind = h[0] == 2 ? StreamKind::err : StreamKind::out;
    if (len > 0 && !sink_(kind, buffer_.substr(pos + 8, len))) {
      stopped_ = true;
      buffer_.clear();
      return false;
    }
    pos += 8 + len;
  }
  buffer_.erase(0, pos);
  return true;
}

}  // namespace slipway::engine
