#include "engine/build_context.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "util/sha256.h"
#include "util/error.h"

namespace slipway::engine {
namespace {

std::string trim_space(const std::string& s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Lexical path cleaning with the same results as Go's filepath.Clean on Linux.
std::string clean_path(const std::string& path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.empty() || cur == ".") {
    } else if (cur == "..") {
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!rooted)
        parts.push_back("..");
    } else {
      parts.push_back(cur);
    }
    cur.clear();
  };
  for (char c : path) {
    if (c == '/')
      flush();
    else
      cur += c;
  }
  flush();
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  if (out.empty()) return ".";
  return out;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The syntax filepath.Match accepts (Docker rejects a .dockerignore whose pattern it would not):
// classes need at least one item, '-' and ']' must be escaped where they would be ambiguous,
// and a pattern cannot end in a lone backslash.
bool valid_glob(const std::string& p) {
  size_t i = 0, n = p.size();
  auto item = [&](size_t& j) {
    if (j >= n || p[j] == '-' || p[j] == ']') return false;
    if (p[j] == '\\') {
      ++j;
      if (j >= n) return false;
    }
    ++j;
    return true;
  };
  while (i < n) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= n) return false;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i < n && p[i] == '^') ++i;
      int items = 0;
      for (;;) {
        if (i >= n) return false;
        if (p[i] == ']' && items > 0) {
          ++i;
          break;
        }
        if (!item(i)) return false;
        if (i < n && p[i] == '-') {
          ++i;
          if (!item(i)) return false;
        }
        ++items;
      }
    } else {
      ++i;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> parse_dockerignore(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (first && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    first = false;
    // A comment only when "#" is the very first character, as in Docker.
    if (!line.empty() && line[0] == '#') continue;
    std::string p = trim_space(line);
    if (p.empty()) continue;
    bool invert = p[0] == '!';
    if (invert) p = trim_space(p.substr(1));
    if (!p.empty()) {
      p = clean_path(p);
      if (p.size() > 1 && p[0] == '/') p = p.substr(1);
    }
    out.push_back(invert ? "!" + p : p);
  }
  return out;
}

struct IgnoreMatcher::Pattern {
  enum class Type { exact, prefix, suffix, regex } type = Type::exact;
  std::string text;  // cleaned, without "!"
  bool exception = false;
  std::regex re;

  bool match(const std::string& path) const {
    switch (type) {
      case Type::exact:
        return path == text;
      case Type::prefix:
        return path.compare(0, text.size() - 2, text, 0, text.size() - 2) == 0;
      case Type::suffix: {
        std::string suffix = text.substr(2);
        if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
          return true;
        return !suffix.empty() && suffix[0] == '/' && path == suffix.substr(1);
      }
      case Type::regex:
        return std::regex_match(path, re);
    }
    return false;
  }
};

IgnoreMatcher::IgnoreMatcher(const std::vector<std::string>& patterns, const std::string& source) {
  for (const auto& raw : patterns) {
    std::string p = trim_space(raw);
    if (p.empty()) continue;
    p = clean_path(p);
    auto pat = std::make_unique<Pattern>();
    if (p[0] == '!') {
      if (p.size() == 1)
        throw UserError(Location{source, 0, 0},
                        "illegal exclusion pattern \"!\" (name what to re-include, e.g. !keep.txt)");
      pat->exception = true;
      exceptions_ = true;
      p = p.substr(1);
    }
    pat->text = p;
    if (!valid_glob(p))
      throw UserError(Location{source, 0, 0}, "invalid pattern '" + raw + "' (check its [ ] classes and \\ escapes)");
    // Translate to a regular expression the way Docker does: "*" and "?" stay within one path
    // element, "**" spans any number of them, other regex syntax is escaped.
    std::string re = "^";
    using T = Pattern::Type;
    T type = T::exact;
    for (size_t i = 0; i < p.size(); ++i) {
      char c = p[i];
      if (c == '*') {
        if (i + 1 < p.size() && p[i + 1] == '*') {
          bool at_start = i == 0;
          ++i;
          if (i + 1 < p.size() && p[i + 1] == '/') ++i;
          if (i + 1 >= p.size()) {
            if (type == T::exact) {
              type = T::prefix;
            } else {
              re += ".*";
              type = T::regex;
            }
          } else {
            re += "(.*/)?";
            type = T::regex;
          }
          if (at_start) type = T::suffix;
        } else {
          re += "[^/]*";
          type = T::regex;
        }
      } else if (c == '?') {
        re += "[^/]";
        type = T::regex;
      } else if (std::strchr(".+()|{}$", c)) {
        re += '\\';
        re += c;
      } else if (c == '\\') {
        re += '\\';
        re += p[++i];
        type = T::regex;
      } else if (c == '[' || c == ']') {
        re += c;
        type = T::regex;
      } else {
        re += c;
      }
    }
    pat->type = type;
    if (type == T::regex) {
      re += "$";
      try {
        pat->re = std::regex(re, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        throw UserError(Location{source, 0, 0}, "invalid pattern '" + raw + "' (check its [ ] classes and escapes)");
      }
    }
    patterns_.push_back(std::move(pat));
  }
}

IgnoreMatcher::~IgnoreMatcher() = default;
IgnoreMatcher::IgnoreMatcher(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher& IgnoreMatcher::operator=(IgnoreMatcher&&) noexcept = default;

bool IgnoreMatcher::has_exceptions() const { return exceptions_; }

bool IgnoreMatcher::excluded(const std::string& path_in) const {
  std::string path = clean_path(path_in);
  if (path == ".") return false;
  std::string parent = dir_of(path);
  std::vector<std::string> parents;
  if (parent != ".") {
    std::string acc;
    size_t start = 0;
    for (;;) {
      size_t slash = parent.find('/', start);
      acc = parent.substr(0, slash);
      parents.push_back(acc);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  bool matched = false;
  for (const auto& p : patterns_) {
    // An include that already matched, or an exception with nothing to undo, changes nothing.
    if (p->exception != matched) continue;
    bool m = p->match(path);
    for (size_t i = 0; !m && i < parents.size(); ++i) m = p->match(parents[i]);
    if (m) matched = !p->exception;
  }
  return matched;
}

bool IgnoreMatcher::must_descend(const std::string& dir) const {
  if (!exceptions_) return false;
  std::string dir_slash = clean_path(dir) + "/";
  for (const auto& p : patterns_) {
    if (!p->exception) continue;
    std::string s = p->text + "/";
    if (s.compare(0, dir_slash.size(), dir_slash) == 0) return true;
  }
  return false;
}

// ---- scanning --------------------------------------------------------------------------

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnvError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void hash_file(Sha256& h, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw EnvError("cannot read " + path + " for the build context: " + std::strerror(errno));
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      ::close(fd);
      throw EnvError("cannot read " + path + " for the build context: " + std::strerror(e));
    }
    if (r == 0) break;
    h.update(buf, static_cast<size_t>(r));
  }
  ::close(fd);
}

struct Walker {
  const std::string& root;
  const IgnoreMatcher& matcher;
  std::vector<ContextEntry>& out;

  void walk(const std::string& rel) {
    std::string abs = rel.empty() ? root : root + "/" + rel;
    DIR* d = ::opendir(abs.c_str());
    if (!d) throw EnvError("cannot list " + abs + " for the build context: " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string r = rel.empty() ? n : rel + "/" + n;
      std::string a = root + "/" + r;
      struct stat st;
      if (::lstat(a.c_str(), &st) != 0) continue;  // vanished while walking
      bool is_dir = S_ISDIR(st.st_mode);
      if (matcher.excluded(r)) {
        if (is_dir && matcher.must_descend(r)) walk(r);
        continue;
      }
      ContextEntry e;
      e.path = r;
      e.source = a;
      e.mode = st.st_mode & 07777;
      e.mtime = st.st_mtime;
      if (is_dir) {
        e.kind = ContextEntry::Kind::directory;
        out.push_back(e);
        walk(r);
      } else if (S_ISLNK(st.st_mode)) {
        e.kind = ContextEntry::Kind::symlink;
        std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
        ssize_t len = ::readlink(a.c_str(), target.data(), target.size());
        if (len < 0) continue;
        target.resize(static_cast<size_t>(len));
        e.link_target = target;
        out.push_back(e);
      } else if (S_ISREG(st.st_mode)) {
        e.size = st.st_size;
        out.push_back(e);
      }
      // Sockets, fifos and devices have no place in an image build.
    }
  }
};

}  // namespace

BuildContext scan_context(const std::string& directory, const ContextOptions& options) {
  BuildContext ctx;
  struct stat st;
  if (directory.empty() || ::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UserError("build context " + directory + " is not a directory (check build.context)");
  char* real = ::realpath(directory.c_str(), nullptr);
  ctx.directory = real ? real : directory;
  std::free(real);

  std::vector<std::string> patterns;
  std::string ignore_path = ctx.directory + "/.dockerignore";
  if (::stat(ignore_path.c_str(), &st) == 0) patterns = parse_dockerignore(read_file(ignore_path));

  // Where the Dockerfile is, and whether it must be sent under a generated name.
  std::string generated_content;
  if (!options.dockerfile_inline.empty()) {
    generated_content = options.dockerfile_inline;
  } else {
    std::string df = options.dockerfile.empty() ? "Dockerfile" : options.dockerfile;
    std::string full = clean_path(df[0] == '/' ? df : ctx.directory + "/" + df);
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw UserError("Dockerfile " + full + " not found (check build.dockerfile and build.context)");
    if (full.rfind(ctx.directory + "/", 0) == 0) {
      ctx.dockerfile = full.substr(ctx.directory.size() + 1);
    } else {
      generated_content = read_file(full);
    }
  }
  if (!generated_content.empty()) ctx.dockerfile = ".slipway.Dockerfile." + sha256_hex(generated_content).substr(0, 12);

  // The Docker CLI always sends the Dockerfile and .dockerignore, even when ignored.
  {
    IgnoreMatcher probe(patterns, ignore_path);
    if (probe.excluded(".dockerignore")) patterns.push_back("!.dockerignore");
    if (generated_content.empty() && probe.excluded(ctx.dockerfile)) patterns.push_back("!" + ctx.dockerfile);
  }
  IgnoreMatcher matcher(patterns, ignore_path);
  Walker{ctx.directory, matcher, ctx.entries}.walk("");
  if (!generated_content.empty()) {
    ContextEntry e;
    e.path = ctx.dockerfile;
    e.content = generated_content;
    e.size = static_cast<std::int64_t>(generated_content.size());
    ctx.entries.push_back(e);
  }

  Sha256 h;
  for (const auto& e : ctx.entries) {
    char kind = e.kind == ContextEntry::Kind::directory ? 'd' : e.kind == ContextEntry::Kind::symlink ? 'l' : 'f';
    std::string head = std::string(1, kind) + " " + std::to_string(e.mode) + " " + e.path + '\0' + e.link_target + '\0';
    h.update(head);
    if (e.kind == ContextEntry::Kind::file) {
      if (e.source.empty())
        h.update(e.content);
      else
        hash_file(h, e.source);
      ctx.total_bytes += e.size;
    }
  }
  ctx.hash = h.hex();
  return ctx;
}

// ---- tar stream --------------------------------------------------------------------------

namespace {

struct TarState {
  std::vector<ContextEntry> entries;
  size_t next = 0;
  archive* a = nullptr;
  std::string buffer;
  size_t pos = 0;
  int fd = -1;
  std::int64_t remaining = 0;  // bytes still owed for the current file
  bool done = false;

  ~TarState() {
    if (fd >= 0) ::close(fd);
    if (a) archive_write_free(a);
  }

  static la_ssize_t on_write(archive*, void* self, const void* data, size_t n) {
    auto* s = static_cast<TarState*>(self);
    s->buffer.append(static_cast<const char*>(data), n);
    return static_cast<la_ssize_t>(n);
  }

  void fail(const std::string& what) {
    throw EnvError("building the context tar: " + what +
                   (a && archive_error_string(a) ? std::string(": ") + archive_error_string(a) : ""));
  }

  void open() {
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_per_block(a, 0);  // hand data over as produced; no 10 KiB blocking
    if (archive_write_open(a, this, nullptr, &TarState::on_write, nullptr) != ARCHIVE_OK) fail("open");
  }

  // Produces more tar bytes into `buffer`; sets `done` at the end.
  void step() {
    if (!a) open();
    if (fd >= 0) {
      char buf[65536];
      size_t want = static_cast<size_t>(std::min<std::int64_t>(remaining, sizeof buf));
      ssize_t r = want ? ::read(fd, buf, want) : 0;
      if (r < 0 && errno == EINTR) return;
      if (r < 0) fail(std::string("reading ") + entries[next - 1].source + ": " + std::strerror(errno));
      if (r > 0) {
        if (archive_write_data(a, buf, static_cast<size_t>(r)) < 0) fail("write");
        remaining -= r;
      }
      if (r == 0 || remaining == 0) {
        // A file that shrank since the scan is padded with zeros by libarchive.
        ::close(fd);
        fd = -1;
        archive_write_finish_entry(a);
      }
      return;
    }
    if (next < entries.size()) {
      const ContextEntry& e = entries[next++];
      archive_entry* ae = archive_entry_new();
      archive_entry_copy_pathname(ae, e.path.c_str());
      archive_entry_set_perm(ae, e.mode);
      archive_entry_set_mtime(ae, e.mtime, 0);
      archive_entry_set_uid(ae, 0);
      archive_entry_set_gid(ae, 0);
      if (e.kind == ContextEntry::Kind::directory) {
        archive_entry_set_filetype(ae, AE_IFDIR);
      } else if (e.kind == ContextEntry::Kind::symlink) {
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_copy_symlink(ae, e.link_target.c_str());
      } else {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, e.size);
      }
      int rc = archive_write_header(a, ae);
      archive_entry_free(ae);
      if (rc < ARCHIVE_WARN) fail("header of " + e.path);
      if (e.kind == ContextEntry::Kind::file) {
        if (e.source.empty()) {
          if (archive_write_data(a, e.content.data(), e.content.size()) < 0) fail("write");
          archive_write_finish_entry(a);
        } else {
          fd = ::open(e.source.c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0) fail("reading " + e.source + ": " + std::strerror(errno));
          remaining = e.size;
        }
      }
      return;
    }
    archive_write_close(a);
    done = true;
  }
};

}  // namespace

BodyReader context_tar_reader(const BuildContext& context) {
  auto state = std::make_shared<TarState>();
  state->entries = context.entries;
  return [state](char* out, size_t cap) -> size_t {
    while (state->buffer.size() - state->pos < cap && !state->done) state->step();
    size_t k = std::min(cap, state->buffer.size() - state->pos);
    std::memcpy(out, state->buffer.data() + state->pos, k);
    state->pos += k;
    if (state->pos > (1u << 20)) {
      state->buffer.erase(0, state->pos);
      state->pos = 0;
    }
    return k;
  };
}

std::string context_tar(const BuildContext& context) {
  BodyReader r = context_tar_reader(context);
  std::string out;
  char buf[65536];
  while (size_t n = r(buf, sizeof buf)) out.append(buf, n);
  return out;
}

}  // namespace slipway::engine
