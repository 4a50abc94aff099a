#pragma once

#include <string>
#include <vector>

namespace slipway {

// Every field between separators, empty ones included: "a..b" gives {"a", "", "b"}, "" gives {""}.
std::vector<std::string> split(const std::string& s, char sep);

}  // namespace slipway
