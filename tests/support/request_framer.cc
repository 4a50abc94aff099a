#include "support/request_framer.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/parse.h"

namespace slipway::testsupport {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated header `value` holds `token` (case-insensitive).
bool has_token(const std::string& value, std::string_view token) {
  std::string_view rest = value;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (lower(trim(rest.substr(0, comma))) == token) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

// "METHOD TARGET HTTP/1.x" and "Name: value" lines; false when the head is not HTTP.
bool parse_head(std::string_view text, RequestHead& head, std::string& error) {
  size_t eol = text.find("\r\n");
  std::string_view line = text.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
    error = "not an HTTP/1.x request line: " + std::string(line.substr(0, 80));
    return false;
  }
  head.method = std::string(line.substr(0, sp1));
  head.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (head.method.empty() ||
      !std::all_of(head.method.begin(), head.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    error = "not an HTTP method: " + head.method.substr(0, 20);
    return false;
  }
  while (eol != std::string_view::npos) {
    text.remove_prefix(eol + 2);
    eol = text.find("\r\n");
    line = text.substr(0, eol);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = "a header line without a colon: " + std::string(line.substr(0, 80));
      return false;
    }
    head.headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return true;
}

}  // namespace

std::string RequestHead::path() const { return target.substr(0, target.find('?')); }

bool RequestHead::state_changing() const {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

RequestFramer::Piece RequestFramer::next(std::string_view buffer) {
  Piece piece;
  if (buffer.empty()) return piece;
  switch (state_) {
    case State::head:
      return start_request(buffer);
    case State::body:
    case State::chunk_data:
      piece.kind = Kind::bytes;
      piece.length = std::min(remaining_, buffer.size());
      remaining_ -= piece.length;
      if (remaining_ == 0) {
        if (state_ == State::body)
          finish_request();
        else
          state_ = State::chunk_size;
      }
      return piece;
    case State::chunk_size:
      return next_chunk_size(buffer);
    case State::trailer:
      return next_trailer(buffer);
    case State::raw:
      piece.kind = Kind::bytes;
      piece.length = buffer.size();
      return piece;
  }
  return piece;
}

RequestFramer::Piece RequestFramer::start_request(std::string_view buffer) {
  Piece piece;
  size_t end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buffer.size() > kMaxHeadBytes) {
      piece.kind = Kind::error;
      piece.error = "a request head longer than 1 MiB";
    }
    return piece;
  }
  if (!parse_head(buffer.substr(0, end + 2), piece.head, piece.error)) {
    piece.kind = Kind::error;
    return piece;
  }
  piece.kind = Kind::head;
  piece.length = end + 4;
  const auto& h = piece.head.headers;
  auto connection = h.find("connection");
  upgrade_ = h.count("upgrade") && connection != h.end() && has_token(connection->second, "upgrade");
  if (auto te = h.find("transfer-encoding"); te != h.end() && has_token(te->second, "chunked")) {
    state_ = State::chunk_size;
  } else if (auto cl = h.find("content-length"); cl != h.end()) {
    auto length = parse_uint(cl->second);
    if (!length) {
      piece.kind = Kind::error;
      piece.error = "a Content-Length that is not a number: " + cl->second.substr(0, 40);
      return piece;
    }
    remaining_ = *length;
    state_ = State::body;
    if (remaining_ == 0) finish_request();
  } else {
    finish_request();
  }
  return piece;
}

RequestFramer::Piece RequestFramer::next_chunk_size(std::string_view buffer) {
  Piece piece;
  size_t eol = buffer.find("\r\n");
  if (eol == std::string_view::npos) {
    if (buffer.size() > 4096) {
      piece.kind = Kind::error;
      piece.error = "a chunk-size line longer than 4 KiB";
    }
    return piece;
  }
  std::string_view digits = buffer.substr(0, std::min(eol, buffer.find(';')));
  digits = trim(digits);
  std::size_t size = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    piece.kind = Kind::error;
    piece.error = "a chunk size that is not hexadecimal: " + std::string(digits.substr(0, 40));
    return piece;
  }
  piece.kind = Kind::bytes;
  piece.length = eol + 2;
  if (size == 0) {
    state_ = State::trailer;
  } else {
    remaining_ = size + 2;  // the data and its CRLF
    state_ = State::chunk_data;
  }
  return piece;
}

RequestFramer::Piece RequestFramer::next_trailer(std::string_view buffer) {
  Piece piece;
  size_t eol = buffer.find("\r\n");
  if (eol == std::string_view::npos) {
    if (buffer.size() > kMaxHeadBytes) {
      piece.kind = Kind::error;
      piece.error = "a trailer longer than 1 MiB";
    }
    return piece;
  }
  piece.kind = Kind::bytes;
  piece.length = eol + 2;
  if (eol == 0) finish_request();
  return piece;
}

}  // namespace slipway::testsupport
