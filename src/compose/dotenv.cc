// The dotenv dialect of Docker Compose v2 (compose-go's dotenv package), rule for rule:
//   - blank lines and lines starting with `#` are skipped; `export ` before a key is ignored;
//   - a key is letters, digits and `_ . - [ ]`, ended by `=` or `:` (YAML style); a key alone on
//     its line inherits the lookup environment's value (and is dropped when it has none);
//   - unquoted values run to the end of the line, lose a ` #` comment and trailing space, and
//     are interpolated; 'single' quotes are literal; "double" quotes interpret \n \t \\ \" \$
//     \0ooo ... and are interpolated; both quotes may span lines, and `\<quote>` escapes the quote;
//   - interpolation sees the lookup environment first, then the file's earlier keys (so the
//     process environment wins, as in Compose).
#include "compose/dotenv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "compose/interpolate.h"
#include "util/read_input.h"
#include "util/error.h"

namespace slipway::compose {
namespace {

// Decodes one UTF-8 rune at text[i]; invalid bytes decode as U+FFFD of width 1 (as Go does).
char32_t decode(std::string_view t, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(t[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > t.size() || c > 0xF4) {
    *len = 1;
    return 0xFFFD;
  }
  char32_t r = c & (0x7F >> n);
  for (int k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(t[i + k]);
    if ((cc & 0xC0) != 0x80) {
      *len = 1;
      return 0xFFFD;
    }
    r = (r << 6) | (cc & 0x3F);
  }
  *len = n;
  return r;
}

// Go's unicode.IsSpace.
bool unicode_space(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
  }
  return r >= 0x2000 && r <= 0x200A;
}

// The dotenv parser's narrower "space": no line breaks.
bool inline_space(char32_t r) {
  return r == '\t' || r == '\v' || r == '\f' || r == '\r' || r == ' ' || r == 0x85 || r == 0xA0;
}

void append_utf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

std::string_view trim_right_unicode(std::string_view s) {
  // Walk forward remembering where the last non-space rune ended: UTF-8 cannot be walked back
  // safely without re-validating.
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    char32_t r = decode(s, i, &len);
    i += len;
    if (!unicode_space(r)) end = i;
  }
  return s.substr(0, end);
}

// Escape sequences of double-quoted values. Only \a \b \f \n \r \t \v \\ \" \$ and \0ooo are
// escapes; anything else (\x41, \u00e9, \q) stays as written. `\$` becomes `$$` so that the
// interpolation that follows leaves a literal `$`.
std::string expand_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[i + 1];
    const char* simple = nullptr;
    switch (c) {
      case 'a':
        simple = "\a";
        break;
      case 'b':
        simple = "\b";
        break;
      case 'f':
        simple = "\f";
        break;
      case 'n':
        simple = "\n";
        break;
      case 'r':
        simple = "\r";
        break;
      case 't':
        simple = "\t";
        break;
      case 'v':
        simple = "\v";
        break;
      case '\\':
        simple = "\\";
        break;
      case '"':
        simple = "\"";
        break;
      case '$':
        simple = "$$";
        break;
    }
    if (simple) {
      out += simple;
      ++i;
      continue;
    }
    if (c == '0') {
      size_t j = i + 2;
      while (j < s.size() && j < i + 5 && s[j] >= '0' && s[j] <= '9') ++j;
      std::string_view digits = s.substr(i + 2, j - (i + 2));
      bool octal = digits.size() == 3;
      int v = 0;
      for (char d : digits) {
        if (d > '7') octal = false;
        v = v * 8 + (d - '0');
      }
      if (octal && v <= 255) {
        append_utf8(out, static_cast<char32_t>(v));
      } else {
        // compose-go rewrites `\0` to `\` before trying Go's octal escape and keeps the
        // rewritten text when that fails: `\08` becomes `\8`.
        out += '\\';
        out.append(digits);
      }
      i = j - 1;
      continue;
    }
    out += '\\';
  }
  return out;
}

int line_of(std::string_view text, size_t pos) {
  int line = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

bool ascii_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, const std::string& file,
                                                              const Lookup& lookup) {
  return parse_dotenv(text, file, lookup, nullptr);
}

