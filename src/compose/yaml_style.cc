// go-yaml's presentation rules, reproduced so that `slipway config` prints what
// `docker compose config` prints: the order of mapping keys and the style of each string.
#include "compose/yaml_style.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

namespace slipway::compose {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool cp_digit(uint32_t c) { return c >= '0' && c <= '9'; }
// Approximation of unicode.IsLetter: ASCII letters, and any non-ASCII code point that is
// not punctuation-like (keys in Compose files are nearly always ASCII).
bool cp_letter(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}

// The code point that starts at s[i]; an invalid byte stands for itself. *len gets the number
// of bytes it takes. Decoding in place (instead of into a vector of code points) keeps
// printing a multi-megabyte string from needing four times its size.
uint32_t decode_at(std::string_view s, size_t i, size_t* len) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) n = 1;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  *len = n;
  return cp;
}

// `start` followed by the digit run of `s` that begins at `from`, as a number (wrapping on
// overflow, as Go's int64 arithmetic in go-yaml's key sorter does); *end gets where the run stops.
int64_t digit_run(std::string_view s, size_t from, int64_t start, size_t* end) {
  uint64_t v = static_cast<uint64_t>(start);
  size_t i = from;
  for (; i < s.size() && is_digit(s[i]); ++i) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  *end = i;
  return static_cast<int64_t>(v);
}

}  // namespace

// go-yaml's keyList.Less, walking both keys' code points in place.
bool yaml_key_less(const std::string& a, const std::string& b) {
  bool digits = false;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    size_t la, lb;
    uint32_t ca = decode_at(a, i, &la), cb = decode_at(b, j, &lb);
    if (ca == cb) {
      digits = cp_digit(ca);
      i += la;
      j += lb;
      continue;
    }
    bool al = cp_letter(ca), bl = cp_letter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return digits ? al : bl;
    // Both are digits or punctuation: compare the numbers that start here.
    int64_t an = 0, bn = 0;
    if (ca == '0' || cb == '0') {
      for (size_t k = i; k-- > 0 && is_digit(a[k]);) {
        if (a[k] != '0') {
          an = bn = 1;
          break;
        }
      }
    }
    size_t ai, bi;
    an = digit_run(a, i, an, &ai);
    bn = digit_run(b, j, bn, &bi);
    if (an != bn) return an < bn;
    if (ai - i != bi - j) return ai - i < bi - j;
    return ca < cb;
  }
  return i == a.size() && j < b.size();
}

namespace {

// Go's strconv.ParseInt(s, 0, 64) / ParseUint acceptance (syntax only, underscores removed).
bool go_int_syntax(std::string s) {
  if (s.empty()) return false;
  if (s[0] == '+' || s[0] == '-') s = s.substr(1);
  if (s.empty()) return false;
  auto all = [&](size_t from, auto pred) {
    if (from >= s.size()) return false;
    for (size_t i = from; i < s.size(); ++i)
      if (!pred(s[i])) return false;
    return true;
  };
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return all(2, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (p == 'o' || p == 'O') return all(2, [](char c) { return c >= '0' && c <= '7'; });
    if (p == 'b' || p == 'B') return all(2, [](char c) { return c == '0' || c == '1'; });
    return all(1, [](char c) { return c >= '0' && c <= '7'; });
  }
  return all(0, is_digit);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_float_syntax(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
  } else {
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t d = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == d) return false;
  }
  return i == s.size();
}

bool go_parse_float_syntax(const std::string& s) {
  // Go's ParseFloat also reads "inf", "infinity", "nan" (any case, inf signed).
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), ::tolower);
  std::string u = (l.size() && (l[0] == '+' || l[0] == '-')) ? l.substr(1) : l;
  if (u == "inf" || u == "infinity") return true;
  if (l == "nan") return true;
  std::string t = l;
  t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
  return yaml_float_syntax(t);
}

bool looks_like_timestamp(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return false;
  // YYYY-M-D, optionally followed by [Tt ]H:M:S(.frac)(zone).
  size_t p = 5;
  auto digits = [&](size_t min, size_t max) {
    size_t st = p;
    while (p < s.size() && is_digit(s[p]) && p - st < max) ++p;
    return p - st >= min;
  };
  if (!digits(1, 2) || p >= s.size() || s[p] != '-') return false;
  ++p;
  if (!digits(1, 2)) return false;
  if (p == s.size()) return true;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
  ++p;
  if (!digits(1, 2) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!digits(1, 2) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!digits(1, 2)) return false;
  return true;  // fraction/zone: close enough
}

