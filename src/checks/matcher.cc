#include "checks/matcher.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <pthread.h>
#include <regex>
#include <sstream>

#include "checks/gjson.h"
#include "checks/semver.h"
#include "util/go_float.h"

namespace slipway::checks {

// ---------------------------------------------------------------------------------------
// Go value semantics

namespace {

// strconv.FormatFloat(f, 'g', -1, 64), which is what %v prints for a float64.
std::string go_float(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d.ddde[+-]XX, shortest round-trip digits
  return go_g_from_scientific(sci);
}

// reflect.DeepEqual over YAML-typed values: an int never equals a float, a []string never
// equals a []interface{}.
bool deep_equal(const json& a, const json& b) {
  if (a.is_number_float() != b.is_number_float()) return false;
  if (a.is_number_integer() || a.is_number_unsigned()) {
    if (!(b.is_number_integer() || b.is_number_unsigned())) return false;
    return a == b;
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!deep_equal(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto f = b.find(it.key());
      if (f == b.end() || !deep_equal(it.value(), *f)) return false;
    }
    return true;
  }
  return a == b;
}

std::string type_name(const Value& v) {
  const json& j = v.v;
  if (j.is_string()) return "string";
  if (j.is_number_float()) return "float64";
  if (j.is_number()) return "int";
  if (j.is_boolean()) return "bool";
  if (j.is_null()) return "nil";
  if (j.is_array()) return v.strings ? "[]string" : "[]interface {}";
  return "map[string]interface {}";
}

// gomega's format.Object, simplified: "<type>: value".
std::string describe(const Value& v) { return "<" + type_name(v) + ">: " + v.v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::optional<double> number_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  return std::nullopt;
}

// Go's strconv.ParseFloat on trimmed text.
std::optional<double> parse_go_float(const std::string& text) {
  std::string s = text;
  auto b = s.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, s.find_last_not_of(" \t\r\n\v\f") - b + 1);
  std::string t = s;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) t = t.substr(1);
  std::string lower;
  for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "infinity") return s[0] == '-' ? -INFINITY : INFINITY;
  if (lower == "nan") return NAN;
  // Go accepts underscores only with a base prefix; plain decimal and hex floats otherwise.
  if (t.empty() || t.find_first_not_of("0123456789.eE+-xXabcdefABCDEFpP") != std::string::npos)
    return std::nullopt;
  const char* begin = s.c_str();
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(begin, &end);
  if (end != begin + s.size()) return std::nullopt;
  return d;
}

// Go's regexp (RE2) syntax mapped onto ECMAScript where they differ in ways people use.
std::regex go_regex(const std::string& pattern) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  while (p.size() >= 4 && p[0] == '(' && p[1] == '?' && p.find(')') != std::string::npos) {
    auto close = p.find(')');
    std::string f = p.substr(2, close - 2);
    if (f.empty() || f.find_first_not_of("imsU") != std::string::npos) break;
    if (f.find('i') != std::string::npos) flags |= std::regex::icase;
    if (f.find('m') != std::string::npos) flags |= std::regex::multiline;
    p = p.substr(close + 1);
  }
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if (n == 'A') out += "^";
      else if (n == 'z') out += "$";
      else out += p.substr(i, 2);
      ++i;
    } else if (p.compare(i, 4, "(?P<") == 0) {
      auto close = p.find('>', i);
      if (close == std::string::npos) throw std::regex_error(std::regex_constants::error_paren);
      out += "(";
      i = close;
    } else {
      out += p[i];
    }
  }
  return std::regex(out, flags);
}

struct SearchJob {
  const std::string* text;
  const std::regex* re;
  bool found = false;
  std::optional<std::string> err;
};

void* run_search(void* arg) {
  auto* job = static_cast<SearchJob*>(arg);
  try {
    job->found = std::regex_search(*job->text, *job->re);
  } catch (const std::exception& e) {
    job->err = std::string("regexp evaluation failed: ") + e.what();
  }
  return nullptr;
}

