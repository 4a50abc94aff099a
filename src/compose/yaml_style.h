// How go-yaml (which `docker compose config` prints with) orders mapping keys and chooses the
// style of a string scalar; emit.cc uses these to print byte-identical YAML.
#pragma once

#include <string>

namespace slipway::compose {

// The key order go-yaml uses for map keys (numbers inside keys compare numerically).
bool yaml_key_less(const std::string& a, const std::string& b);

// Would go-yaml print this string unquoted, single-quoted, double-quoted or as a literal block?
enum class ScalarStyle { Plain, SingleQuoted, DoubleQuoted, Literal };
ScalarStyle yaml_string_style(const std::string& s, bool is_key);
// The YAML double-quoted form of s (with the quotes).
std::string yaml_double_quote(const std::string& s);

}  // namespace slipway::compose