// What go-yaml's resolver makes of a plain scalar: true when it is not a string.
bool resolves_to_non_string(const std::string& s) {
  if (s.empty()) return true;
  static constexpr std::string_view specials[] = {"~",     "null",  "Null",  "NULL", "true", "True",  "TRUE",  "false",
                                                  "False", "FALSE", ".inf",  ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                                  "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",  "<<"};
  if (s.size() <= 5)
    for (std::string_view sp : specials)
      if (s == sp) return true;
  char c = s[0];
  if (c == '.') return go_parse_float_syntax(s) && s.size() > 1;
  if (c == '+' || c == '-' || is_digit(c)) {
    if (looks_like_timestamp(s)) return true;
    std::string plain = s;
    plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    if (go_int_syntax(plain)) return true;
    if (yaml_float_syntax(plain)) return true;
    std::string b = plain;
    if (b.rfind("-", 0) == 0) b = b.substr(1);
    if (b.rfind("0b", 0) == 0 && b.size() > 2 &&
        std::all_of(b.begin() + 2, b.end(), [](char x) { return x == '0' || x == '1'; }))
      return true;
    if (plain.rfind("0o", 0) == 0 && plain.size() > 2 &&
        std::all_of(plain.begin() + 2, plain.end(), [](char x) { return x >= '0' && x <= '7'; }))
      return true;
  }
  return false;
}

bool is_old_bool(const std::string& s) {
  static constexpr std::string_view v[] = {"y", "Y", "yes", "Yes", "YES", "on",  "On",  "ON",
                                           "n", "N", "no",  "No",  "NO",  "off", "Off", "OFF"};
  if (s.size() > 3) return false;
  for (std::string_view x : v)
    if (s == x) return true;
  return false;
}

bool is_base60_float(const std::string& s) {
  if (s.empty()) return false;
  char c = s[0];
  if (!(c == '+' || c == '-' || is_digit(c)) || s.find(':') == std::string::npos) return false;
  // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  if (i >= s.size() || !is_digit(s[i])) return false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    size_t st = i;
    while (i < s.size() && is_digit(s[i]) && i - st < 2) ++i;
    size_t len = i - st;
    if (len == 0) return false;
    if (len == 2 && s[st] > '5') return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

bool is_blank(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}
bool is_break(uint32_t c) { return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_printable(uint32_t c) {
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}

struct Analysis {
  bool multiline = false, flow_plain = true, block_plain = true, single_ok = true, block_ok = true;
};

// libyaml's yaml_emitter_analyze_scalar, one code point at a time.
class ScalarScan {
 public:
  // `c` is the code point at hand; `first`/`last` whether it starts/ends the text;
  // `followed_ws` whether a blank or the end follows it.
  void step(uint32_t c, bool first, bool last, bool followed_ws) {
    indicators(c, first, followed_ws);
    if (!is_printable(c) && c < 0x10000) special_ = true;
    if (c >= 0x10000) special_ = true;  // go-yaml's is_printable rejects 4-byte sequences
    if (is_break(c)) line_breaks_ = true;
    spaces(c, first, last);
    preceded_ws_ = is_blank(c);
  }
  void document_marker() { flow_ind_ = block_ind_ = true; }
  Analysis result() const;

 private:
  void indicators(uint32_t c, bool first, bool followed_ws) {
    if (first) {
      if (c < 0x80 && std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(c)) != std::string_view::npos)
        flow_ind_ = block_ind_ = true;
      if (c == '?' || c == ':') {
        flow_ind_ = true;
        if (followed_ws) block_ind_ = true;
      }
      if (c == '-' && followed_ws) flow_ind_ = block_ind_ = true;
    } else {
      if (c < 0x80 && std::string_view(",?[]{}").find(static_cast<char>(c)) != std::string_view::npos) flow_ind_ = true;
      if (c == ':') {
        flow_ind_ = true;
        if (followed_ws) block_ind_ = true;
      }
      if (c == '#' && preceded_ws_) flow_ind_ = block_ind_ = true;
    }
  }
  void spaces(uint32_t c, bool first, bool last) {
    if (c == ' ') {
      if (first) leading_space_ = true;
      if (last) trailing_space_ = true;
      if (prev_break_) break_space_ = true;
      prev_space_ = true;
      prev_break_ = false;
    } else if (is_break(c)) {
      if (first) leading_break_ = true;
      if (last) trailing_break_ = true;
      if (prev_space_) space_break_ = true;
      prev_break_ = true;
      prev_space_ = false;
    } else {
      prev_space_ = prev_break_ = false;
    }
  }

  bool flow_ind_ = false, block_ind_ = false, line_breaks_ = false, special_ = false;
  bool leading_space_ = false, leading_break_ = false, trailing_space_ = false, trailing_break_ = false;
  bool break_space_ = false, space_break_ = false, prev_space_ = false, prev_break_ = false;
  bool preceded_ws_ = true;
};

Analysis ScalarScan::result() const {
  Analysis a;
  a.multiline = line_breaks_;
  if (leading_space_ || leading_break_ || trailing_space_ || trailing_break_) a.flow_plain = a.block_plain = false;
  if (trailing_space_) a.block_ok = false;
  if (break_space_) a.flow_plain = a.block_plain = a.single_ok = false;
  if (space_break_ || special_) a.flow_plain = a.block_plain = a.single_ok = a.block_ok = false;
  if (line_breaks_) a.flow_plain = a.block_plain = false;
  if (flow_ind_) a.flow_plain = false;
  if (block_ind_) a.block_plain = false;
  return a;
}

// Which styles can represent the text (libyaml's scalar analysis).
Analysis analyze(const std::string& s) {
  if (s.empty()) {
    Analysis a;
    a.flow_plain = false;
    a.block_ok = false;
    return a;
  }
  ScalarScan scan;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) {
    size_t len;
    if (s.size() == 3 || is_blank(decode_at(s, 3, &len))) scan.document_marker();
  }
  size_t len = 0, pos = 0;
  uint32_t c = decode_at(s, 0, &len);
  while (pos < s.size()) {
    size_t next_pos = pos + len, next_len = 0;
    bool last = next_pos >= s.size();
    uint32_t next = last ? 0 : decode_at(s, next_pos, &next_len);
    scan.step(c, pos == 0, last, last || is_blank(next));
    pos = next_pos;
    c = next;
    len = next_len;
  }
  return scan.result();
}

}  // namespace

