// goss's have-patterns: a list of line patterns over text (file contents, command output, an
// http body). "foo": some line contains foo; "!foo": no line does; "/re/": some line
// matches; "!/re/": none does.
#include <algorithm>

#include "checks/go_regex.h"
#include "checks/matcher_kinds.h"

namespace slipway::checks {
namespace {

struct Pattern {
  std::string text;  // as written
  bool inverse = false;
  bool is_regex = false;
  std::string plain;  // for a plain pattern: the text to look for
  std::regex re;
};

// One pattern as goss reads it; an error message when its regexp does not compile.
std::optional<std::string> read_pattern(const std::string& s, Pattern* out) {
  out->text = s;
  out->inverse = !s.empty() && s[0] == '!';
  bool slash = s.rfind("/", 0) == 0 || s.rfind("!/", 0) == 0;
  if (!(slash && s.back() == '/')) {
    // goss trims every leading '\', '/' and '!' from a plain pattern.
    size_t k = s.find_first_not_of("\\/!");
    out->plain = k == std::string::npos ? "" : s.substr(k);
    return std::nullopt;
  }
  out->is_regex = true;
  std::string c = out->inverse ? s.substr(1) : s;
  if (!c.empty() && (c[0] == '\\' || c[0] == '/')) c = c.substr(1);
  if (!c.empty() && c.back() == '/') c.pop_back();
  try {
    out->re = go_regex(c);
  } catch (const std::regex_error& e) {
    return "error parsing regexp: " + std::string(e.what()) + ": " + c;
  }
  return std::nullopt;
}

// Goes through the lines of `text` as bufio.Scanner splits them (on \n, a trailing \r
// dropped, no final empty line) until every pattern has been seen. Returns the indexes of the
// patterns never seen; `found` gets those of the positive ones seen.
std::vector<size_t> scan_lines(const std::string& text, const std::vector<Pattern>& patterns,
                               std::vector<size_t>* found, std::optional<std::string>* err) {
  std::vector<size_t> unseen;
  for (size_t i = 0; i < patterns.size(); ++i) unseen.push_back(i);
  size_t start = 0;
  while (start < text.size() && !unseen.empty()) {
    auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<size_t> still;
    for (size_t i : unseen) {
      const Pattern& p = patterns[i];
      bool m = p.is_regex ? regex_search_safe(line, p.re, err) : line.find(p.plain) != std::string::npos;
      if (!m)
        still.push_back(i);
      else if (!p.inverse)
        found->push_back(i);
    }
    unseen = std::move(still);
  }
  return unseen;
}

class HavePatternsMatcher : public Matcher {
 public:
  explicit HavePatternsMatcher(json patterns) : patterns_(std::move(patterns)) {}

  Outcome match(const Value& a) override {
    missing_ = json();
    found_ = json();
    std::vector<Pattern> pats;
    if (auto error = read_patterns(&pats)) return {false, error};
    if (pats.empty()) return {true, std::nullopt};
    std::string text;
    if (a.v.is_string())
      text = a.v.get<std::string>();
    else if (a.strings && a.v.is_array())
      text = to_go_string(a);
    else
      return {false, "Incorrect type " + go_type_name(a)};

    std::vector<size_t> found;
    std::optional<std::string> err;
    for (size_t i : scan_lines(text, pats, &found, &err))
      if (pats[i].inverse || pats[i].text.empty()) found.push_back(i);
    if (err) return {false, err};
    found_ = json::array();
    for (size_t i : found) found_.push_back(pats[i].text);
    if (found.size() == pats.size()) return {true, std::nullopt};
    missing_ = json::array();
    for (const auto& p : pats)
      if (std::find(found_.begin(), found_.end(), json(p.text)) == found_.end()) missing_.push_back(p.text);
    return {false, std::nullopt};
  }
  MatchResult failure(const Value& a) const override {
    MatchResult r = simple_result(a, "to have patterns", patterns_);
    r.missing = missing_;
    r.found = found_;
    return r;
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to have patterns", patterns_);
  }
  json to_json() const override { return {{"have-patterns", patterns_}}; }

 private:
  std::optional<std::string> read_patterns(std::vector<Pattern>* out) const {
    if (!patterns_.is_array())
      return "HavePatterns matcher expects an array of matchers.  Got:\n" + json_text(patterns_);
    for (const auto& p : patterns_) {
      if (!p.is_string()) return "HavePatterns matcher expects patterns to be a string. got: \n" + json_text(p);
      Pattern pat;
      if (auto error = read_pattern(p.get<std::string>(), &pat)) return error;
      out->push_back(std::move(pat));
    }
    return std::nullopt;
  }

  json patterns_;
  json missing_, found_;
};

}  // namespace

MatcherPtr have_patterns(const json& patterns) { return std::make_unique<HavePatternsMatcher>(patterns); }

}  // namespace slipway::checks
