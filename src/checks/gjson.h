// The subset of GJSON path syntax (github.com/tidwall/gjson) that goss's `gjson` matcher
// users write: dotted keys ("moo.nested"), array indexes ("arr.0"), the array length ("arr.#"),
// a field of every element ("arr.#.name"), escaped dots ("a\.b"), `*`/`?` key wildcards and
// "@this".
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace slipway::checks {

// The value at `path` in `doc`, as gjson's Result.Value() gives it (numbers become floats);
// nullopt when the path does not exist.
std::optional<nlohmann::json> gjson_get(const nlohmann::json& doc, const std::string& path);

}  // namespace slipway::checks
