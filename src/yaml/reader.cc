// Reading happens in two passes per document.
//
// Pass 1 pulls libyaml events into a flat "tape" and resolves every alias to the tape range of
// its anchor, counting how many nodes the document would have once every alias is expanded.
// Because nothing is copied yet, an alias bomb is rejected after reading its few hundred bytes,
// in microseconds and without memory growth.
//
// Pass 2 builds the Node tree by replaying the tape; an alias replays its anchor's range. Both
// passes keep explicit stacks (libyaml's parser is itself iterative), so nesting depth costs heap,
// never C++ stack, and is bounded by ReadLimits::max_depth before anything recurses on the tree.
#include "yaml/reader.h"

#include <yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "util/read_input.h"

namespace slipway::yaml {
namespace {

constexpr std::string_view kStdTagPrefix = "tag:yaml.org,2002:";

struct TapeEvent {
  enum Type : unsigned char { Scalar, SeqStart, MapStart, End, Alias };
  Type type = Scalar;
  Style style = Style::Plain;
  Mark mark;
  std::string value;    // scalars
  Tag tag;              // as libyaml resolved it ("!reset", "tag:yaml.org,2002:str", "!")
  size_t target = 0;    // aliases: index into anchors; collection starts: number of children
  bool shared = false;  // inside an anchored node: may be replayed, so never moved from
};

struct AnchorRange {
  size_t begin = 0;  // first tape event of the anchored node
  size_t end = 0;    // one past its last event
  size_t nodes = 0;  // nodes it expands to
  size_t bytes = 0;  // scalar bytes it expands to
};

class Parser {
 public:
  Parser() {
    if (!yaml_parser_initialize(&parser_)) throw EnvError("cannot initialize the YAML parser (out of memory)");
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
};

class Event {
 public:
  Event() { std::memset(&event_, 0, sizeof event_); }
  ~Event() { yaml_event_delete(&event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }
  yaml_event_t* operator->() { return &event_; }

 private:
  yaml_event_t event_;
};

class Reader {
 public:
  Reader(std::string_view text, const std::string& file, const ReadLimits& limits)
      : text_(text), file_(intern_file(file)), limits_(limits) {}

