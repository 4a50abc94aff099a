// Parsing a gossfile template: text and {{actions}} (lexing, with "{{-" / "-}}" trimming),
// the block structure (if/else if/else, range, with ... end) and each action's pipeline.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "checks/template_ast.h"
#include "util/error.h"
#include "util/parse.h"
#include "util/split.h"
#include "util/text.h"

namespace slipway::checks::tmpl {
namespace {

// ---- lexing: text and actions

struct Item {
  bool action = false;
  std::string text;
  int line = 0;
};

// Where the action starting at `start` ends (its "}}"), skipping quoted strings; npos when
// it never does.
size_t action_end(const std::string& src, size_t start) {
  char quote = 0;
  for (size_t j = start; j < src.size(); ++j) {
    char c = src[j];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++j;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '`' || c == '\'') {
      quote = c;
    } else if (c == '}' && j + 1 < src.size() && src[j + 1] == '}') {
      return j;
    }
  }
  return std::string::npos;
}

std::string trim_left(const std::string& s) {
  size_t k = s.find_first_not_of(" \t\r\n");
  return k == std::string::npos ? "" : s.substr(k);
}

std::string trim_right(const std::string& s) {
  size_t k = s.find_last_not_of(" \t\r\n");
  return k == std::string::npos ? "" : s.substr(0, k + 1);
}

int count_lines(const std::string& s, size_t from, size_t to) {
  return static_cast<int>(std::count(s.begin() + static_cast<long>(from), s.begin() + static_cast<long>(to), '\n'));
}

std::vector<Item> lex(const std::string& src, const std::string& file) {
  std::vector<Item> items;
  size_t i = 0;
  int line = 1;
  bool trim_next = false;  // the previous action ended with "-}}"
  while (i < src.size()) {
    size_t open = src.find("{{", i);
    std::string text = src.substr(i, open == std::string::npos ? std::string::npos : open - i);
    if (trim_next) text = trim_left(text);
    trim_next = false;
    if (open == std::string::npos) {
      items.push_back({false, text, line});
      break;
    }
    int action_line = line + count_lines(src, i, open);
    size_t start = open + 2;
    if (src.compare(start, 2, "- ") == 0 || src.compare(start, 2, "-\t") == 0 || src.compare(start, 2, "-\n") == 0) {
      text = trim_right(text);
      start += 1;
    }
    items.push_back({false, text, line});
    size_t end = action_end(src, start);
    if (end == std::string::npos) fail(file, action_line, "unclosed action");
    std::string body = src.substr(start, end - start);
    if (body.size() >= 2 && body.back() == '-' && std::isspace(static_cast<unsigned char>(body[body.size() - 2]))) {
      body.pop_back();
      trim_next = true;
    }
    items.push_back({true, body, action_line});
    line = action_line + count_lines(src, open, end + 2);
    i = end + 2;
  }
  return items;
}

// ---- tokens of a pipeline

struct Tok {
  enum Kind { Word, Str, Open, Close, Bar, Decl, Assign, Comma } kind;
  std::string s;
};

// A "..." string starting at s[i] (the quote); `i` ends after the closing quote.
std::optional<std::string> read_quoted(const std::string& s, size_t& i) {
  std::string v;
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    } else {
      v += s[i];
    }
  }
  if (i >= s.size()) return std::nullopt;
  ++i;
  return v;
}

bool word_char(const std::string& s, size_t i) {
  return !std::isspace(static_cast<unsigned char>(s[i])) && std::string("()|,\"`=").find(s[i]) == std::string::npos &&
         !(s[i] == ':' && i + 1 < s.size() && s[i + 1] == '=');
}

std::vector<Tok> tokenize(const std::string& s, const std::string& file, int line) {
  std::vector<Tok> toks;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"') {
      auto v = read_quoted(s, i);
      if (!v) fail(file, line, "unterminated quoted string");
      toks.push_back({Tok::Str, *v});
    } else if (c == '`' || c == '\'') {
      size_t e = s.find(c, i + 1);
      if (e == std::string::npos)
        fail(file, line, c == '`' ? "unterminated raw string" : "unterminated character constant");
      if (c == '`')
        toks.push_back({Tok::Str, s.substr(i + 1, e - i - 1)});
      else
        toks.push_back({Tok::Word, std::to_string(static_cast<int>(s[i + 1]))});
      i = e + 1;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == '=') {
      toks.push_back({Tok::Decl, ":="});
      i += 2;
    } else if (std::string("()|,=").find(c) != std::string::npos) {
      static const Tok::Kind kinds[] = {Tok::Open, Tok::Close, Tok::Bar, Tok::Comma, Tok::Assign};
      toks.push_back({kinds[std::string("()|,=").find(c)], std::string(1, c)});
      ++i;
    } else {
      size_t b = i;
      while (i < s.size() && word_char(s, i)) ++i;
      toks.push_back({Tok::Word, s.substr(b, i - b)});
    }
  }
  return toks;
}

