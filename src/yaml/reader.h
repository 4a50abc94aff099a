// Reads YAML text into Node trees (node.h) with libyaml's event API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "yaml/node.h"

namespace slipway::yaml {

// What a document may expand to. Every limit counts what the tree would hold once each alias is
// replaced by a copy of its anchor, so "billion laughs" (few bytes, many nodes) and an alias of a
// long string repeated (few nodes, many bytes) fail fast, after reading only the few bytes
// that define them, instead of exhausting memory. A reader error names the limit it hit.
struct ReadLimits {
  // Nodes (scalars, keys included, and collections). A 500-service Compose file has about
  // 20,000. A node costs about 110 bytes in the tree, and loading holds two trees and the JSON
  // model at its peak (normalization can double a list's nodes): 65,536 keeps any
  // project within 64 MiB.
  size_t max_nodes = 65'536;
  // Bytes of scalar text, keys included.
  size_t max_bytes = 16u << 20;
  // Nesting depth of collections.
  int max_depth = 256;
  // Nodes and bytes already used by earlier documents that share these limits (a project's
  // files share one budget: the loader passes what its earlier files used).
  size_t nodes_before = 0;
  size_t bytes_before = 0;
};

// What a read produced, with aliases expanded (to add to ReadLimits::*_before for the next).
struct ReadCounts {
  size_t nodes = 0;
  size_t bytes = 0;
};

// Parses `text` (the content of `file`, used only for marks and messages). Resolves anchors,
// aliases and merge keys (`<<: *a`, `<<: [*a, *b]`; explicit keys win over merged ones, earlier
// merge sources win over later ones). Throws UserError "file:line:col: ..." for invalid YAML,
// invalid UTF-8, tabs used as indentation, duplicate mapping keys, undefined aliases, non-scalar
// keys, and limits exceeded (ReadLimits). Returns one Node per document; an empty input gives
// none. `counts`, when given, receives the nodes and bytes of all documents read.
std::vector<Node> read_all(std::string_view text, const std::string& file, const ReadLimits& limits = {},
                           ReadCounts* counts = nullptr);

// As read_all, for exactly one document: an empty input gives a Null node; several documents
// are an error.
Node read(std::string_view text, const std::string& file, const ReadLimits& limits = {});

// Reads the file from disk through util/read_input.h (at most 8 MiB: UserError beyond;
// EnvError "cannot read the YAML file FILE: reason" when it cannot be read).
Node read_file(const std::string& path, const ReadLimits& limits = {});

}  // namespace slipway::yaml
