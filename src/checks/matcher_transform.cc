// goss's transforms: to-string, to-numeric, to-array and gjson convert the actual value
// before the matcher they wrap sees it; a failure report names the chain of conversions.
#include "checks/gjson.h"
#include "checks/matcher_kinds.h"

namespace slipway::checks {
namespace {

// A string becomes its lines (split on "\n", the last one kept even when empty).
Value to_array(const Value& actual) {
  if (!actual.v.is_string()) return actual;
  std::vector<std::string> lines;
  const std::string& s = actual.v.get_ref<const std::string&>();
  size_t start = 0;
  while (true) {
    auto nl = s.find('\n', start);
    lines.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return Value::lines(lines);
}

// Numbers stay; text (or goss's []string, joined) is parsed as Go's ParseFloat does.
std::optional<std::string> to_numeric(const Value& actual, Value* out) {
  const json& v = actual.v;
  if (v.is_number()) return std::nullopt;
  if (!v.is_string() && !(actual.strings && v.is_array())) return "Expected numeric, Got:" + describe(actual);
  std::string text = to_go_string(actual);
  auto d = parse_go_float(text);
  if (!d) return "strconv.ParseFloat: parsing " + json_text(text) + ": invalid syntax";
  *out = Value(json(*d));
  return std::nullopt;
}

// The value at a gjson path of the JSON document the actual string holds.
std::optional<std::string> gjson_value(const Value& actual, const std::string& path, Value* out) {
  if (!actual.v.is_string()) return "Expected string, Got:" + describe(actual);
  json doc = json::parse(actual.v.get<std::string>(), nullptr, false);
  if (doc.is_discarded()) return "Invalid json";
  auto r = gjson_get(doc, path);
  if (!r) return "Path not found: " + path;
  *out = Value(*r);
  return std::nullopt;
}

class TransformMatcher : public Matcher {
 public:
  TransformMatcher(Transform t, MatcherPtr inner, std::string path)
      : t_(t), inner_(std::move(inner)), path_(std::move(path)) {}

  Outcome match(const Value& actual) override {
    transformed_ = actual;
    std::optional<std::string> err;
    switch (t_) {
      case Transform::to_string:
        transformed_ = Value(json(to_go_string(actual)));
        break;
      case Transform::to_numeric:
        err = to_numeric(actual, &transformed_);
        break;
      case Transform::to_array:
        transformed_ = to_array(actual);
        break;
      case Transform::gjson:
        err = gjson_value(actual, path_, &transformed_);
        break;
    }
    was_transformed_ = !(deep_equal(actual.v, transformed_.v) && actual.strings == transformed_.strings);
    error_ = err.has_value();
    if (err) return {false, name() + ": " + *err};
    return inner_->match(transformed_);
  }

  MatchResult failure(const Value& actual) const override { return chain(actual, false); }
  MatchResult negated_failure(const Value& actual) const override { return chain(actual, true); }
  json to_json() const override { return inner_->to_json(); }

 private:
  std::string name() const {
    switch (t_) {
      case Transform::to_string:
        return "to-string";
      case Transform::to_numeric:
        return "to-numeric";
      case Transform::to_array:
        return "to-array";
      case Transform::gjson:
        return "gjson " + json_text(path_);
    }
    return "";
  }

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

}  // namespace

MatcherPtr transform(Transform t, MatcherPtr inner, std::string gjson_path) {
  return std::make_unique<TransformMatcher>(t, std::move(inner), std::move(gjson_path));
}

}  // namespace slipway::checks
