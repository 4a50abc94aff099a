// Reads YAML text into Node trees (node.h) with libyaml's event API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "yaml/node.h"

namespace slipway::yaml {

struct ReadLimits {
  // Nodes the whole document may expand to, aliases included. Bounds "billion laughs":
  // a document that would expand beyond this fails fast instead of exhausting memory.
  // A Node is ~136 bytes, so the limit is ~34 MB of tree; a 500-service Compose file has ~20,000
  // nodes. (2,000,000 let an 8 KB file of plain aliases take 270 MB and over a second.)
  size_t max_nodes = 250'000;
  // Nesting depth of collections.
  int max_depth = 256;
};

// Parses `text` (the content of `file`, used only for marks and messages). Resolves anchors,
// aliases and merge keys (`<<: *a`, `<<: [*a, *b]`; explicit keys win over merged ones, earlier
// merge sources win over later ones). Throws UserError "file:line:col: ..." for invalid YAML,
// invalid UTF-8, tabs used as indentation, duplicate mapping keys, undefined aliases, non-scalar
// keys, and limits exceeded. Returns one Node per document; an empty input gives none.
std::vector<Node> read_all(std::string_view text, const std::string& file, const ReadLimits& limits = {});

// As read_all, for exactly one document: an empty input gives a Null node; several documents
// are an error.
Node read(std::string_view text, const std::string& file, const ReadLimits& limits = {});

// Reads the file from disk (EnvError "cannot read FILE: reason" when it cannot be read).
Node read_file(const std::string& path, const ReadLimits& limits = {});

}  // namespace slipway::yaml
