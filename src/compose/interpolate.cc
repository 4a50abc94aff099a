// Compose's interpolation is defined by compose-go's template package, a regular expression plus
// some string surgery. The scanner below reproduces its observable behaviour, including the odd
// corners users rely on:
//   - `$` not followed by `$`, a name or `{` is literal; `$$` is a literal `$`.
//   - `${NAME}` needs the `}` right after the name; `${NAME<op>...}` (op one of :- - :? ? :+ +)
//     extends to the LAST `}` on the same line, then is cut at the first balanced `}`, and
//     whatever follows the cut is interpolated on its own (so `${A:-x} ${B}` works).
//   - defaults and error messages are themselves interpolated (`${A:-${B:-c}}`).
//   - any other `${` is an invalid template.
//   - an unset variable becomes "" with a warning, except where a default or `+` form decides.
#include "compose/interpolate.h"

namespace slipway::compose {
namespace {

bool name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

struct InvalidTemplate {
  std::string text;
};
struct MissingRequired {
  std::string variable, reason;
};
struct TooLarge {};

class Substituter {
 public:
  // `cap`: the most the result of the outermost run() may hold.
  Substituter(const InterpolateOptions& o, size_t cap) : options_(o), cap_(cap) {}

  std::string run(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
      if (out.size() > cap_) throw TooLarge{};
      size_t dollar = text.find('$', i);
      if (dollar == std::string_view::npos) {
        out.append(text.substr(i));
        break;
      }
      out.append(text.substr(i, dollar - i));
      size_t p = dollar + 1;
      if (p >= text.size()) {
        out += '$';
        break;
      }
      char c = text[p];
      if (c == '$') {
        out += '$';
        i = p + 1;
      } else if (name_start(c)) {
        size_t e = p;
        while (e < text.size() && name_char(text[e])) ++e;
        out += lookup_or_warn(std::string(text.substr(p, e - p)));
        i = e;
      } else if (c == '{') {
        i = braced(text, dollar, &out);
      } else {
        out += '$';
        i = p;
      }
    }
    return out;
  }

 private:
  std::string lookup_or_warn(const std::string& name) {
    std::optional<std::string> v = options_.lookup ? options_.lookup(name) : std::nullopt;
    if (v) return *v;
    if (options_.warn) options_.warn("The \"" + name + "\" variable is not set. Defaulting to a blank string.");
    return {};
  }

  std::optional<std::string> lookup(const std::string& name) {
    return options_.lookup ? options_.lookup(name) : std::nullopt;
  }

  // `text[dollar]` is `$` followed by `{`. Appends the replacement, returns where scanning resumes.
  size_t braced(std::string_view text, size_t dollar, std::string* out) {
    size_t p = dollar + 2;
    if (p >= text.size() || !name_start(text[p])) throw InvalidTemplate{std::string(text)};
    size_t q = p;
    while (q < text.size() && name_char(text[q])) ++q;
    std::string name(text.substr(p, q - p));
    if (q < text.size() && text[q] == '}') {
      *out += lookup_or_warn(name);
      return q + 1;
    }
    bool colon = q < text.size() && text[q] == ':';
    if (colon) ++q;
    if (q >= text.size() || (text[q] != '-' && text[q] != '+' && text[q] != '?'))
      throw InvalidTemplate{std::string(text)};
    char op = text[q];
    size_t arg_start = q + 1;
    // The expression runs to the last `}` before the end of the line.
    size_t line_end = text.find('\n', arg_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    size_t last = std::string_view::npos;
    for (size_t k = arg_start; k < line_end; ++k)
      if (text[k] == '}') last = k;
    if (last == std::string_view::npos) throw InvalidTemplate{std::string(text)};
    std::string_view whole = text.substr(dollar, last + 1 - dollar);
    // Cut at the first balanced `}`: compose-go counts braces, skipping the character after each `{`.
    size_t cut = std::string_view::npos;
    int open = 0;
    for (size_t k = 0; k < whole.size(); ++k) {
      if (whole[k] == '}') {
        --open;
        if (open == 0) {
          cut = k;
          break;
        }
      }
      if (whole[k] == '{') {
        ++open;
        ++k;
      }
    }
    std::string_view expr = whole, rest;
    if (cut != std::string_view::npos) {
      expr = whole.substr(0, cut + 1);
      rest = whole.substr(cut + 1);
    }
    // The argument is what lies between the operator and the expression's final `}`.
    size_t arg_offset = arg_start - dollar;
    std::string_view arg =
        expr.size() >= arg_offset + 1 ? expr.substr(arg_offset, expr.size() - 1 - arg_offset) : std::string_view();

    std::optional<std::string> value = lookup(name);
    std::string result;
    switch (op) {
      case '-':
        if (!value || (colon && value->empty()))
          result = run(arg);
        else
          result = *value;
        break;
      case '+':
        if (value && (!colon || !value->empty()))
          result = run(arg);
        else
          result = value.value_or("");
        break;
      case '?':
        if (!value || (colon && value->empty())) throw MissingRequired{name, run(arg)};
        result = *value;
        break;
    }
    *out += result;
    *out += run(rest);
    return last + 1;
  }

  const InterpolateOptions& options_;
  size_t cap_;
};

std::string interpolate_at(std::string_view text, const InterpolateOptions& options, const Location& where,
                           const std::string& path) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  size_t left = options.growth_left ? *options.growth_left : kMaxInterpolationGrowth;
  try {
    std::string out = Substituter(options, text.size() + left).run(text);
    if (out.size() > text.size() + left) throw TooLarge{};
    if (options.growth_left && out.size() > text.size()) *options.growth_left -= out.size() - text.size();
    return out;
  } catch (const TooLarge&) {
    throw UserError(where, "variable substitution makes the values grow by more than " +
                               std::to_string(kMaxInterpolationGrowth >> 20) +
                               " MiB, slipway's limit (a long variable used many times?)");
  } catch (const InvalidTemplate& e) {
    throw UserError(where, "invalid interpolation format" + (path.empty() ? std::string() : " for " + path) + ": \"" +
                               e.text + "\" (write $$ for a literal $)");
  } catch (const MissingRequired& e) {
    std::string msg = "required variable " + e.variable + " is missing a value";
    if (!e.reason.empty()) msg += ": " + e.reason;
    throw UserError(where, msg);
  }
}

void interpolate_node(yaml::Node& node, const InterpolateOptions& options, std::string& path) {
  switch (node.kind()) {
    case yaml::Kind::Scalar:
      if (node.value().find('$') != std::string::npos) {
        node.set_value(interpolate_at(node.value(), options, node.location(), path));
        node.set_interpolated(true);
      }
      break;
    case yaml::Kind::Sequence: {
      size_t len = path.size();
      for (size_t i = 0; i < node.items().size(); ++i) {
        path += "[" + std::to_string(i) + "]";
        interpolate_node(node.items()[i], options, path);
        path.resize(len);
      }
      break;
    }
    case yaml::Kind::Mapping: {
      size_t len = path.size();
      for (auto& e : node.entries()) {
        if (!path.empty()) path += '.';
        path += e.key.value();
        interpolate_node(e.value, options, path);
        path.resize(len);
      }
      break;
    }
    case yaml::Kind::Null:
      break;
  }
}

}  // namespace

std::string interpolate_string(std::string_view text, const InterpolateOptions& options, const Location& where) {
  return interpolate_at(text, options, where, "");
}

void interpolate_tree(yaml::Node& root, const InterpolateOptions& options) {
  std::string path;
  interpolate_node(root, options, path);
}

}  // namespace slipway::compose
