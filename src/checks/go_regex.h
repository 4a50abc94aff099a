// Go's regular expressions (RE2 syntax, as goss's match-regexp and "/re/" patterns use them)
// on std::regex, and a search that cannot crash on large texts.
#pragma once

#include <optional>
#include <regex>
#include <string>

namespace slipway::checks {

// Compiles a Go regexp: leading flag groups "(?i)", "(?m)"..., "\A" and "\z", named groups
// "(?P<name>...)" are mapped onto ECMAScript. Throws std::regex_error for a bad pattern.
std::regex go_regex(const std::string& pattern);

// std::regex_search that reports pathological input as an evaluation error in `*err` (and
// returns false) rather than crashing: libstdc++'s matcher recurses once per character, so
// texts over 16 KiB are searched on a thread with a large stack, and texts over 1 MiB are
// refused.
bool regex_search_safe(const std::string& text, const std::regex& re, std::optional<std::string>* err);

}  // namespace slipway::checks