// A search that fails as an evaluation error rather than a crash on pathological input.
// libstdc++'s matcher recurses once per character for patterns like ".*", so long texts (an
// http body, a big file) are searched on a thread with a stack sized for them.
bool regex_search_safe(const std::string& text, const std::regex& re, std::optional<std::string>* err) {
  SearchJob job{&text, &re, false, std::nullopt};
  // Measured: 1 GiB of stack holds a 1 MiB text under "^(a|b)*$"; beyond that, say so.
  if (text.size() > (1u << 20)) {
    *err = "regexp evaluation refused: text of " + std::to_string(text.size()) +
           " bytes is over the 1 MiB slipway matches regexps against (use line patterns instead)";
    return false;
  }
  if (text.size() < 16 * 1024) {
    run_search(&job);
  } else {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t stack = std::min<size_t>(std::max<size_t>(text.size() * 1024, 64u << 20), size_t(1) << 30);
    pthread_attr_setstacksize(&attr, stack);
    pthread_t t;
    if (pthread_create(&t, &attr, run_search, &job) != 0) {
      pthread_attr_destroy(&attr);
      *err = "regexp evaluation failed: text too large (" + std::to_string(text.size()) + " bytes)";
      return false;
    }
    pthread_join(t, nullptr);
    pthread_attr_destroy(&attr);
  }
  if (job.err) *err = job.err;
  return job.found;
}

}  // namespace

Value Value::lines(const std::vector<std::string>& items) {
  json a = json::array();
  for (const auto& s : items) a.push_back(s);
  return Value(std::move(a), true);
}

std::string go_format(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return go_float(v.get<double>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "<nil>";
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + go_format(v[i]);
    return s + "]";
  }
  // Go prints maps with sorted keys; nlohmann's object is already sorted.
  std::string s = "map[";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    s += (first ? "" : " ") + it.key() + ":" + go_format(it.value());
    first = false;
  }
  return s + "]";
}

std::string to_go_string(const Value& v) {
  if (v.v.is_array()) {
    std::string s;
    for (size_t i = 0; i < v.v.size(); ++i) s += (i ? "\n" : "") + go_format(v.v[i]);
    return s;
  }
  return go_format(v.v);
}

// ---------------------------------------------------------------------------------------
// Result rendering

namespace {

std::string indent_block(const std::string& s) {
  std::string out = "    ";
  for (char c : s) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

// JSON, except that floats print as Go prints them (128, not 128.0).
std::string show(const json& v) {
  if (v.is_number_float()) return go_float(v.get<double>());
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + show(v[i]);
    return s + "]";
  }
  if (v.is_object()) {
    std::string s = "{";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      s += (first ? "" : ",") + json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ":" + show(it.value());
      first = false;
    }
    return s + "}";
  }
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string MatchResult::human() const {
  std::string s = "Expected\n" + indent_block(show(actual));
  if (!transforms.empty()) {
    std::string chain;
    for (const auto& t : transforms) chain += (chain.empty() ? "" : ", ") + t;
    s += "\n(from " + show(untransformed) + " after " + chain + ")";
  }
  s += "\n" + message;
  if (!expected.is_discarded()) s += "\n" + indent_block(show(expected));
  if (!missing.is_null() && !missing.empty()) s += "\nthe missing elements were\n" + indent_block(show(missing));
  return s;
}

json MatchResult::to_json() const {
  json j = {{"actual", actual}, {"message", message}, {"expected", expected}};
  if (!missing.is_null()) j["missing-elements"] = missing;
  if (!found.is_null()) j["found-elements"] = found;
  if (!transforms.empty()) {
    j["transform-chain"] = transforms;
    j["untransformed-value"] = untransformed;
  }
  return j;
}

// ---------------------------------------------------------------------------------------
// Matchers

namespace {

MatchResult simple(const Value& actual, std::string message, json expected) {
  MatchResult r;
  r.actual = actual.v;
  r.message = std::move(message);
  r.expected = std::move(expected);
  return r;
}

class EqualMatcher : public Matcher {
 public:
  explicit EqualMatcher(json expected) : expected_(std::move(expected)) {}
  Outcome match(const Value& actual) override {
    if (actual.v.is_null() && expected_.is_null())
      return {false, "Refusing to compare <nil> to <nil>.\nBe explicit and use BeNil() instead."};
    if (actual.strings) return {false, std::nullopt};  // []string never DeepEquals YAML data
    return {deep_equal(actual.v, expected_), std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple(a, "to equal", expected_); }
  MatchResult negated_failure(const Value& a) const override { return simple(a, "not to equal", expected_); }
  json to_json() const override { return expected_; }

 private:
  json expected_;
};

// Transformers: goss's WithSafeTransform wraps a matcher and converts the actual value first.
enum class Transform { ToString, ToNumeric, ToArray, Gjson };

class TransformMatcher : public Matcher {
 public:
  TransformMatcher(Transform t, MatcherPtr inner, std::string path = {})
      : t_(t), inner_(std::move(inner)), path_(std::move(path)) {}