// A number as Go's template lexer reads one: decimal, 0x hex, 0o or leading-0 octal, 0b
// binary, or a float; nullopt when `w` is none of these.
std::optional<json> number_literal(const std::string& w) {
  std::string digits = w[0] == '+' ? w.substr(1) : w;
  bool negative = !digits.empty() && digits[0] == '-';
  std::string_view body = std::string_view(digits).substr(negative ? 1 : 0);
  int base = 10;
  if (body.size() > 1 && body[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(body[1])));
    base = p == 'x' ? 16 : p == 'b' ? 2 : 8;
    body.remove_prefix(p == 'x' || p == 'b' || p == 'o' ? 2 : 1);
  }
  long long value = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value, base);
  if (!body.empty() && body[0] != '-' && ec == std::errc() && end == body.data() + body.size())
    return json(negative ? -value : value);
  if (auto d = parse_double(digits)) return json(*d);
  return std::nullopt;
}

// ---- parsing

class Parser {
 public:
  Parser(std::vector<Item> items, const std::string& file) : items_(std::move(items)), file_(file) {}

  std::vector<Node> run() {
    size_t pos = 0;
    std::vector<Node> nodes;
    std::string end = parse_list(pos, nodes);
    if (!end.empty()) fail(file_, items_[pos - 1].line, "unexpected {{" + end + "}}");
    return nodes;
  }

 private:
  // "if", "range"... when the action starts with a keyword (`rest` gets what follows).
  static std::string keyword(const std::string& body, std::string* rest) {
    std::string t = trim(body);
    size_t k = 0;
    while (k < t.size() && std::isalpha(static_cast<unsigned char>(t[k]))) ++k;
    std::string w = t.substr(0, k);
    static const char* const keywords[] = {"if", "range", "with", "else", "end", "define", "template", "block"};
    if (std::find(std::begin(keywords), std::end(keywords), w) == std::end(keywords)) return "";
    *rest = trim(t.substr(k));
    return w;
  }

  // Parses items into `out` until {{end}} or {{else...}}; returns that keyword ("" at EOF).
  std::string parse_list(size_t& pos, std::vector<Node>& out) {
    while (pos < items_.size()) {
      const Item& it = items_[pos++];
      if (!it.action) {
        if (!it.text.empty()) out.push_back(Node{Node::Text, it.text, {}, {}, {}, it.line});
        continue;
      }
      std::string body = trim(it.text);
      if (body.rfind("/*", 0) == 0) continue;  // comment
      std::string rest;
      std::string kw = keyword(body, &rest);
      if (kw == "end") return "end";
      if (kw == "else") {
        else_rest_ = rest;
        return "else";
      }
      if (kw == "define" || kw == "template" || kw == "block") fail(file_, it.line, kw + " is not supported");
      if (!kw.empty()) {
        out.push_back(parse_block(kw, rest, it.line, pos));
        continue;
      }
      Node n;
      n.kind = Node::Action;
      n.pipe = parse_pipe(body, it.line);
      n.line = it.line;
      out.push_back(std::move(n));
    }
    return "";
  }

