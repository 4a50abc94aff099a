#include "yaml/node.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <set>

namespace slipway::yaml {

const std::string* intern_file(std::string_view name) {
  // A std::set never moves its elements, so the pointers stay valid for the process's life.
  static std::mutex mu;
  static std::set<std::string, std::less<>> names;
  std::lock_guard<std::mutex> lock(mu);
  auto it = names.find(name);
  if (it == names.end()) it = names.emplace(name).first;
  return &*it;
}

const std::string& Tag::str() const {
  static const std::string empty;
  return text_ ? *text_ : empty;
}

Node Node::null(Mark m) {
  Node n;
  n.kind_ = Kind::Null;
  n.mark_ = m;
  return n;
}

Node Node::scalar(std::string value, Mark m, Style style) {
  Node n;
  n.kind_ = Kind::Scalar;
  n.value_ = std::move(value);
  n.mark_ = m;
  n.style_ = style;
  return n;
}

Node Node::sequence(Mark m) {
  Node n;
  n.kind_ = Kind::Sequence;
  n.mark_ = m;
  return n;
}

Node Node::mapping(Mark m) {
  Node n;
  n.kind_ = Kind::Mapping;
  n.mark_ = m;
  return n;
}

const char* Node::kind_name() const {
  switch (kind_) {
    case Kind::Null:
      return "null";
    case Kind::Scalar:
      return "string";
    case Kind::Sequence:
      return "sequence";
    case Kind::Mapping:
      return "mapping";
  }
  return "unknown";
}

const Node* Node::find(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key.value_ == key) return &e.value;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (Entry& e : entries_)
    if (e.key.value_ == key) return &e.value;
  return nullptr;
}

Node& Node::set(std::string_view key, Node value, Mark key_mark) {
  if (Node* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  entries_.push_back(Entry{Node::scalar(std::string(key), key_mark, Style::Plain), std::move(value)});
  return entries_.back().value;
}

bool Node::erase(std::string_view key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key.value_ == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

size_t Node::size() const {
  switch (kind_) {
    case Kind::Sequence:
      return items_.size();
    case Kind::Mapping:
      return entries_.size();
    default:
      return 0;
  }
}

bool Node::same_value(const Node& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::Null:
      return true;
    case Kind::Scalar:
      return value_ == other.value_;
    case Kind::Sequence:
      if (items_.size() != other.items_.size()) return false;
      for (size_t i = 0; i < items_.size(); ++i)
        if (!items_[i].same_value(other.items_[i])) return false;
      return true;
    case Kind::Mapping:
      // Mapping order carries no meaning in Compose, so equal entries in another order are equal.
      if (entries_.size() != other.entries_.size()) return false;
      for (const Entry& e : entries_) {
        const Node* o = other.find(e.key.value_);
        if (!o || !e.value.same_value(*o)) return false;
      }
      return true;
  }
  return false;
}

// --- plain scalar resolution -------------------------------------------------------------
// These follow go-yaml v3's resolver, which is what Compose uses: YAML 1.2 core schema plus
// its extensions (0b binary, 0777 octal, underscores between digits); yes/no/on/off stay strings.

bool Node::plain_bool(bool* out) const {
  if (!is_plain()) return false;
  const std::string& v = value_;
  if (v == "true" || v == "True" || v == "TRUE") {
    *out = true;
    return true;
  }
  if (v == "false" || v == "False" || v == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

namespace {

// Digits in `s` (non-empty, no sign) of the given base into an unsigned magnitude.
bool parse_magnitude(std::string_view s, int base, unsigned long long* out) {
  if (s.empty()) return false;
  unsigned long long v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    if (d >= base) return false;
    if (v > (std::numeric_limits<unsigned long long>::max() - d) / base) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

bool parse_int(std::string_view text, long long* out) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '_') s += c;
  std::string_view v = s;
  bool neg = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  if (v.empty()) return false;
  int base = 10;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    base = 16;
    v.remove_prefix(2);
  } else if (v.size() > 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) {
    base = 8;
    v.remove_prefix(2);
  } else if (v.size() > 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B')) {
    base = 2;
    v.remove_prefix(2);
  } else if (v.size() > 1 && v[0] == '0') {
    base = 8;  // YAML 1.1 style 0777, still decoded by go-yaml v3
    v.remove_prefix(1);
  }
  unsigned long long mag;
  if (!parse_magnitude(v, base, &mag)) return false;
  const unsigned long long limit = neg ? static_cast<unsigned long long>(std::numeric_limits<long long>::max()) + 1
                                       : static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (mag > limit) return false;
  if (neg)
    *out = mag == limit ? std::numeric_limits<long long>::min() : -static_cast<long long>(mag);
  else
    *out = static_cast<long long>(mag);
  return true;
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

bool to_double(const std::string& s, double* out) {
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || s.empty()) return false;
  *out = d;
  return true;
}

}  // namespace

bool Node::plain_int(long long* out) const {
  if (!is_plain() || value_.empty()) return false;
  char c = value_[0];
  if (!(c == '+' || c == '-' || (c >= '0' && c <= '9'))) return false;
  return parse_int(value_, out);
}

bool Node::plain_float(double* out) const {
  if (!is_plain() || value_.empty()) return false;
  const std::string& v = value_;
  if (v == ".nan" || v == ".NaN" || v == ".NAN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf" || v == "+.Inf" || v == "+.INF") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (v == "-.inf" || v == "-.Inf" || v == "-.INF") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  long long i;
  if (plain_int(&i)) {
    *out = static_cast<double>(i);
    return true;
  }
  char c = v[0];
  if (c == '.') {
    // go-yaml hands these to strconv.ParseFloat, which wants digits after the dot.
    if (!yaml_style_float(v)) return false;
    return to_double(v, out);
  }
  if (!(c == '+' || c == '-' || (c >= '0' && c <= '9'))) return false;
  std::string s;
  for (char ch : v)
    if (ch != '_') s += ch;
  if (!yaml_style_float(s)) return false;
  return to_double(s, out);
}

}  // namespace slipway::yaml
