// Printing follows go-yaml v4's encoder (as compose-go configures it: 2-space indent, sequences
// indented under their key, no line folding) and Go's encoding/json (MarshalIndent, HTML-safe
// escapes), because users diff `slipway config` against `docker compose config`.
#include "compose/emit.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "compose/shapes.h"
#include "compose/yaml_style.h"
#include "util/go_float.h"

namespace slipway::compose {

namespace {

using json = nlohmann::ordered_json;

std::string escape_dollars(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

// Go's strconv.FormatFloat(f, 'g', -1, 32 or 64) as go-yaml prints floats.
std::string go_float_g(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  std::to_chars_result r;
  float f = static_cast<float>(v);
  if (static_cast<double>(f) == v)
    r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  else
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d.ddde±XX
  return go_g_from_scientific(sci);
}

// Go's encoding/json float format ('f' unless the exponent is < -6 or >= 21).
std::string go_float_json(double v) {
  char buf[64];
  std::to_chars_result r;
  float f = static_cast<float>(v);
  bool f32 = static_cast<double>(f) == v;
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    r = f32 ? std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific)
            : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, r.ptr);
    // Go writes e-07, not e-7: keep two exponent digits.
    auto e = s.find('e');
    std::string m = s.substr(0, e), ex = s.substr(e + 1);
    char sign = ex[0];
    std::string d = ex.substr(1);
    while (d.size() > 1 && d[0] == '0') d.erase(0, 1);
    if (d.size() < 2) d = "0" + d;
    return m + "e" + sign + d;
  }
  r = f32 ? std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed)
          : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string yaml_string_scalar(const std::string& text, bool escape, bool is_key) {
  std::string escaped;
  if (escape) escaped = escape_dollars(text);
  const std::string& s = escape ? escaped : text;
  switch (yaml_string_style(s, is_key)) {
    case ScalarStyle::Plain:
      return s;
    case ScalarStyle::SingleQuoted: {
      std::string o = "'";
      for (char c : s) {
        if (c == '\'')
          o += "''";
        else
          o += c;
      }
      return o + "'";
    }
    case ScalarStyle::DoubleQuoted:
    case ScalarStyle::Literal:
      return yaml_double_quote(s);
  }
  return s;
}

std::string yaml_scalar(const json& v, bool escape, bool is_key) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_float()) return go_float_g(v.get<double>());
  return yaml_string_scalar(v.get_ref<const std::string&>(), escape, is_key);
}

bool is_literal(const json& v, bool escape) {
  if (!v.is_string()) return false;
  // Only text with a line break can be a literal block (escape_dollars adds none).
  if (v.get_ref<const std::string&>().find('\n') == std::string::npos) return false;
  std::string s = v.get<std::string>();
  if (escape) s = escape_dollars(s);
  return yaml_string_style(s, false) == ScalarStyle::Literal;
}

