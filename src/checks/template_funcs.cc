// The template functions: goss's own (mkSlice, getEnv, readFile, regexMatch, toLower,
// toUpper), Go's builtins (and, or, not, len, index, print, printf, eq...) and the sprig
// ones gossfiles use (upper, lower, repeat, toJson, default, trim, replace, split, join, quote).
#include "checks/template_funcs.h"

#include <cstdlib>
#include <map>
#include <regex>

#include "checks/go_value.h"
#include "checks/template_ast.h"
#include "util/error.h"
#include "util/read_input.h"
#include "util/text.h"

namespace slipway::checks::tmpl {
namespace {

// One call: its name, arguments and where it is, for messages.
struct Call {
  const std::string& name;
  const std::vector<json>& a;
  const std::string& file;
  int line;

  [[noreturn]] void fail(const std::string& message) const { tmpl::fail(file, line, message); }
  void need(size_t n) const {
    if (a.size() < n) fail("wrong number of args for " + name);
  }
};

using Function = json (*)(const Call&);

std::string str(const json& v) { return v.is_string() ? v.get<std::string>() : print(v); }

json to_lower(const Call& c) {
  c.need(1);
  std::string s = str(c.a.back());
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

json to_upper(const Call& c) {
  c.need(1);
  std::string s = str(c.a.back());
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

json repeat(const Call& c) {
  c.need(2);
  long long n = c.a[0].is_number() ? c.a[0].get<long long>() : 0;
  std::string s = str(c.a[1]), out;
  for (long long i = 0; i < n && out.size() < (1u << 20); ++i) out += s;
  return out;
}

json to_json(const Call& c) {
  c.need(1);
  return json_text(c.a.back());
}

json trim_value(const Call& c) {
  c.need(1);
  return trim(str(c.a.back()));
}

json length(const Call& c) {
  c.need(1);
  return c.a[0].is_string() ? c.a[0].get_ref<const std::string&>().size() : c.a[0].size();
}

json not_value(const Call& c) {
  c.need(1);
  return !truthy(c.a[0]);
}

json index(const Call& c) {
  c.need(1);
  json cur = c.a[0];
  for (size_t i = 1; i < c.a.size(); ++i) {
    const json& k = c.a[i];
    if (cur.is_object() && k.is_string() && cur.contains(k.get<std::string>())) {
      cur = cur[k.get<std::string>()];
    } else if (cur.is_array() && k.is_number_integer() && k.get<long long>() >= 0 && k.get<size_t>() < cur.size()) {
      cur = cur[k.get<size_t>()];
    } else {
      cur = nullptr;
    }
  }
  return cur;
}

json get_env(const Call& c) {
  c.need(1);
  const char* v = std::getenv(str(c.a[0]).c_str());
  if (v && *v) return std::string(v);
  return c.a.size() > 1 ? c.a[1] : json("");
}

// The file's text, trimmed; bounded like every input file (util/read_input.h).
json read_file(const Call& c) {
  c.need(1);
  try {
    return trim(read_input_file(str(c.a[0]), "file"));
  } catch (const Error& e) {
    c.fail(std::string("readFile: ") + e.what());  // where in the gossfile, and exit 2
  }
}

json regex_match(const Call& c) {
  c.need(2);
  try {
    return std::regex_search(str(c.a[1]), std::regex(str(c.a[0])));
  } catch (const std::regex_error&) {
    c.fail("regexMatch: bad pattern " + str(c.a[0]));
  }
}

json default_value(const Call& c) {
  c.need(1);
  if (c.a.size() >= 2 && truthy(c.a[1])) return c.a[1];
  return c.a[0];
}

json replace(const Call& c) {
  c.need(3);
  std::string from = str(c.a[0]), to = str(c.a[1]), s = str(c.a[2]), out;
  if (from.empty()) return s;
  size_t p = 0;
  for (size_t q; (q = s.find(from, p)) != std::string::npos; p = q + from.size()) out += s.substr(p, q - p) + to;
  return out + s.substr(p);
}

json split_list(const Call& c) {
  c.need(2);
  std::string sep = str(c.a[0]), s = str(c.a[1]);
  if (sep.empty()) return json::array({s});
  json out = json::array();
  size_t p = 0;
  for (size_t q; (q = s.find(sep, p)) != std::string::npos; p = q + sep.size()) out.push_back(s.substr(p, q - p));
  out.push_back(s.substr(p));
  return out;
}

json join(const Call& c) {
  c.need(2);
  std::string out;
  if (c.a[1].is_array())
    for (size_t i = 0; i < c.a[1].size(); ++i) out += (i ? str(c.a[0]) : "") + str(c.a[1][i]);
  return out;
}

json quote(const Call& c) {
  std::string out;
  for (size_t i = 0; i < c.a.size(); ++i) out += (i ? " " : "") + json_text(str(c.a[i]));
  return out;
}

json and_values(const Call& c) {
  c.need(1);
  for (const auto& v : c.a)
    if (!truthy(v)) return v;
  return c.a.back();
}

json or_values(const Call& c) {
  c.need(1);
  for (const auto& v : c.a)
    if (truthy(v)) return v;
  return c.a.back();
}

json equal(const Call& c) {
  c.need(2);
  bool eq = false;
  for (size_t i = 1; i < c.a.size(); ++i) eq = eq || c.a[0] == c.a[i];
  return c.name == "eq" ? eq : !eq;
}

// lt, le, gt, ge: numbers numerically, anything else as text.
json compare(const Call& c) {
  c.need(2);
  auto result = [&](const auto& x, const auto& y) {
    return c.name == "lt" ? x < y : c.name == "le" ? x <= y : c.name == "gt" ? x > y : x >= y;
  };
  if (c.a[0].is_number() && c.a[1].is_number()) return result(c.a[0].get<double>(), c.a[1].get<double>());
  return result(str(c.a[0]), str(c.a[1]));
}

json print_values(const Call& c) {
  std::string out;
  for (size_t i = 0; i < c.a.size(); ++i)
    out += (i && !c.a[i].is_string() && !c.a[i - 1].is_string() ? " " : "") + str(c.a[i]);
  return c.name == "println" ? out + "\n" : out;
}

// %v-style formatting of every verb (%q quotes); "%!v(MISSING)" for a missing argument.
json printf_values(const Call& c) {
  c.need(1);
  std::string f = str(c.a[0]), out;
  size_t k = 1;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%' || i + 1 >= f.size()) {
      out += f[i];
      continue;
    }
    char verb = f[++i];
    if (verb == '%') {
      out += '%';
    } else if (k < c.a.size()) {
      out += verb == 'q' ? json_text(str(c.a[k])) : str(c.a[k]);
      ++k;
    } else {
      out += "%!" + std::string(1, verb) + "(MISSING)";
    }
  }
  return out;
}

const std::map<std::string, Function>& functions() {
  static const std::map<std::string, Function> table = {
      {"mkSlice", [](const Call& c) { return json(c.a); }},
      {"toLower", to_lower},
      {"lower", to_lower},
      {"toUpper", to_upper},
      {"upper", to_upper},
      {"repeat", repeat},
      {"toJson", to_json},
      {"toJSON", to_json},
      {"index", index},
      {"getEnv", get_env},
      {"readFile", read_file},
      {"regexMatch", regex_match},
      {"default", default_value},
      {"trim", trim_value},
      {"replace", replace},
      {"split", split_list},
      {"splitList", split_list},
      {"join", join},
      {"quote", quote},
      {"len", length},
      {"not", not_value},
      {"and", and_values},
      {"or", or_values},
      {"eq", equal},
      {"ne", equal},
      {"lt", compare},
      {"le", compare},
      {"gt", compare},
      {"ge", compare},
      {"print", print_values},
      {"println", print_values},
      {"printf", printf_values},
  };
  return table;
}

}  // namespace

bool truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  // json::empty() is false for every string: ask the string itself.
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  if (v.is_array() || v.is_object()) return !v.empty();
  return true;
}

std::string print(const json& v) {
  if (v.is_null()) return "<no value>";
  return go_format(v);
}

json call_function(const std::string& name, const std::vector<json>& args, const std::string& file, int line) {
  const auto& table = functions();
  auto it = table.find(name);
  if (it == table.end()) fail(file, line, "function \"" + name + "\" not defined");
  return it->second(Call{name, args, file, line});
}

}  // namespace slipway::checks::tmpl
