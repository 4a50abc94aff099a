// Build contexts: a directory turned into the tar stream POST /build expects, honouring
// .dockerignore exactly as the Docker CLI does (moby's patternmatcher rules), in a
// deterministic order, with a content hash so unchanged contexts can skip the build.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/transport.h"

namespace slipway::engine {

// The lines of a .dockerignore as patterns: comments ("#" first) and blank lines dropped,
// whitespace trimmed, each pattern cleaned like a path, a leading "/" removed, "!" kept.
std::vector<std::string> parse_dockerignore(const std::string& text);

// Decides whether a context-relative, slash-separated path is excluded. Later patterns win;
// "!pattern" re-includes; a path is also excluded when a parent directory is ("dir" excludes
// "dir/a/b"). "*" and "?" do not cross "/", "**" does; "[...]" classes and "\" escapes work.
class IgnoreMatcher {
 public:
  // Throws UserError for an invalid pattern ("!" alone, an unclosed "[").
  explicit IgnoreMatcher(const std::vector<std::string>& patterns, const std::string& source = ".dockerignore");
  ~IgnoreMatcher();
  IgnoreMatcher(IgnoreMatcher&&) noexcept;
  IgnoreMatcher& operator=(IgnoreMatcher&&) noexcept;

  bool excluded(const std::string& path) const;
  // For an excluded directory: true when an exception pattern may re-include something
  // inside it, so the walk must still descend.
  bool must_descend(const std::string& dir) const;
  bool has_exceptions() const;

 private:
  struct Pattern;
  std::vector<std::unique_ptr<Pattern>> patterns_;
  bool exceptions_ = false;
};

struct ContextEntry {
  enum class Kind { file, directory, symlink } kind = Kind::file;
  std::string path;         // relative, slash-separated, as it appears in the tar
  std::string source;       // absolute path on disk ("" for generated entries)
  std::string content;      // generated entries only (an inline or outside Dockerfile)
  std::string link_target;  // symlinks
  unsigned mode = 0644;     // permission bits
  std::int64_t size = 0;
  std::int64_t mtime = 0;
};

struct BuildContext {
  std::string directory;
  std::string dockerfile;  // the Dockerfile's path inside the context, for BuildOptions
  std::vector<ContextEntry> entries;
  // sha256 over every entry's path, kind, mode, link target and content (not mtimes or
  // owners), so a fresh checkout of the same tree hashes the same.
  std::string hash;
  std::int64_t total_bytes = 0;
};

struct ContextOptions {
  // Relative to the context directory, or absolute. A Dockerfile outside the context is sent
  // inside it under a generated name (as the Docker CLI does).
  std::string dockerfile = "Dockerfile";
  // Compose's dockerfile_inline: sent as a generated file, `dockerfile` is then ignored.
  std::string dockerfile_inline;
};

// Walks `directory` (reading its .dockerignore) and decides what the context holds. Throws
// UserError when the directory or the Dockerfile does not exist, EnvError when a file cannot
// be read.
BuildContext scan_context(const std::string& directory, const ContextOptions& options = {});

// A reader producing the context's tar (ustar/pax, owners 0:0, modes and mtimes preserved)
// lazily, so large contexts are never held in memory.
BodyReader context_tar_reader(const BuildContext& context);

// The whole tar in memory (tests, small contexts).
std::string context_tar(const BuildContext& context);

}  // namespace slipway::engine