ScalarStyle yaml_string_style(const std::string& s, bool is_key) {
  bool can_plain = !resolves_to_non_string(s) && !is_base60_float(s) && !is_old_bool(s);
  bool valid_utf8 = true;  // assume valid: the reader rejects invalid UTF-8
  (void)valid_utf8;
  ScalarStyle want;
  if (s.find('\n') != std::string::npos) {
    bool literal_ok = false;
    if (s.size() >= 2)
      for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) literal_ok = true;
    want = literal_ok ? ScalarStyle::Literal : ScalarStyle::DoubleQuoted;
  } else if (can_plain) {
    want = ScalarStyle::Plain;
  } else {
    want = ScalarStyle::DoubleQuoted;
  }
  if (want == ScalarStyle::DoubleQuoted) return want;  // the analysis could only confirm it
  Analysis a = analyze(s);
  if (want == ScalarStyle::Plain) {
    if (!a.block_plain || (s.empty() && is_key)) want = ScalarStyle::SingleQuoted;
  }
  if (want == ScalarStyle::SingleQuoted && !a.single_ok) want = ScalarStyle::DoubleQuoted;
  if (want == ScalarStyle::Literal && (!a.block_ok || is_key)) want = ScalarStyle::DoubleQuoted;
  return want;
}

namespace {

// The short escape go-yaml writes for `c` in a double-quoted string, or nullptr.
const char* short_escape(uint32_t c) {
  switch (c) {
    case 0:
      return "\\0";
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 9:
      return "\\t";
    case 0xA:
      return "\\n";
    case 0xB:
      return "\\v";
    case 0xC:
      return "\\f";
    case 0xD:
      return "\\r";
    case 0x1B:
      return "\\e";
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case 0x85:
      return "\\N";
    case 0xA0:
      return "\\_";
    case 0x2028:
      return "\\L";
    case 0x2029:
      return "\\P";
  }
  return nullptr;
}

}  // namespace

std::string yaml_double_quote(const std::string& s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t byte = 0; byte < s.size();) {
    size_t len;
    uint32_t c = decode_at(s, byte, &len);
    if (!is_printable(c) || c == 0xFEFF || c >= 0x10000 || is_break(c) || c == '"' || c == '\\') {
      char buf[16];
      if (const char* e = short_escape(c))
        out += e;
      else if (c <= 0xFF)
        std::snprintf(buf, sizeof buf, "\\x%02X", c), out += buf;
      else if (c <= 0xFFFF)
        std::snprintf(buf, sizeof buf, "\\u%04X", c), out += buf;
      else
        std::snprintf(buf, sizeof buf, "\\U%08X", c), out += buf;
    } else {
      out.append(s, byte, len);
    }
    byte += len;
  }
  return out + "\"";
}

}  // namespace slipway::compose
