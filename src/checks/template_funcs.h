// The functions a gossfile template can call (template.h lists them) and Go's template
// notions of truth and printing that they share with the evaluator.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::checks::tmpl {

using json = nlohmann::json;

// Go template truth: false, 0, nil, and empty strings, lists and maps are false.
bool truthy(const json& v);

// What {{ value }} prints: Go's %v, and "<no value>" for nil.
std::string print(const json& v);

// Calls the function `name` with `args` (a piped value comes last). Throws UserError at
// file:line for an unknown function, too few arguments, or an argument it cannot use.
json call_function(const std::string& name, const std::vector<json>& args, const std::string& file, int line);

}  // namespace slipway::checks::tmpl