// Block scalar "|", "|-" or "|+" with an indentation indicator when the text starts with a
// space, followed by the lines indented to `indent`.
void emit_literal(std::string& out, const json& v, int indent, bool escape) {
  std::string s = v.get<std::string>();
  if (escape) s = escape_dollars(s);
  out += "|";
  if (!s.empty() && (s[0] == ' ' || s[0] == '\n')) out += "2";
  if (s.empty() || s.back() != '\n')
    out += "-";
  else if (s.size() >= 2 && s[s.size() - 2] == '\n')
    out += "+";
  out += "\n";
  size_t start = 0;
  std::string body = s;
  if (!body.empty() && body.back() == '\n') body.pop_back();
  while (true) {
    size_t nl = body.find('\n', start);
    std::string line = body.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out += std::string(indent, ' ') + line;
    out += "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

void emit_mapping(std::string& out, const json& obj, int indent, bool prefixed, bool escape);
void emit_sequence(std::string& out, const json& arr, int indent, bool prefixed, bool escape);

// Writes what follows "key:" or "-" (the caller wrote that): a scalar on the same line, or a
// collection on the following lines at `child_indent`.
void emit_after(std::string& out, const json& v, int child_indent, bool in_sequence, bool escape) {
  if (v.is_object() && !v.empty()) {
    if (in_sequence) {
      out += " ";
      emit_mapping(out, v, child_indent, true, escape);
    } else {
      out += "\n";
      emit_mapping(out, v, child_indent, false, escape);
    }
  } else if (v.is_array() && !v.empty()) {
    if (in_sequence) {
      out += " ";
      emit_sequence(out, v, child_indent, true, escape);
    } else {
      out += "\n";
      emit_sequence(out, v, child_indent, false, escape);
    }
  } else if (v.is_object()) {
    out += " {}\n";
  } else if (v.is_array()) {
    out += " []\n";
  } else if (is_literal(v, escape)) {
    out += " ";
    emit_literal(out, v, child_indent, escape);
  } else {
    out += ' ';
    out += yaml_scalar(v, escape, false);
    out += '\n';
  }
}

void emit_mapping(std::string& out, const json& obj, int indent, bool prefixed, bool escape) {
  bool first = true;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!(first && prefixed)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += yaml_string_scalar(it.key(), escape, true);
    out += ':';
    // go-yaml indents a sequence under a key by the indent width; mappings likewise.
    emit_after(out, it.value(), indent + 2, false, escape);
  }
}

void emit_sequence(std::string& out, const json& arr, int indent, bool prefixed, bool escape) {
  bool first = true;
  for (const json& item : arr) {
    if (!(first && prefixed)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += '-';
    emit_after(out, item, indent + 2, true, escape);
  }
}

void json_string(std::string& out, const std::string& s, bool escape) {
  out += '"';
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
      case '>':
      case '&':
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
        break;
      case '$':
        out += escape ? "$$" : "$";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void json_value(std::string& out, const json& v, int indent, bool escape) {
  if (v.is_null())
    out += "null";
  else if (v.is_boolean())
    out += v.get<bool>() ? "true" : "false";
  else if (v.is_number_integer())
    out += std::to_string(v.get<long long>());
  else if (v.is_number_unsigned())
    out += std::to_string(v.get<unsigned long long>());
  else if (v.is_number_float())
    out += go_float_json(v.get<double>());
  else if (v.is_string())
    json_string(out, v.get<std::string>(), escape);
  else if (v.is_array()) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const json& i : v) {
      if (!first) out += ",\n";
      first = false;
      out += std::string(indent + 2, ' ');
      json_value(out, i, indent + 2, escape);
    }
    out += "\n" + std::string(indent, ' ') + "]";
  } else {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      out += std::string(indent + 2, ' ');
      json_string(out, it.key(), escape);
      out += ": ";
      json_value(out, it.value(), indent + 2, escape);
    }
    out += "\n" + std::string(indent, ' ') + "}";
  }
}

bool is_ext(const std::string& k) { return k.rfind("x-", 0) == 0; }

// Inserts `key: value` into `obj` at its struct position (before the first later field).
void insert_at_rank(json& obj, const std::vector<std::string>& order, const std::string& key, json value) {
  if (obj.contains(key)) return;
  auto rank = [&](const std::string& k) {
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i] == k) return static_cast<int>(i);
    return static_cast<int>(order.size());
  };
  int r = rank(key);
  json out = json::object();
  bool placed = false;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!placed && rank(it.key()) > r) {
      out[key] = value;
      placed = true;
    }
    out[it.key()] = it.value();
  }
  if (!placed) out[key] = value;
  obj = std::move(out);
}

// Extension keys are not part of compose-go's JSON encoding below the top level; user maps
// (labels, environment, options) keep theirs.
void drop_extensions(json& v) {
  static const char* const user_maps[] = {"labels",      "environment",         "annotations",  "sysctls",
                                          "args",        "driver_opts",         "options",      "log_opt",
                                          "storage_opt", "additional_contexts", "aux_addresses"};
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (is_ext(it.key())) continue;
      json child = it.value();
      bool user = false;
      for (const char* u : user_maps)
        if (it.key() == u) user = true;
      if (!user) drop_extensions(child);
      out[it.key()] = std::move(child);
    }
    v = std::move(out);
  } else if (v.is_array()) {
    for (json& i : v) drop_extensions(i);
  }
}