  Outcome match(const Value& actual) override {
    transformed_ = actual;
    error_ = false;
    std::optional<std::string> err;
    switch (t_) {
      case Transform::ToString:
        transformed_ = Value(json(to_go_string(actual)));
        break;
      case Transform::ToNumeric: {
        const json& v = actual.v;
        if (v.is_number()) break;
        if (v.is_string() || (actual.strings && v.is_array())) {
          auto d = parse_go_float(to_go_string(actual));
          if (!d) {
            err = "strconv.ParseFloat: parsing " + json(to_go_string(actual)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ": invalid syntax";
          } else {
            transformed_ = Value(json(*d));
          }
        } else {
          err = "Expected numeric, Got:" + describe(actual);
        }
        break;
      }
      case Transform::ToArray:
        if (actual.v.is_string()) {
          std::vector<std::string> lines;
          std::string s = actual.v.get<std::string>();
          size_t start = 0;
          while (true) {
            auto nl = s.find('\n', start);
            lines.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
            if (nl == std::string::npos) break;
            start = nl + 1;
          }
          transformed_ = Value::lines(lines);
        }
        break;
      case Transform::Gjson: {
        if (!actual.v.is_string()) {
          err = "Expected string, Got:" + describe(actual);
          break;
        }
        json doc = json::parse(actual.v.get<std::string>(), nullptr, false);
        if (doc.is_discarded()) {
          err = "Invalid json";
          break;
        }
        auto r = gjson_get(doc, path_);
        if (!r) {
          err = "Path not found: " + path_;
          break;
        }
        transformed_ = Value(*r);
        break;
      }
    }
    was_transformed_ = !(deep_equal(actual.v, transformed_.v) && actual.strings == transformed_.strings);
    if (err) {
      error_ = true;
      return {false, name() + ": " + *err};
    }
    return inner_->match(transformed_);
  }

  MatchResult failure(const Value& actual) const override { return chain(actual, false); }
  MatchResult negated_failure(const Value& actual) const override { return chain(actual, true); }
  json to_json() const override { return inner_->to_json(); }

  std::string name() const {
    switch (t_) {
      case Transform::ToString: return "to-string";
      case Transform::ToNumeric: return "to-numeric";
      case Transform::ToArray: return "to-array";
      case Transform::Gjson: return "gjson " + json(path_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return "";
  }

 private:
  MatchResult chain(const Value& actual, bool negated) const {
    // Unwrap nested transforms so the report names the whole chain, like goss.
    std::vector<std::string> names;
    const TransformMatcher* m = this;
    const Matcher* inner = this;
    Value tv = actual;
    while (m) {
      if (m->was_transformed_ || m->error_) names.push_back(m->name());
      tv = m->transformed_;
      inner = m->inner_.get();
      m = dynamic_cast<const TransformMatcher*>(inner);
    }
    MatchResult r = negated ? inner->negated_failure(tv) : inner->failure(tv);
    r.transforms = names;
    if (!names.empty()) r.untransformed = actual.v;
    return r;
  }

  Transform t_;
  MatcherPtr inner_;
  std::string path_;
  Value transformed_;
  bool was_transformed_ = false;
  bool error_ = false;
};

MatcherPtr transform(Transform t, MatcherPtr inner, std::string path = {}) {
  return std::make_unique<TransformMatcher>(t, std::move(inner), std::move(path));
}

class StringMatcher : public Matcher {
 public:
  enum Kind { Prefix, Suffix, Regexp, Substring };
  StringMatcher(Kind k, std::string arg) : k_(k), arg_(std::move(arg)) {}
  Outcome match(const Value& actual) override {
    if (!actual.v.is_string())
      return {false, std::string(verb()) + " matcher requires a string.  Got:\n" + describe(actual)};
    const std::string s = actual.v.get<std::string>();
    switch (k_) {
      case Prefix: return {s.compare(0, arg_.size(), arg_) == 0 && s.size() >= arg_.size(), std::nullopt};
      case Suffix:
        return {s.size() >= arg_.size() && s.compare(s.size() - arg_.size(), arg_.size(), arg_) == 0, std::nullopt};
      case Substring: return {s.find(arg_) != std::string::npos, std::nullopt};
      case Regexp: {
        std::regex re;
        try {
          re = go_regex(arg_);
        } catch (const std::regex_error& e) {
          return {false, "RegExp match failed to compile with error:\n\t" + std::string(e.what())};
        }
        Outcome o;
        o.ok = regex_search_safe(s, re, &o.error);
        return o;
      }
    }
    return {};
  }
  MatchResult failure(const Value& a) const override { return simple(a, std::string("to ") + msg(), arg_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, std::string("not to ") + msg(), arg_);
  }
  json to_json() const override { return {{verb(), arg_}}; }

 private:
  const char* verb() const {
    switch (k_) {
      case Prefix: return "have-prefix";
      case Suffix: return "have-suffix";
      case Regexp: return "match-regexp";
      case Substring: return "contain-substring";
    }
    return "";
  }
  const char* msg() const {
    switch (k_) {
      case Prefix: return "have prefix";
      case Suffix: return "have suffix";
      case Regexp: return "match regular expression";
      case Substring: return "contain substring";
    }
    return "";
  }
  Kind k_;
  std::string arg_;
};

class HaveLenMatcher : public Matcher {
 public:
  explicit HaveLenMatcher(long long n) : n_(n) {}
  Outcome match(const Value& a) override {
    long long len;
    if (a.v.is_string()) len = static_cast<long long>(a.v.get_ref<const std::string&>().size());
    else if (a.v.is_array() || a.v.is_object()) len = static_cast<long long>(a.v.size());
    else return {false, "HaveLen matcher expects a string/array/map/channel/slice.  Got:\n" + describe(a)};
    return {len == n_, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple(a, "to have length", n_); }
  MatchResult negated_failure(const Value& a) const override { return simple(a, "not to have length", n_); }
  json to_json() const override { return {{"have-len", n_}}; }

 private:
  long long n_;
};

class HaveKeyMatcher : public Matcher {
 public:
  explicit HaveKeyMatcher(MatcherPtr key) : key_(std::move(key)) {}
  Outcome match(const Value& a) override {
    if (!a.v.is_object()) return {false, "HaveKey matcher expects a map.  Got:" + describe(a)};
    for (auto it = a.v.begin(); it != a.v.end(); ++it) {
      Outcome o = key_->match(Value(json(it.key())));
      if (o.error) return {false, o.error};
      if (o.ok) return {true, std::nullopt};
    }
    return {false, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple(a, "to have key matching", key_->to_json()); }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, "not to have key matching", key_->to_json());
  }
  json to_json() const override { return {{"have-key", key_->to_json()}}; }

 private:
  MatcherPtr key_;
};

std::vector<Value> elements_of(const Value& a) {
  std::vector<Value> out;
  if (a.v.is_array()) {
    for (const auto& e : a.v) out.emplace_back(e);
  } else {
    for (auto it = a.v.begin(); it != a.v.end(); ++it) out.emplace_back(it.value());
  }
  return out;
}

class ContainElementMatcher : public Matcher {
 public:
  explicit ContainElementMatcher(MatcherPtr m) : m_(std::move(m)) {}
  Outcome match(const Value& a) override {
    if (!a.v.is_array() && !a.v.is_object())
      return {false, "ContainElement matcher expects an array/slice/map.  Got:\n" + describe(a)};
    std::optional<std::string> last;
    for (const auto& e : elements_of(a)) {
      Outcome o = m_->match(e);
      if (o.error) {
        last = o.error;
        continue;
      }
      if (o.ok) return {true, std::nullopt};
    }
    return {false, last};
  }
  MatchResult failure(const Value& a) const override {
    return simple(a, "to contain element matching", m_->to_json());
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, "not to contain element matching", m_->to_json());
  }
  json to_json() const override { return {{"contain-element", m_->to_json()}}; }

 private:
  MatcherPtr m_;
};

// Largest bipartite matching between matchers (left) and elements (right); gomega's
// ContainElements/ConsistOf semantics. A matcher error counts as "does not match".
struct Bipartite {
  std::vector<std::vector<bool>> edge;  // [matcher][element]
  std::vector<int> match_of_element;
  std::vector<int> match_of_matcher;

  bool augment(size_t m, std::vector<bool>& seen) {
    for (size_t e = 0; e < edge[m].size(); ++e) {
      if (!edge[m][e] || seen[e]) continue;
      seen[e] = true;
      if (match_of_element[e] < 0 || augment(static_cast<size_t>(match_of_element[e]), seen)) {
        match_of_element[e] = static_cast<int>(m);
        match_of_matcher[m] = static_cast<int>(e);
        return true;
      }
    }
    return false;
  }

  size_t solve(std::vector<MatcherPtr>& matchers, const std::vector<Value>& elements) {
    edge.assign(matchers.size(), std::vector<bool>(elements.size(), false));
    for (size_t m = 0; m < matchers.size(); ++m)
      for (size_t e = 0; e < elements.size(); ++e) {
        Outcome o = matchers[m]->match(elements[e]);
        edge[m][e] = o.ok && !o.error;
      }
    match_of_element.assign(elements.size(), -1);
    match_of_matcher.assign(matchers.size(), -1);
    size_t n = 0;
    for (size_t m = 0; m < matchers.size(); ++m) {
      std::vector<bool> seen(elements.size(), false);
      if (augment(m, seen)) ++n;
    }
    return n;
  }
};

class ElementsMatcher : public Matcher {
 public:
  ElementsMatcher(std::vector<MatcherPtr> ms, bool consist) : ms_(std::move(ms)), consist_(consist) {}
  Outcome match(const Value& a) override {
    missing_ = json();
    if (!a.v.is_array() && !a.v.is_object())
      return {false, std::string(consist_ ? "ConsistOf" : "ContainElements") +
                         " matcher expects an array/slice/map.  Got:\n" + describe(a)};
    auto elements = elements_of(a);
    Bipartite g;
    size_t n = g.solve(ms_, elements);
    bool ok = n == ms_.size() && (!consist_ || n == elements.size());
    if (!ok) {
      missing_ = json::array();
      for (size_t m = 0; m < ms_.size(); ++m)
        if (g.match_of_matcher[m] < 0) missing_.push_back(ms_[m]->to_json());
    }
    return {ok, std::nullopt};
  }
  MatchResult failure(const Value& a) const override {
    MatchResult r = simple(a, consist_ ? "to consist of" : "to contain elements matching", expected());
    r.missing = missing_;
    return r;
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, consist_ ? "not to consist of" : "not to contain elements matching", expected());
  }
  json to_json() const override { return {{consist_ ? "consist-of" : "contain-elements", expected()}}; }

 private:
  json expected() const {
    json e = json::array();
    for (const auto& m : ms_) e.push_back(m->to_json());
    return e;
  }
  std::vector<MatcherPtr> ms_;
  bool consist_;
  json missing_;
};

class NotMatcher : public Matcher {
 public:
  explicit NotMatcher(MatcherPtr m) : m_(std::move(m)) {}
  Outcome match(const Value& a) override {
    Outcome o = m_->match(a);
    if (o.error) return {false, o.error};
    return {!o.ok, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return m_->negated_failure(a); }
  MatchResult negated_failure(const Value& a) const override { return m_->failure(a); }
  json to_json() const override { return {{"not", m_->to_json()}}; }

 private:
  MatcherPtr m_;
};

json to_json_list(const std::vector<MatcherPtr>& ms) {
  json e = json::array();
  for (const auto& m : ms) e.push_back(m->to_json());
  return e;
}

class AndMatcher : public Matcher {
 public:
  explicit AndMatcher(std::vector<MatcherPtr> ms) : ms_(std::move(ms)) {}
  Outcome match(const Value& a) override {
    failed_ = nullptr;
    for (auto& m : ms_) {
      Outcome o = m->match(a);
      if (!o.ok || o.error) {
        failed_ = m.get();
        return {false, o.error};
      }
    }
    return {true, std::nullopt};
  }
  MatchResult failure(const Value& a) const override {
    if (failed_) return failed_->failure(a);
    return simple(a, "to satisfy all of these matchers", to_json());
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, "not to satisfy all of these matchers", list());
  }
  json to_json() const override {
    if (ms_.size() == 1) return ms_[0]->to_json();
    return {{"and", list()}};
  }

