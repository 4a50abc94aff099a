// goss renders every gossfile as a Go text/template before reading it as YAML ({{.Vars.x}},
// {{.Env.HOME}}, {{range mkSlice "a" "b"}}...{{end}}). This is the subset real gossfiles use:
// actions with pipelines and "{{-"/"-}}" trimming, comments, if/else if/else, range (with
// "$k, $v :=" declarations and else), with, variables, parenthesised pipelines, and the
// functions goss provides (mkSlice, getEnv, readFile, regexMatch, toLower, toUpper) plus the
// sprig/builtin ones gossfiles commonly use (upper, lower, repeat, toJson, index, default,
// trim, replace, split, join, quote, eq, ne, lt, le, gt, ge, and, or, not, len, print,
// printf).
//
// Differences kept on purpose: indexing a missing map entry or nil gives nil (Go errors on
// "index of untyped nil"), so a gossfile written for --vars still loads without its vars;
// the affected checks then fail or compare against "<no value>", as Go prints it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace slipway::checks {

// True when `text` contains template actions at all (plain YAML is passed through as-is).
bool has_template_actions(const std::string& text);

// Renders `text`. `data` is the template's dot: {"Vars": {...}, "Env": {...}}. Throws
// UserError(file:line) for malformed templates and unknown functions.
std::string render_template(const std::string& text, const nlohmann::json& data, const std::string& file);

}  // namespace slipway::checks
