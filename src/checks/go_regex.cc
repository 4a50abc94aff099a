#include "checks/go_regex.h"

#include <pthread.h>

#include <algorithm>

namespace slipway::checks {
namespace {

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

}  // namespace

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
      if (n == 'A')
        out += "^";
      else if (n == 'z')
        out += "$";
      else
        out += p.substr(i, 2);
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

}  // namespace slipway::checks
