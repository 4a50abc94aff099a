// Small text helpers that several layers need alike (HTTP header names, Dockerfile keywords,
// host names, template output).
#pragma once

#include <string>

namespace slipway {

// ASCII lower case, whatever the locale: protocol tokens and names, never user prose.
std::string lower(std::string s);

// `s` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string trim(const std::string& s);

}  // namespace slipway