std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, const std::string& file,
                                                              const Lookup& lookup, const Warn& warn) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::pair<std::string, std::string>> out;
  std::unordered_map<std::string, size_t> index;
  auto set = [&](const std::string& key, std::string value) {
    auto it = index.find(key);
    if (it != index.end()) {
      out[it->second].second = std::move(value);
    } else {
      index.emplace(key, out.size());
      out.emplace_back(key, std::move(value));
    }
  };
  InterpolateOptions opts;
  opts.warn = warn;
  opts.growth_left = std::make_shared<size_t>(kMaxInterpolationGrowth);  // one budget for the whole file
  opts.lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (lookup) {
      if (auto v = lookup(name)) return v;
    }
    auto it = index.find(name);
    if (it != index.end()) return out[it->second].second;
    return std::nullopt;
  };
  auto where = [&](size_t pos) { return Location{file, line_of(text, pos), 0}; };
  auto skip = [&](size_t i, bool (*pred)(char32_t)) {
    while (i < text.size()) {
      size_t len;
      if (!pred(decode(text, i, &len))) break;
      i += len;
    }
    return i;
  };

  const size_t n = text.size();
  size_t i = 0;
  for (;;) {
    i = skip(i, unicode_space);
    if (i >= n) break;
    if (text[i] == '#') {
      size_t nl = text.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl;
      continue;
    }
    const size_t statement = i;
    if (text.substr(i, 6) == "export" && i + 6 < n && ascii_ws(text[i + 6])) i = skip(i + 6, inline_space);

    // The key: up to `=`, `:` or the end of the line.
    size_t k = i;
    char terminator = 0;
    while (k < n) {
      size_t len;
      char32_t r = decode(text, k, &len);
      if (r == '=' || r == ':' || r == '\n') {
        terminator = static_cast<char>(r);
        break;
      }
      bool ok = inline_space(r) || r == '_' || r == '.' || r == '-' || r == '[' || r == ']' || (r >= '0' && r <= '9') ||
                (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 0x80 && r != 0xFFFD && !unicode_space(r));
      if (!ok) {
        size_t eol = text.find('\n', i);
        std::string_view line = text.substr(i, eol == std::string_view::npos ? std::string_view::npos : eol - i);
        throw UserError(where(statement), "unexpected character \"" + std::string(text.substr(k, len)) +
                                              "\" in variable name \"" + std::string(line) +
                                              "\" (names may use letters, digits and _ . - [ ])");
      }
      k += len;
    }
    std::string key(trim_right_unicode(text.substr(i, k - i)));
    if (key.find(' ') != std::string::npos)
      throw UserError(where(statement), "key cannot contain a space (\"" + key + "\")");

    // A key alone on its line (compose-go also treats one at the very end of the file without
    // a newline oddly, as a value of the empty key; here it inherits like any other bare key).
    if (terminator == '\n' || terminator == 0) {
      if (lookup) {
        if (auto v = lookup(key)) set(key, *v);
      }
      i = terminator ? k + 1 : n;
      continue;
    }

    size_t v = skip(k + 1, inline_space);
    if (v < n && (text[v] == '"' || text[v] == '\'')) {
      const char quote = text[v];
      std::string chars;
      bool escape = false;
      size_t j = v + 1;
      bool closed = false;
      for (; j < n; ++j) {
        char c = text[j];
        if (c != quote) {
          if (!escape && c == '\\') {
            escape = true;
            continue;
          }
          if (escape) {
            escape = false;
            chars += '\\';
          }
          chars += c;
          continue;
        }
        if (escape) {  // \" or \' keeps the quote, drops the backslash
          escape = false;
          chars += c;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) {
        size_t eol = text.find('\n', v);
        throw UserError(where(v), "unterminated quoted value " +
                                      std::string(text.substr(
                                          v, eol == std::string_view::npos ? std::string_view::npos : eol - v)) +
                                      " (close the quote)");
      }
      std::string value = quote == '"' ? interpolate_string(expand_escapes(chars), opts, where(v)) : std::move(chars);
      set(key, std::move(value));
      i = j + 1;
      continue;
    }

    size_t eol = text.find('\n', v);
    std::string_view raw = text.substr(v, eol == std::string_view::npos ? std::string_view::npos : eol - v);
    size_t comment = raw.find(" #");
    if (comment != std::string_view::npos) raw = raw.substr(0, comment);
    raw = trim_right_unicode(raw);
    set(key, interpolate_string(raw, opts, where(v)));
    i = eol == std::string_view::npos ? n : eol + 1;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> read_dotenv(const std::string& path, const Lookup& lookup) {
  return read_dotenv(path, lookup, nullptr);
}

std::vector<std::pair<std::string, std::string>> read_dotenv(const std::string& path, const Lookup& lookup,
                                                             const Warn& warn) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw EnvError("couldn't find env file: " + path);
    throw EnvError("cannot read env file " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw EnvError(path + " is a directory (an env file must be a file)");
  return parse_dotenv(read_input_file(path, "env file"), path, lookup, warn);
}

}  // namespace slipway::compose
