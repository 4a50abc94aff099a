// Compose's dotenv syntax (.env, --env-file, env_file:): KEY=VALUE lines with single, double
// and unquoted values, escapes in double quotes, `#` comments, `export KEY=...`, multi-line
// quoted values, `${VAR}` substitution, and a bare `KEY` that inherits KEY from the lookup
// environment (dropped when absent there). In `${VAR}` the lookup environment (the process)
// wins over earlier lines of the same file, as in Docker Compose.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compose/loader.h"

namespace slipway::compose {

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

// Parses dotenv text. `file` is for error messages ("file:line: ..."), `lookup` resolves
// variables not defined earlier in the same file. Returns the variables in file order (a later
// definition of the same key replaces the earlier one's value in place). Throws UserError.
std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, const std::string& file,
                                                              const Lookup& lookup);

// Reads and parses a file through util/read_input.h: UserError when it is larger than 8 MiB,
// EnvError when it is missing, a directory or unreadable.
std::vector<std::pair<std::string, std::string>> read_dotenv(const std::string& path, const Lookup& lookup);

// As above, also reporting unset variables a value uses ("The \"X\" variable is not set.
// Defaulting to a blank string."), as Compose does for .env files.
using Warn = std::function<void(const std::string&)>;
std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, const std::string& file,
                                                              const Lookup& lookup, const Warn& warn);
std::vector<std::pair<std::string, std::string>> read_dotenv(const std::string& path, const Lookup& lookup,
                                                             const Warn& warn);

}  // namespace slipway::compose