  std::vector<Node> read_documents(bool only_one) {
    std::vector<Node> docs;
    yaml_parser_set_input_string(parser_.get(), reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
    for (;;) {
      Event ev;
      if (!yaml_parser_parse(parser_.get(), ev.get())) fail_from_libyaml();
      switch (ev->type) {
        case YAML_STREAM_END_EVENT:
          return docs;
        case YAML_DOCUMENT_START_EVENT:
          if (only_one && !docs.empty())
            throw UserError(mark_of(ev->start_mark).location(),
                            "expected a single YAML document, found several (remove the extra `---` documents)");
          start_document();
          break;
        case YAML_DOCUMENT_END_EVENT:
          docs.push_back(build());
          break;
        case YAML_SCALAR_EVENT:
          on_scalar(ev);
          break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
          on_collection_start(ev);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          on_collection_end(ev);
          break;
        case YAML_ALIAS_EVENT:
          on_alias(ev);
          break;
        default:
          break;  // stream start, no-op events
      }
    }
  }

  const ReadCounts& counts() const { return counts_; }

 private:
  struct Open {
    size_t begin;
    ReadCounts before;
    std::string anchor;
    bool anchored;
    size_t children;
  };

  // ---- pass 1: events to the tape, counting what aliases expand to ----

  static Style style_of(yaml_scalar_style_t s) {
    switch (s) {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return Style::Quoted;
      case YAML_LITERAL_SCALAR_STYLE:
      case YAML_FOLDED_SCALAR_STYLE:
        return Style::Block;
      default:
        return Style::Plain;
    }
  }

  void on_scalar(Event& ev) {
    TapeEvent t;
    t.type = TapeEvent::Scalar;
    t.mark = mark_of(ev->start_mark);
    t.value.assign(reinterpret_cast<const char*>(ev->data.scalar.value), ev->data.scalar.length);
    if (ev->data.scalar.tag) t.tag.set(reinterpret_cast<const char*>(ev->data.scalar.tag));
    t.style = style_of(ev->data.scalar.style);
    size_t begin = tape_.size();
    ReadCounts before = counts_;
    t.shared = anchored_open_ > 0 || ev->data.scalar.anchor != nullptr;
    child();
    count(1, t.value.size(), t.mark);
    tape_.push_back(std::move(t));
    if (ev->data.scalar.anchor) define_anchor(reinterpret_cast<const char*>(ev->data.scalar.anchor), begin, before);
  }

  void on_collection_start(Event& ev) {
    bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
    TapeEvent t;
    t.type = seq ? TapeEvent::SeqStart : TapeEvent::MapStart;
    t.mark = mark_of(ev->start_mark);
    const yaml_char_t* tag = seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
    const yaml_char_t* anchor = seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    if (tag) t.tag.set(reinterpret_cast<const char*>(tag));
    if (static_cast<int>(open_.size()) >= limits_.max_depth) depth_error(t.mark);
    if (anchor) ++anchored_open_;
    t.shared = anchored_open_ > 0;
    child();
    open_.push_back(Open{tape_.size(), counts_, anchor ? reinterpret_cast<const char*>(anchor) : std::string(),
                         anchor != nullptr, 0});
    count(1, 0, t.mark);
    tape_.push_back(std::move(t));
  }

  void on_collection_end(Event& ev) {
    TapeEvent t;
    t.type = TapeEvent::End;
    t.mark = mark_of(ev->start_mark);
    tape_.push_back(std::move(t));
    Open o = std::move(open_.back());
    open_.pop_back();
    tape_[o.begin].target = o.children;
    if (o.anchored) {
      --anchored_open_;
      define_anchor(o.anchor, o.begin, o.before);
    }
  }

  void on_alias(Event& ev) {
    std::string name = reinterpret_cast<const char*>(ev->data.alias.anchor);
    Mark m = mark_of(ev->start_mark);
    auto it = anchor_by_name_.find(name);
    if (it == anchor_by_name_.end())
      throw UserError(m.location(), "unknown alias *" + name + " (define the anchor &" + name +
                                        " before the alias, outside the node it refers to)");
    TapeEvent t;
    t.type = TapeEvent::Alias;
    t.mark = m;
    t.target = it->second;
    child();
    aliases_ = true;
    count(anchors_[it->second].nodes, anchors_[it->second].bytes, m);
    tape_.push_back(std::move(t));
  }

  Mark mark_of(const yaml_mark_t& m) const {
    return Mark{file_, static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
  }

  void start_document() {
    tape_.clear();
    anchors_.clear();
    anchor_by_name_.clear();
    open_.clear();
    anchored_open_ = 0;
  }

  // Every node that starts (scalar, collection, alias) is one child of the open collection;
  // the totals let pass 2 size each vector once instead of growing it.
  void child() {
    if (!open_.empty()) ++open_.back().children;
  }

  // Counts what a node expands to against the limits (totals over every document read here and,
  // through ReadLimits::*_before, the project's earlier files).
  void count(size_t nodes, size_t bytes, const Mark& where) {
    counts_.nodes += nodes;
    counts_.bytes += bytes;
    if (limits_.nodes_before + counts_.nodes > limits_.max_nodes) limit_error(where, false);
    if (limits_.bytes_before + counts_.bytes > limits_.max_bytes) limit_error(where, true);
  }

  // Blames aliases only when the document used one.
  [[noreturn]] void limit_error(const Mark& where, bool bytes) const {
    std::string amount =
        bytes ? size_text(limits_.max_bytes) + " of text" : std::to_string(limits_.max_nodes) + " nodes";
    if (aliases_)
      throw UserError(where.location(), "the document expands to more than " + amount +
                                            " through its aliases (an alias bomb? repeat less through aliases)");
    throw UserError(where.location(),
                    std::string(limits_.nodes_before || limits_.bytes_before ? "the project's Compose files hold"
                                                                             : "the document holds") +
                        " more than " + amount + ", slipway's limit for one project (is this the right file?)");
  }

  static std::string size_text(size_t bytes) {
    if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
  }

  void define_anchor(const std::string& name, size_t begin, const ReadCounts& before) {
    // Totals only grow, so what was counted since the node began is exactly its expanded size.
    anchors_.push_back(AnchorRange{begin, tape_.size(), counts_.nodes - before.nodes, counts_.bytes - before.bytes});
    anchor_by_name_[name] = anchors_.size() - 1;  // a redefinition shadows the earlier anchor
  }

  [[noreturn]] void depth_error(const Mark& m) const {
    throw UserError(m.location(), "collections nested deeper than " + std::to_string(limits_.max_depth) +
                                      " levels (flatten the document)");
  }

  // ---- pass 2 ----

  struct Frame {
    Node node;
    bool have_key = false;
    bool has_merge = false;
    Node key;
    // Built lazily for large mappings so duplicate checks stay linear overall.
    std::unordered_map<std::string, int> index;
  };

  static bool is_merge_key(const Node& key) {
    return key.is_scalar() && key.style() == Style::Plain && key.tag().empty() && key.value() == "<<";
  }

  // Moves the text out of events that are read once; copies those an alias may replay.
  Node make_scalar(TapeEvent& t) const {
    Style style = t.style;
    bool null_tag = false;
    std::string tag;
    if (!t.tag.str().empty()) {
      std::string_view tv = t.tag.str();
      if (tv.substr(0, kStdTagPrefix.size()) == kStdTagPrefix) {
        std::string_view name = tv.substr(kStdTagPrefix.size());
        if (name == "null")
          null_tag = true;
        else if (name == "merge") {
          // `!!merge <<` is what a plain `<<` resolves to: keep it recognisable.
        } else if (name == "bool" || name == "int" || name == "float") {
          // `!!int "7"` is the number 7: plain style tells the consumer to resolve the text.
          style = Style::Plain;
        } else if (style == Style::Plain) {
          style = Style::Quoted;  // !!str, !!binary, !!timestamp...: a string
        }
      } else if (tv == "!") {
        if (style == Style::Plain) style = Style::Quoted;  // the non-specific tag means "string"
      } else {
        tag = t.tag.str();
      }
    }
    const std::string& v = t.value;
    bool is_null =
        null_tag || (style == Style::Plain && (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL"));
    Node n = is_null ? Node::null(t.mark) : Node::scalar(std::string(), t.mark, style);
    if (t.shared)
      n.set_value(v);
    else
      n.set_value(std::move(t.value));
    if (!tag.empty()) n.set_tag(std::move(tag));
    return n;
  }

  static std::string collection_tag(const TapeEvent& t) {
    const std::string& tag = t.tag.str();
    if (tag.empty() || tag == "!" || std::string_view(tag).substr(0, kStdTagPrefix.size()) == kStdTagPrefix) return {};
    return tag;
  }

  void check_duplicate(Frame& f, const Node& key) {
    const std::string& k = key.value();
    auto& entries = f.node.entries();
    int found = -1;
    if (!f.index.empty() || entries.size() >= 16) {
      if (f.index.empty())
        for (size_t i = 0; i < entries.size(); ++i) f.index.emplace(entries[i].key.value(), static_cast<int>(i));
      auto it = f.index.find(k);
      if (it != f.index.end()) found = it->second;
    } else {
      for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].key.value() == k) {
          found = static_cast<int>(i);
          break;
        }
    }
    if (found >= 0)
      throw UserError(key.location(), "mapping key \"" + k + "\" already defined at line " +
                                          std::to_string(entries[found].key.mark().line) + " (remove one of the two)");
  }

  // Applies `<<` entries: explicit keys win over merged ones, an earlier source over a later one,
  // and merged entries take the place where `<<` stood.
  void apply_merges(Node& map) {
    std::unordered_set<std::string> seen;
    for (const auto& e : map.entries())
      if (!is_merge_key(e.key)) seen.insert(e.key.value());
    std::vector<Node::Entry> out;
    size_t capacity = map.entries().size();
    for (const auto& e : map.entries()) {
      if (!is_merge_key(e.key)) continue;
      if (e.value.is_mapping()) capacity += e.value.size();
      for (const Node& item : e.value.items()) capacity += item.size();
    }
    out.reserve(capacity);
    auto merge_from = [&](Node& src) {
      for (auto& se : src.entries())
        if (seen.insert(se.key.value()).second) out.push_back(std::move(se));
    };
    for (auto& e : map.entries()) {
      if (!is_merge_key(e.key)) {
        out.push_back(std::move(e));
        continue;
      }
      if (e.value.is_mapping()) {
        merge_from(e.value);
      } else if (e.value.is_sequence()) {
        for (Node& item : e.value.items()) {
          if (!item.is_mapping())
            throw UserError(item.location(), std::string("merge key << lists a ") + item.kind_name() +
                                                 " (list only mappings, e.g. `<<: [*a, *b]`)");
          merge_from(item);
        }
      } else {
        throw UserError(e.value.location(), std::string("merge key << needs a mapping or a list of mappings, not a ") +
                                                e.value.kind_name() + " (e.g. `<<: *anchor`)");
      }
    }
    map.entries() = std::move(out);
  }

  // Hands a finished node to the collection being built (or makes it the document).
  void deliver(std::vector<Frame>& frames, Node n, Node* root) {
    if (frames.empty()) {
      *root = std::move(n);
      return;
    }
    Frame& f = frames.back();
    if (f.node.is_sequence()) {
      f.node.push_back(std::move(n));
      return;
    }
    if (!f.have_key) {
      if (n.is_null()) {
        // `~: x` or `? ` keys: keep the written text as a string key.
        Node k = Node::scalar(n.value(), n.mark(), Style::Plain);
        k.set_tag(n.tag());
        n = std::move(k);
      } else if (!n.is_scalar()) {
        throw UserError(n.location(),
                        std::string("a ") + n.kind_name() + " cannot be a mapping key (use a plain string as the key)");
      }
      check_duplicate(f, n);
      if (is_merge_key(n)) f.has_merge = true;
      f.key = std::move(n);
      f.have_key = true;
      return;
    }
    if (!f.index.empty()) f.index.emplace(f.key.value(), static_cast<int>(f.node.entries().size()));
    f.node.entries().push_back(Node::Entry{std::move(f.key), std::move(n)});
    f.have_key = false;
  }

  Node build() {
    Node root;
    std::vector<Frame> frames;
    frames.reserve(32);
    struct Cursor {
      size_t pos, end;
    };
    std::vector<Cursor> cursors{{0, tape_.size()}};
    size_t built = 0;
    while (!cursors.empty()) {
      Cursor& c = cursors.back();
      if (c.pos == c.end) {
        cursors.pop_back();
        continue;
      }
      TapeEvent& t = tape_[c.pos++];
      switch (t.type) {
        case TapeEvent::Alias: {
          const AnchorRange& a = anchors_[t.target];
          cursors.push_back(Cursor{a.begin, a.end});
          break;
        }
        case TapeEvent::Scalar:
          if (++built > counts_.nodes) limit_error(t.mark, false);  // pass 1 makes this unreachable
          deliver(frames, make_scalar(t), &root);
          break;
        case TapeEvent::SeqStart:
        case TapeEvent::MapStart: {
          if (++built > counts_.nodes) limit_error(t.mark, false);  // pass 1 makes this unreachable
          // Aliases can nest an anchor inside deeper structure than it was written in.
          if (static_cast<int>(frames.size()) >= limits_.max_depth) depth_error(t.mark);
          Frame f;
          if (t.type == TapeEvent::SeqStart) {
            f.node = Node::sequence(t.mark);
            f.node.items().reserve(t.target);
          } else {
            f.node = Node::mapping(t.mark);
            f.node.entries().reserve(t.target / 2);
          }
          std::string tag = collection_tag(t);
          if (!tag.empty()) f.node.set_tag(std::move(tag));
          frames.push_back(std::move(f));
          break;
        }
        case TapeEvent::End: {
          Frame f = std::move(frames.back());
          frames.pop_back();
          if (f.has_merge) apply_merges(f.node);
          deliver(frames, std::move(f.node), &root);
          break;
        }
      }
    }
    tape_.clear();
    return root;
  }

  // ---- errors ----

  // Line and column (1-based) of a byte offset, for reader errors that only know the offset.
  std::pair<int, int> position_of(size_t offset) const {
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i)
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    int col = 1;
    for (size_t i = line_start; i < offset && i < text_.size(); ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    return {line, col};
  }

  std::string_view line_text(int line) const {
    size_t start = 0;
    for (int l = 1; l < line; ++l) {
      size_t nl = text_.find('\n', start);
      if (nl == std::string_view::npos) return {};
      start = nl + 1;
    }
    size_t end = text_.find('\n', start);
    return text_.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  }

  [[noreturn]] void fail_from_libyaml() {
    yaml_parser_t* p = parser_.get();
    const std::string problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_MEMORY_ERROR) throw EnvError(*file_ + ": out of memory while reading YAML");
    if (p->error == YAML_READER_ERROR) {
      auto [line, col] = position_of(p->problem_offset);
      std::string msg;
      if (problem.find("UTF") != std::string::npos || problem.find("octet") != std::string::npos) {
        msg = "invalid UTF-8: " + problem;
        if (p->problem_value != -1) {
          char buf[16];
          std::snprintf(buf, sizeof buf, " 0x%02X", static_cast<unsigned>(p->problem_value) & 0xFFu);
          msg += buf;
        }
        msg += " (YAML files must be UTF-8 encoded; convert it, e.g. with iconv)";
      } else if (problem.find("control characters") != std::string::npos) {
        msg = problem + " (remove the non-printable byte";
        if (p->problem_value != -1) {
          char buf[16];
          std::snprintf(buf, sizeof buf, " 0x%02X", static_cast<unsigned>(p->problem_value));
          msg += buf;
        }
        msg += ")";
      } else {
        msg = problem;
      }
      throw UserError(Location{*file_, line, col}, msg);
    }
    Mark m = mark_of(p->problem_mark);
    std::string msg = problem;
    if (p->context) {
      msg += std::string(" ") + p->context;
      Mark cm = mark_of(p->context_mark);
      if (cm.line != m.line || cm.column != m.column)
        msg += " that started at line " + std::to_string(cm.line) + " column " + std::to_string(cm.column);
    }
    std::string_view lt = line_text(m.line);
    size_t indent = lt.find_first_not_of(' ');
    if ((indent != std::string_view::npos && lt[indent] == '\t') ||
        (m.column >= 1 && static_cast<size_t>(m.column - 1) < lt.size() && lt[m.column - 1] == '\t'))
      msg += " (tabs cannot be used for indentation; use spaces)";
    throw UserError(m.location(), msg);
  }

  std::string_view text_;
  const std::string* file_;
  ReadLimits limits_;
  Parser parser_;

  std::vector<TapeEvent> tape_;
  std::vector<AnchorRange> anchors_;
  std::unordered_map<std::string, size_t> anchor_by_name_;
  std::vector<Open> open_;
  ReadCounts counts_;
  bool aliases_ = false;
  int anchored_open_ = 0;
};

}  // namespace

std::vector<Node> read_all(std::string_view text, const std::string& file, const ReadLimits& limits,
                           ReadCounts* counts) {
  Reader r(text, file, limits);
  std::vector<Node> docs = r.read_documents(false);
  if (counts) *counts = r.counts();
  return docs;
}

Node read(std::string_view text, const std::string& file, const ReadLimits& limits) {
  Reader r(text, file, limits);
  std::vector<Node> docs = r.read_documents(true);
  if (docs.empty()) return Node::null(Mark{intern_file(file), 1, 1});
  return std::move(docs.front());
}

Node read_file(const std::string& path, const ReadLimits& limits) {
  return read(read_input_file(path, "YAML file"), path, limits);
}

}  // namespace slipway::yaml