 private:
  json list() const { return to_json_list(ms_); }
  std::vector<MatcherPtr> ms_;
  Matcher* failed_ = nullptr;
};

class OrMatcher : public Matcher {
 public:
  explicit OrMatcher(std::vector<MatcherPtr> ms) : ms_(std::move(ms)) {}
  Outcome match(const Value& a) override {
    succeeded_ = nullptr;
    for (auto& m : ms_) {
      Outcome o = m->match(a);
      if (o.error) return {false, o.error};
      if (o.ok) {
        succeeded_ = m.get();
        return {true, std::nullopt};
      }
    }
    return {false, std::nullopt};
  }
  MatchResult failure(const Value& a) const override {
    return simple(a, "to satisfy at least one of these matchers", list());
  }
  MatchResult negated_failure(const Value& a) const override {
    if (succeeded_) return succeeded_->negated_failure(a);
    return simple(a, "not to satisfy any of these matchers", list());
  }
  json to_json() const override { return {{"or", list()}}; }

 private:
  json list() const { return to_json_list(ms_); }
  std::vector<MatcherPtr> ms_;
  Matcher* succeeded_ = nullptr;
};

class NumericMatcher : public Matcher {
 public:
  NumericMatcher(std::string cmp, json to) : cmp_(std::move(cmp)), to_(std::move(to)) {}
  Outcome match(const Value& a) override {
    auto x = number_of(a.v);
    if (!x) return {false, "Expected a number.  Got:\n" + describe(a)};
    auto y = number_of(to_);
    if (!y) return {false, "Expected a number.  Got:\n" + describe(Value(to_))};
    bool ok = false;
    if (cmp_ == "eq") ok = *x == *y;
    else if (cmp_ == "gt") ok = *x > *y;
    else if (cmp_ == "ge") ok = *x >= *y;
    else if (cmp_ == "lt") ok = *x < *y;
    else if (cmp_ == "le") ok = *x <= *y;
    return {ok, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple(a, "to be numerically " + cmp_, to_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, "not to be numerically " + cmp_, to_);
  }
  json to_json() const override { return cmp_ == "eq" ? to_ : json{{cmp_, to_}}; }

 private:
  std::string cmp_;
  json to_;
};

class SemverMatcher : public Matcher {
 public:
  explicit SemverMatcher(std::string c) : c_(std::move(c)) {}
  Outcome match(const Value& a) override {
    auto range = SemRange::parse(c_);
    if (!range) return {false, "Expected a valid semver constraint.  Got:\n" + json(c_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    std::vector<SemVersion> vs;
    std::string bad = "Expected a single or list of semver valid version(s).  Got:\n" + describe(a);
    if (a.v.is_string()) {
      auto v = SemVersion::parse(a.v.get<std::string>());
      if (!v) return {false, bad};
      vs.push_back(*v);
    } else if (a.v.is_array()) {
      for (const auto& e : a.v) {
        if (!e.is_string()) return {false, bad};
        auto v = SemVersion::parse(e.get<std::string>());
        if (!v) return {false, bad};
        vs.push_back(*v);
      }
      if (vs.empty()) return {false, bad};
    } else {
      return {false, bad};
    }
    for (const auto& v : vs)
      if (!range->contains(v)) return {false, std::nullopt};
    return {true, std::nullopt};
  }
  MatchResult failure(const Value& a) const override { return simple(a, "to satisfy semver constraint", c_); }
  MatchResult negated_failure(const Value& a) const override {
    return simple(a, "not to satisfy semver constraint", c_);
  }
  json to_json() const override { return {{"semver-constraint", c_}}; }

 private:
  std::string c_;
};

class HavePatternsMatcher : public Matcher {
 public:
  explicit HavePatternsMatcher(json patterns) : patterns_(std::move(patterns)) {}
  Outcome match(const Value& a) override {
    missing_ = json();
    found_ = json();
    if (!patterns_.is_array())
      return {false, "HavePatterns matcher expects an array of matchers.  Got:\n" + patterns_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    struct Pat {
      std::string text;
      bool inverse = false;
      bool is_regex = false;
      std::string clean;
      std::regex re;
    };
    std::vector<Pat> pats;
    for (const auto& p : patterns_) {
      if (!p.is_string())
        return {false, "HavePatterns matcher expects patterns to be a string. got: \n" + p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
      Pat pat;
      pat.text = p.get<std::string>();
      const std::string& s = pat.text;
      pat.inverse = !s.empty() && s[0] == '!';
      bool slash = (s.rfind("/", 0) == 0 || s.rfind("!/", 0) == 0);
      if (slash && s.size() >= 1 && s.back() == '/') {
        pat.is_regex = true;
        std::string c = s;
        if (pat.inverse) c = c.substr(1);
        if (!c.empty() && (c[0] == '\\' || c[0] == '/')) c = c.substr(1);
        if (!c.empty() && c.back() == '/') c.pop_back();
        try {
          pat.re = go_regex(c);
        } catch (const std::regex_error& e) {
          return {false, "error parsing regexp: " + std::string(e.what()) + ": " + c};
        }
      } else {
        // goss trims every leading '\', '/' and '!' from a plain pattern.
        size_t k = s.find_first_not_of("\\/!");
        pat.clean = k == std::string::npos ? "" : s.substr(k);
      }
      pats.push_back(std::move(pat));
    }
    if (pats.empty()) return {true, std::nullopt};
    std::string text;
    if (a.v.is_string()) text = a.v.get<std::string>();
    else if (a.strings && a.v.is_array()) text = to_go_string(a);
    else return {false, "Incorrect type " + type_name(a)};

    std::vector<size_t> notfound;
    for (size_t i = 0; i < pats.size(); ++i) notfound.push_back(i);
    std::vector<size_t> found;
    std::optional<std::string> err;
    // bufio.Scanner lines: split on \n, drop a trailing \r, no final empty line.
    size_t start = 0;
    while (start < text.size() && !notfound.empty()) {
      auto nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? text.size() : nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<size_t> still;
      for (size_t i : notfound) {
        const Pat& p = pats[i];
        bool m = p.is_regex ? regex_search_safe(line, p.re, &err) : line.find(p.clean) != std::string::npos;
        if (m) {
          if (!p.inverse) found.push_back(i);
        } else {
          still.push_back(i);
        }
      }
      notfound = std::move(still);
    }
    if (err) return {false, err};
    for (size_t i : notfound)
      if (pats[i].inverse || pats[i].text.empty()) found.push_back(i);
    found_ = json::array();
    for (size_t i : found) found_.push_back(pats[i].text);
    if (found.size() != pats.size()) {
      missing_ = json::array();
      for (const auto& p : pats) {
        bool f = false;
        for (const auto& x : found_)
          if (x == p.text) f = true;
        if (!f) missing_.push_back(p.text);
      }
      return {false, std::nullopt};
    }
    return {true, std::nullopt};
  }
  MatchResult failure(const Value& a) const override {
    MatchResult r = simple(a, "to have patterns", patterns_);
    r.missing = missing_;
    r.found = found_;
    return r;
  }
  MatchResult negated_failure(const Value& a) const override { return simple(a, "not to have patterns", patterns_); }
  json to_json() const override { return {{"have-patterns", patterns_}}; }

 private:
  json patterns_;
  json missing_, found_;
};

std::string go_type_of(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_number_float()) return "float64";
  if (v.is_number()) return "int";
  if (v.is_boolean()) return "bool";
  if (v.is_null()) return "<nil>";
  if (v.is_array()) return "[]interface {}";
  return "map[string]interface {}";
}

[[noreturn]] void invalid_arg(const std::string& name, const std::string& expected, const json& value) {
  throw MatcherSyntaxError("Syntax Error: Invalid '" + name + "' argument. Expected " + expected +
                           " value, but received: " + go_type_of(value) + ": " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::vector<MatcherPtr> compile_list(const json& value, const std::string& name) {
  if (!value.is_array()) invalid_arg(name, "array", value);
  std::vector<MatcherPtr> out;
  for (const auto& v : value) out.push_back(compile(v));
  return out;
}

const std::string& string_arg(const std::string& name, const json& value) {
  if (!value.is_string()) invalid_arg(name, "string", value);
  return value.get_ref<const std::string&>();
}

}  // namespace

MatcherPtr compile(const json& e) {
  if (e.is_string()) return transform(Transform::ToString, std::make_unique<EqualMatcher>(e));
  if (e.is_number()) return transform(Transform::ToNumeric, std::make_unique<NumericMatcher>("eq", e));
  if (e.is_boolean()) return std::make_unique<EqualMatcher>(e);
  if (e.is_array()) return std::make_unique<ElementsMatcher>(compile_list(e, ""), false);
  if (e.is_null()) throw MatcherSyntaxError("Syntax Error: Missing required attribute");
  if (e.size() != 1) {
    std::string keys;
    for (auto it = e.begin(); it != e.end(); ++it) keys += (keys.empty() ? "" : " ") + json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (e.empty()) throw MatcherSyntaxError("Syntax Error: Missing required attribute");
    throw MatcherSyntaxError(
        "Syntax Error: Invalid matcher configuration. At a given nesting level, only one matcher is "
        "allowed. Found multiple matchers: [" + keys + "]");
  }
  const std::string& type = e.begin().key();
  const json& value = e.begin().value();
  if (type == "equal") return std::make_unique<EqualMatcher>(value);
  if (type == "have-prefix")
    return transform(Transform::ToString, std::make_unique<StringMatcher>(StringMatcher::Prefix, string_arg(type, value)));
  if (type == "have-suffix")
    return transform(Transform::ToString, std::make_unique<StringMatcher>(StringMatcher::Suffix, string_arg(type, value)));
  if (type == "match-regexp")
    return transform(Transform::ToString, std::make_unique<StringMatcher>(StringMatcher::Regexp, string_arg(type, value)));
  if (type == "contain-substring")
    return transform(Transform::ToString,
                     std::make_unique<StringMatcher>(StringMatcher::Substring, string_arg(type, value)));
  if (type == "have-len") {
    if (value.is_number_float()) return std::make_unique<HaveLenMatcher>(static_cast<long long>(value.get<double>()));
    if (value.is_number()) return std::make_unique<HaveLenMatcher>(value.get<long long>());
    invalid_arg(type, "numeric", value);
  }
  if (type == "have-patterns") {
    if (!value.is_array()) invalid_arg(type, "array", value);
    return transform(Transform::ToString, std::make_unique<HavePatternsMatcher>(value));
  }
  if (type == "have-key") return std::make_unique<HaveKeyMatcher>(compile(value));
  if (type == "contain-element") {
    if (!(value.is_object() || value.is_string() || value.is_number()))
      invalid_arg(type, "matcher, string or numeric", value);
    return transform(Transform::ToArray, std::make_unique<ContainElementMatcher>(compile(value)));
  }
  if (type == "contain-elements")
    return transform(Transform::ToArray, std::make_unique<ElementsMatcher>(compile_list(value, "contains-elements"), false));
  if (type == "not") return std::make_unique<NotMatcher>(compile(value));
  if (type == "consist-of") return std::make_unique<ElementsMatcher>(compile_list(value, "consist-of"), true);
  if (type == "and") return std::make_unique<AndMatcher>(compile_list(value, "and"));
  if (type == "or") return std::make_unique<OrMatcher>(compile_list(value, "or"));
  if (type == "gt" || type == "ge" || type == "lt" || type == "le")
    return transform(Transform::ToNumeric, std::make_unique<NumericMatcher>(type, value));
  if (type == "semver-constraint") return std::make_unique<SemverMatcher>(string_arg(type, value));
  if (type == "gjson") {
    if (!value.is_object()) invalid_arg(type, "map", value);
    std::vector<MatcherPtr> subs;
    for (auto it = value.begin(); it != value.end(); ++it)
      subs.push_back(transform(Transform::Gjson, compile(it.value()), it.key()));
    return std::make_unique<AndMatcher>(std::move(subs));
  }
  throw MatcherSyntaxError("Syntax Error: Unknown matcher: " + type);
}

MatcherPtr have_patterns(const json& patterns) { return std::make_unique<HavePatternsMatcher>(patterns); }

PropertyResult validate(const json& expectation, const Value& actual, bool is_reader) {
  PropertyResult r;
  MatcherPtr m;
  try {
    if (is_reader && expectation.is_array()) m = have_patterns(expectation);
    else m = compile(expectation);
  } catch (const MatcherSyntaxError& e) {
    r.error = e.what();
    return r;
  }
  Outcome o;
  try {
    o = m->match(actual);
  } catch (const std::exception& e) {
    o = {false, std::string(e.what())};
  }
  r.ok = o.ok && !o.error;
  r.error = o.error;
  if (r.ok) {
    r.detail.actual = actual.v;
    r.detail.message = "matches expectation";
    r.detail.expected = expectation;
  } else {
    r.detail = m->failure(actual);
  }
  return r;
}

}  // namespace slipway::checks
