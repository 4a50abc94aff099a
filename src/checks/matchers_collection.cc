// Matchers over lists and maps (have-key, contain-element, contain-elements, consist-of) and
// the logical ones (not, and, or).
#include "checks/matcher_kinds.h"

namespace slipway::checks {
namespace {

std::vector<Value> elements_of(const Value& a) {
  std::vector<Value> out;
  if (a.v.is_array()) {
    for (const auto& e : a.v) out.emplace_back(e);
  } else {
    for (auto it = a.v.begin(); it != a.v.end(); ++it) out.emplace_back(it.value());
  }
  return out;
}

json to_json_list(const std::vector<MatcherPtr>& ms) {
  json e = json::array();
  for (const auto& m : ms) e.push_back(m->to_json());
  return e;
}

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
  MatchResult failure(const Value& a) const override {
    return simple_result(a, "to have key matching", key_->to_json());
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to have key matching", key_->to_json());
  }
  json to_json() const override { return {{"have-key", key_->to_json()}}; }

 private:
  MatcherPtr key_;
};

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
    return simple_result(a, "to contain element matching", m_->to_json());
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to contain element matching", m_->to_json());
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
    MatchResult r = simple_result(a, consist_ ? "to consist of" : "to contain elements matching", to_json_list(ms_));
    r.missing = missing_;
    return r;
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, consist_ ? "not to consist of" : "not to contain elements matching", to_json_list(ms_));
  }
  json to_json() const override { return {{consist_ ? "consist-of" : "contain-elements", to_json_list(ms_)}}; }

 private:
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
    return simple_result(a, "to satisfy all of these matchers", to_json());
  }
  MatchResult negated_failure(const Value& a) const override {
    return simple_result(a, "not to satisfy all of these matchers", to_json_list(ms_));
  }
  json to_json() const override {
    if (ms_.size() == 1) return ms_[0]->to_json();
    return {{"and", to_json_list(ms_)}};
  }

 private:
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
    return simple_result(a, "to satisfy at least one of these matchers", to_json_list(ms_));
  }
  MatchResult negated_failure(const Value& a) const override {
    if (succeeded_) return succeeded_->negated_failure(a);
    return simple_result(a, "not to satisfy any of these matchers", to_json_list(ms_));
  }
  json to_json() const override { return {{"or", to_json_list(ms_)}}; }

 private:
  std::vector<MatcherPtr> ms_;
  Matcher* succeeded_ = nullptr;
};

}  // namespace

MatcherPtr have_key_matcher(MatcherPtr key) { return std::make_unique<HaveKeyMatcher>(std::move(key)); }
MatcherPtr contain_element_matcher(MatcherPtr element) {
  return std::make_unique<ContainElementMatcher>(std::move(element));
}
MatcherPtr elements_matcher(std::vector<MatcherPtr> matchers, bool consist_of) {
  return std::make_unique<ElementsMatcher>(std::move(matchers), consist_of);
}
MatcherPtr not_matcher(MatcherPtr inner) { return std::make_unique<NotMatcher>(std::move(inner)); }
MatcherPtr and_matcher(std::vector<MatcherPtr> matchers) { return std::make_unique<AndMatcher>(std::move(matchers)); }
MatcherPtr or_matcher(std::vector<MatcherPtr> matchers) { return std::make_unique<OrMatcher>(std::move(matchers)); }

}  // namespace slipway::checks