  Node parse_block(const std::string& kw, const std::string& rest, int line, size_t& pos) {
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > 100) fail(file_, line, "blocks nest too deeply");
    Node n;
    n.kind = kw == "if" ? Node::If : kw == "range" ? Node::Range : Node::With;
    n.pipe = parse_pipe(rest, line);
    n.line = line;
    std::string end = parse_list(pos, n.body);
    if (end == "else") {
      std::string sub_rest;
      std::string sub = keyword(else_rest_, &sub_rest);
      if (sub == "if" || sub == "with") {
        // "else if" chains: the rest of the chain shares this block's {{end}}.
        n.else_body.push_back(parse_block(sub, sub_rest, line, pos));
        return n;
      }
      end = parse_list(pos, n.else_body);
    }
    if (end != "end") fail(file_, line, "missing {{end}} for {{" + kw + "}}");
    return n;
  }

  Pipe parse_pipe(const std::string& s, int line) {
    auto toks = tokenize(s, file_, line);
    size_t pos = 0;
    Pipe p = parse_pipe_toks(toks, pos, line);
    if (pos != toks.size()) fail(file_, line, "unexpected \"" + toks[pos].s + "\" in " + s);
    return p;
  }

  // Declarations: "$x :=" or "$k, $v :=" (or "=") at `pos`; none leaves `pos` alone.
  static std::vector<std::string> parse_decl(const std::vector<Tok>& toks, size_t& pos) {
    size_t look = pos;
    std::vector<std::string> names;
    while (look < toks.size() && toks[look].kind == Tok::Word && !toks[look].s.empty() && toks[look].s[0] == '$') {
      names.push_back(toks[look].s);
      ++look;
      if (look < toks.size() && toks[look].kind == Tok::Comma) {
        ++look;
        continue;
      }
      break;
    }
    if (names.empty() || look >= toks.size() || (toks[look].kind != Tok::Decl && toks[look].kind != Tok::Assign))
      return {};
    pos = look + 1;
    return names;
  }

  Pipe parse_pipe_toks(const std::vector<Tok>& toks, size_t& pos, int line) {
    Pipe p;
    p.decl = parse_decl(toks, pos);
    Cmd cmd;
    while (pos < toks.size() && toks[pos].kind != Tok::Close) {
      const Tok& t = toks[pos++];
      if (t.kind == Tok::Bar) {
        if (cmd.args.empty()) fail(file_, line, "missing command before |");
        p.cmds.push_back(std::move(cmd));
        cmd = Cmd{};
      } else if (t.kind == Tok::Str) {
        Arg a;
        a.lit = t.s;
        cmd.args.push_back(std::move(a));
      } else if (t.kind == Tok::Open) {
        cmd.args.push_back(parse_sub(toks, pos, line));
      } else if (t.kind == Tok::Word) {
        cmd.args.push_back(parse_word(t.s, line));
      } else {
        fail(file_, line, "unexpected \"" + t.s + "\"");
      }
    }
    if (!cmd.args.empty()) p.cmds.push_back(std::move(cmd));
    if (p.cmds.empty()) fail(file_, line, "missing value for command");
    return p;
  }

  // "(pipeline)" or "(pipeline).Field", after the "(".
  Arg parse_sub(const std::vector<Tok>& toks, size_t& pos, int line) {
    Arg a;
    a.kind = Arg::Sub;
    if (++paren_depth_ > 100) fail(file_, line, "parentheses nest too deeply");
    a.sub = std::make_shared<Pipe>(parse_pipe_toks(toks, pos, line));
    --paren_depth_;
    if (pos >= toks.size() || toks[pos].kind != Tok::Close) fail(file_, line, "unclosed (");
    ++pos;
    if (pos < toks.size() && toks[pos].kind == Tok::Word && toks[pos].s[0] == '.') {
      a.fields = split(toks[pos].s.substr(1), '.');
      ++pos;
    }
    return a;
  }

  Arg parse_word(const std::string& w, int line) const {
    Arg a;
    if (w == ".") {
      a.kind = Arg::Dot;
    } else if (w[0] == '.') {
      a.kind = Arg::Field;
      a.fields = split(w.substr(1), '.');
    } else if (w[0] == '$') {
      a.kind = Arg::Var;
      auto dot = w.find('.');
      a.name = w.substr(0, dot);
      if (dot != std::string::npos) a.fields = split(w.substr(dot + 1), '.');
    } else if (w == "true" || w == "false") {
      a.lit = w == "true";
    } else if (w == "nil") {
      a.lit = nullptr;
    } else if (std::isdigit(static_cast<unsigned char>(w[0])) || ((w[0] == '-' || w[0] == '+') && w.size() > 1)) {
      auto n = number_literal(w);
      if (!n) fail(file_, line, "bad number syntax: " + w);
      a.lit = *n;
    } else {
      a.kind = Arg::Ident;
      a.name = w;
    }
    return a;
  }

  std::vector<Item> items_;
  const std::string& file_;
  std::string else_rest_;
  int depth_ = 0;
  int paren_depth_ = 0;
};

}  // namespace

void fail(const std::string& file, int line, const std::string& message) {
  throw UserError(Location{file, line, 0}, "template: " + message);
}

std::vector<Node> parse(const std::string& text, const std::string& file) {
  return Parser(lex(text, file), file).run();
}

}  // namespace slipway::checks::tmpl
