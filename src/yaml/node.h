// A YAML document as a tree of values that remember where they came from.
//
// slipway reads YAML itself (on libyaml's event API, see reader.h) instead of using a
// DOM library so that it controls what a DOM library hides: merge keys, duplicate keys,
// alias expansion budgets (billion laughs), nesting depth, custom tags such as !reset and
// !override, and exact source positions for every value. Aliases are expanded into copies
// while reading, so a Node tree never shares children and can be edited freely.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace slipway::yaml {

enum class Kind { Null, Scalar, Sequence, Mapping };

// How a scalar was written. Plain scalars are resolved by the consumer (a plain `80` may be
// an int, a plain `yes` a string in Compose); quoted and block scalars are always strings.
enum class Style { Plain, Quoted, Block };

// Source position. `file` points into an interned, never-freed table of file names
// (intern_file), so copying a Mark is cheap.
struct Mark {
  const std::string* file = nullptr;
  int line = 0;    // 1-based, 0 = unknown
  int column = 0;  // 1-based, 0 = unknown

  Location location() const { return Location{file ? *file : std::string(), line, column}; }
};

// Returns a stable pointer for a file name; the same name always gives the same pointer.
const std::string* intern_file(std::string_view name);

// A tag, held only by the few nodes that have one: a pointer in every node instead of a
// std::string (nodes are the bulk of a loaded project's memory). Copies deeply.
class Tag {
 public:
  Tag() = default;
  Tag(const Tag& o) : text_(o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr) {}
  Tag(Tag&&) noexcept = default;
  Tag& operator=(const Tag& o) {
    if (this != &o) text_ = o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr;
    return *this;
  }
  Tag& operator=(Tag&&) noexcept = default;

  const std::string& str() const;  // "" when untagged
  void set(std::string t) { text_ = t.empty() ? nullptr : std::make_unique<std::string>(std::move(t)); }

 private:
  std::unique_ptr<std::string> text_;
};

class Node {
 public:
  struct Entry;  // a mapping entry: key (always a scalar Node) and value

  Node() = default;
  static Node null(Mark m = {});
  static Node scalar(std::string value, Mark m = {}, Style style = Style::Quoted);
  static Node sequence(Mark m = {});
  static Node mapping(Mark m = {});

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  bool is_sequence() const { return kind_ == Kind::Sequence; }
  bool is_mapping() const { return kind_ == Kind::Mapping; }
  // "null", "string", "sequence" or "mapping": for error messages.
  const char* kind_name() const;

  const Mark& mark() const { return mark_; }
  void set_mark(const Mark& m) { mark_ = m; }
  Location location() const { return mark_.location(); }

  // Explicit local tag such as "!reset" or "!override"; empty when untagged.
  const std::string& tag() const { return tag_.str(); }
  void set_tag(std::string t) { tag_.set(std::move(t)); }

  // Scalars. A Null node's text is what was written ("", "~", "null").
  const std::string& value() const { return value_; }
  void set_value(std::string v) { value_ = std::move(v); }
  Style style() const { return style_; }
  void set_style(Style s) { style_ = s; }
  // True for a scalar whose text came from variable interpolation. Compose reads such a value as
  // a string, and casts it to a number or boolean only where the schema wants one.
  bool interpolated() const { return interpolated_; }
  void set_interpolated(bool b) { interpolated_ = b; }

  // Plain-scalar resolution (YAML 1.2 core schema, as Compose's go-yaml v3 does).
  bool is_plain() const { return kind_ == Kind::Scalar && style_ == Style::Plain; }
  bool plain_bool(bool* out) const;      // true/false (any case: True, FALSE)
  bool plain_int(long long* out) const;  // decimal, 0x.., 0o..
  bool plain_float(double* out) const;   // 1.5, 1e3, .inf, .nan

  // Sequences.
  const std::vector<Node>& items() const { return items_; }
  std::vector<Node>& items() { return items_; }
  void push_back(Node n);  // defined below Entry: clang needs Entry complete here

  // Mappings keep document order. Keys are unique (the reader rejects duplicates).
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Replaces the value of `key` (keeping its position) or appends a new entry.
  Node& set(std::string_view key, Node value, Mark key_mark = {});
  bool erase(std::string_view key);
  size_t size() const;  // entries or items; 0 for scalars and null

  // Deep structural equality of values (ignores marks, tags and styles).
  bool same_value(const Node& other) const;

 private:
  Kind kind_ = Kind::Null;
  Style style_ = Style::Plain;
  bool interpolated_ = false;
  std::string value_;
  Tag tag_;
  Mark mark_;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
};

struct Node::Entry {
  Node key;
  Node value;
};

inline void Node::push_back(Node n) { items_.push_back(std::move(n)); }

}  // namespace slipway::yaml