// encoding/json orders map keys bytewise where go-yaml orders them naturally ("a2" < "a10");
// these keys hold maps (user keys), everything else is a struct in field order.
void sort_json_maps(json& v, bool is_map) {
  static const char* const map_keys[] = {
      "services",    "networks",    "volumes",       "secrets", "configs",
      "annotations", "environment", "labels",        "log_opt", "storage_opt",
      "sysctls",     "ulimits",     "depends_on",    "args",    "additional_contexts",
      "driver_opts", "options",     "aux_addresses", "models"};
  if (v.is_object()) {
    if (is_map) {
      std::vector<std::string> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
      std::sort(keys.begin(), keys.end());
      json out = json::object();
      for (const auto& k : keys) out[k] = std::move(v[k]);
      v = std::move(out);
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool child_map = false;
      if (!is_map)
        for (const char* k : map_keys) child_map = child_map || it.key() == k;
      sort_json_maps(it.value(), child_map);
    }
  } else if (v.is_array()) {
    for (json& i : v) sort_json_maps(i, false);
  }
}

// The model in the shape compose-go's Project.MarshalJSON gives it.
json compose_json_view(const json& model) {
  json top = json::object();
  std::vector<std::string> keys;
  for (auto it = model.begin(); it != model.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  auto service_order = struct_keys("service");
  auto network_order = struct_keys("network");
  auto deploy_order = struct_keys("deploy");
  for (const std::string& k : keys) {
    json v = model[k];
    if (k == "services" && v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        json& s = it.value();
        if (!s.is_object()) continue;
        drop_extensions(s);
        // blkio devices have no JSON tags in compose-go: Go field names.
        if (s.contains("blkio_config") && s["blkio_config"].is_object()) {
          for (auto bit = s["blkio_config"].begin(); bit != s["blkio_config"].end(); ++bit) {
            if (!bit.value().is_array()) continue;
            for (json& d : bit.value()) {
              if (!d.is_object()) continue;
              json renamed = json::object();
              for (auto dit = d.begin(); dit != d.end(); ++dit) {
                std::string k = dit.key();
                if (k == "path" || k == "weight" || k == "rate") k[0] = static_cast<char>(k[0] - 'a' + 'A');
                renamed[k] = dit.value();
              }
              d = std::move(renamed);
            }
          }
        }
        // develop.watch[].exec is a struct (not a pointer) in compose-go: always in its JSON.
        if (s.contains("develop") && s["develop"].is_object() && s["develop"].contains("watch") &&
            s["develop"]["watch"].is_array()) {
          static const std::vector<std::string> trigger_order = {"path",    "action", "target",      "exec",
                                                                 "include", "ignore", "initial_sync"};
          for (json& t : s["develop"]["watch"])
            if (t.is_object()) insert_at_rank(t, trigger_order, "exec", json{{"command", nullptr}});
        }
        insert_at_rank(s, service_order, "command", nullptr);
        insert_at_rank(s, service_order, "entrypoint", nullptr);
        if (s.contains("deploy") && s["deploy"].is_object()) {
          insert_at_rank(s["deploy"], deploy_order, "resources", json::object());
          insert_at_rank(s["deploy"], deploy_order, "placement", json::object());
        }
      }
    } else if (k == "networks" && v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        drop_extensions(it.value());
        if (it.value().is_object()) insert_at_rank(it.value(), network_order, "ipam", json::object());
      }
    } else if ((k == "volumes" || k == "secrets" || k == "configs") && v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) drop_extensions(it.value());
    }
    top[k] = std::move(v);
  }
  for (auto it = top.begin(); it != top.end(); ++it)
    if (!is_ext(it.key())) sort_json_maps(it.value(), it.value().is_object() && it.key() != "name");
  return top;
}

}  // namespace

std::string emit_yaml(const nlohmann::ordered_json& model, const EmitOptions& options) {
  std::string out;
  if (model.is_object() && !model.empty())
    emit_mapping(out, model, 0, false, options.escape_dollars);
  else
    out = model.is_object() ? "{}\n" : yaml_scalar(model, options.escape_dollars, false) + "\n";
  return out;
}

std::string emit_json(const nlohmann::ordered_json& model, const EmitOptions& options) {
  std::string out;
  json_value(out, options.compose_json ? compose_json_view(model) : model, 0, options.escape_dollars);
  return out + "\n";
}

std::string emit_yaml(const nlohmann::ordered_json& model) { return emit_yaml(model, EmitOptions{}); }
std::string emit_json(const nlohmann::ordered_json& model) { return emit_json(model, EmitOptions{}); }

}  // namespace slipway::compose
