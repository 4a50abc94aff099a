#include "checks/template.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <vector>

#include "checks/matcher.h"
#include "util/split.h"

namespace slipway::checks {
namespace {

using json = nlohmann::json;

struct Pipe;

struct Arg {
  enum Kind { Dot, Field, Var, Str, Lit, Ident, Sub } kind = Lit;
  std::string name;                 // variable or function name
  std::vector<std::string> fields;  // .A.B after the operand
  json lit;
  std::shared_ptr<Pipe> sub;
};

struct Cmd {
  std::vector<Arg> args;
};

struct Pipe {
  std::vector<std::string> decl;  // "$k", "$v"
  std::vector<Cmd> cmds;
};

struct TNode {
  enum Kind { Text, Action, If, Range, With } kind = Text;
  std::string text;
  Pipe pipe;
  std::vector<TNode> body, else_body;
  int line = 0;
};

class Renderer {
 public:
  Renderer(const std::string& text, const json& data, const std::string& file)
      : src_(text), data_(data), file_(file) {}

  std::string run() {
    lex();
    size_t pos = 0;
    std::vector<TNode> nodes;
    std::string end = parse_list(pos, nodes);
    if (!end.empty()) fail(items_[pos - 1].line, "unexpected {{" + end + "}}");
    std::string out;
    Scope scope;
    scope.vars["$"] = data_;
    exec(nodes, data_, scope, out);
    return out;
  }

 private:
  struct Item {
    bool action = false;
    std::string text;
    int line = 0;
  };
  struct Scope {
    std::map<std::string, json> vars;
  };

  [[noreturn]] void fail(int line, const std::string& msg) const {
    throw UserError(Location{file_, line, 0}, "template: " + msg);
  }

  void lex() {
    size_t i = 0;
    int line = 1;
    bool trim_next = false;
    while (i < src_.size()) {
      size_t open = src_.find("{{", i);
      std::string text = src_.substr(i, open == std::string::npos ? std::string::npos : open - i);
      if (trim_next) {
        size_t k = text.find_first_not_of(" \t\r\n");
        text = k == std::string::npos ? "" : text.substr(k);
      }
      trim_next = false;
      if (open == std::string::npos) {
        items_.push_back({false, text, line});
        break;
      }
      int action_line = line + static_cast<int>(std::count(src_.begin() + i, src_.begin() + open, '\n'));
      size_t start = open + 2;
      if (src_.compare(start, 2, "- ") == 0 || src_.compare(start, 2, "-\t") == 0 ||
          src_.compare(start, 2, "-\n") == 0) {
        size_t k = text.find_last_not_of(" \t\r\n");
        text = k == std::string::npos ? "" : text.substr(0, k + 1);
        start += 1;
      }
      items_.push_back({false, text, line});
      // Find the closing braces, skipping quoted strings.
      size_t j = start;
      char quote = 0;
      while (j < src_.size()) {
        char c = src_[j];
        if (quote) {
          if (c == '\\' && quote == '"') ++j;
          else if (c == quote) quote = 0;
        } else if (c == '"' || c == '`' || c == '\'') {
          quote = c;
        } else if (c == '}' && j + 1 < src_.size() && src_[j + 1] == '}') {
          break;
        }
        ++j;
      }
      if (j >= src_.size()) fail(action_line, "unclosed action");
      std::string body = src_.substr(start, j - start);
      if (body.size() >= 2 && body[body.size() - 1] == '-' &&
          std::isspace(static_cast<unsigned char>(body[body.size() - 2]))) {
        body.pop_back();
        trim_next = true;
      }
      items_.push_back({true, body, action_line});
      line = action_line + static_cast<int>(std::count(src_.begin() + open, src_.begin() + j + 2, '\n'));
      i = j + 2;
    }
  }

  static std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
  }

  static std::string keyword(const std::string& body, std::string* rest) {
    std::string t = trim(body);
    size_t k = 0;
    while (k < t.size() && std::isalpha(static_cast<unsigned char>(t[k]))) ++k;
    std::string w = t.substr(0, k);
    if (w == "if" || w == "range" || w == "with" || w == "else" || w == "end" || w == "define" ||
        w == "template" || w == "block") {
      *rest = trim(t.substr(k));
      return w;
    }
    return "";
  }

  // Parses items into `out` until {{end}} or {{else...}}; returns that keyword ("" at EOF).
  std::string parse_list(size_t& pos, std::vector<TNode>& out) {
    while (pos < items_.size()) {
      const Item& it = items_[pos++];
      if (!it.action) {
        if (!it.text.empty()) out.push_back(TNode{TNode::Text, it.text, {}, {}, {}, it.line});
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
      if (kw == "define" || kw == "template" || kw == "block") fail(it.line, kw + " is not supported");
      if (kw == "if" || kw == "range" || kw == "with") {
        out.push_back(parse_block(kw, rest, it.line, pos));
        continue;
      }
      TNode n;
      n.kind = TNode::Action;
      n.pipe = parse_pipe(body, it.line);
      n.line = it.line;
      out.push_back(std::move(n));
    }
    return "";
  }

  TNode parse_block(const std::string& kw, const std::string& rest, int line, size_t& pos) {
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > 100) fail(line, "blocks nest too deeply");
    TNode n;
    n.kind = kw == "if" ? TNode::If : kw == "range" ? TNode::Range : TNode::With;
    n.pipe = parse_pipe(rest, line);
    n.line = line;
    std::string end = parse_list(pos, n.body);
    if (end == "else") {
      std::string r = else_rest_;
      std::string sub_rest;
      std::string sub = keyword(r, &sub_rest);
      if (sub == "if" || sub == "with") {
        // "else if" chains: the rest of the chain shares this block's {{end}}.
        n.else_body.push_back(parse_block(sub, sub_rest, line, pos));
        return n;
      }
      end = parse_list(pos, n.else_body);
    }
    if (end != "end") fail(line, "missing {{end}} for {{" + kw + "}}");
    return n;
  }

  // --- pipelines ---

  struct Tok {
    enum Kind { Word, Str, Open, Close, Bar, Decl, Assign, Comma } kind;
    std::string s;
  };

  std::vector<Tok> tokenize(const std::string& s, int line) const {
    std::vector<Tok> toks;
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '"') {
        std::string v;
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size()) {
            char e = s[++i];
            v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
          } else {
            v += s[i];
          }
          ++i;
        }
        if (i >= s.size()) fail(line, "unterminated quoted string");
        ++i;
        toks.push_back({Tok::Str, v});
      } else if (c == '`') {
        size_t e = s.find('`', i + 1);
        if (e == std::string::npos) fail(line, "unterminated raw string");
        toks.push_back({Tok::Str, s.substr(i + 1, e - i - 1)});
        i = e + 1;
      } else if (c == '\'') {
        size_t e = s.find('\'', i + 1);
        if (e == std::string::npos) fail(line, "unterminated character constant");
        toks.push_back({Tok::Word, std::to_string(static_cast<int>(s[i + 1]))});
        i = e + 1;
      } else if (c == '(') {
        toks.push_back({Tok::Open, "("});
        ++i;
      } else if (c == ')') {
        toks.push_back({Tok::Close, ")"});
        ++i;
      } else if (c == '|') {
        toks.push_back({Tok::Bar, "|"});
        ++i;
      } else if (c == ',') {
        toks.push_back({Tok::Comma, ","});
        ++i;
      } else if (c == ':' && i + 1 < s.size() && s[i + 1] == '=') {
        toks.push_back({Tok::Decl, ":="});
        i += 2;
      } else if (c == '=') {
        toks.push_back({Tok::Assign, "="});
        ++i;
      } else {
        size_t b = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) &&
               std::string("()|,\"`=").find(s[i]) == std::string::npos &&
               !(s[i] == ':' && i + 1 < s.size() && s[i + 1] == '='))
          ++i;
        toks.push_back({Tok::Word, s.substr(b, i - b)});
      }
    }
    return toks;
  }

  Pipe parse_pipe(const std::string& s, int line) {
    auto toks = tokenize(s, line);
    size_t pos = 0;
    Pipe p = parse_pipe_toks(toks, pos, line);
    if (pos != toks.size()) fail(line, "unexpected \"" + toks[pos].s + "\" in " + s);
    return p;
  }

  Pipe parse_pipe_toks(const std::vector<Tok>& toks, size_t& pos, int line) {
    Pipe p;
    // Declarations: "$x :=" or "$k, $v :=".
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
    if (!names.empty() && look < toks.size() && (toks[look].kind == Tok::Decl || toks[look].kind == Tok::Assign)) {
      p.decl = names;
      pos = look + 1;
    }
    Cmd cmd;
    while (pos < toks.size()) {
      const Tok& t = toks[pos];
      if (t.kind == Tok::Close) break;
      ++pos;
      if (t.kind == Tok::Bar) {
        if (cmd.args.empty()) fail(line, "missing command before |");
        p.cmds.push_back(std::move(cmd));
        cmd = Cmd{};
        continue;
      }
      Arg a;
      if (t.kind == Tok::Str) {
        a.kind = Arg::Lit;
        a.lit = t.s;
      } else if (t.kind == Tok::Open) {
        a.kind = Arg::Sub;
        if (++paren_depth_ > 100) fail(line, "parentheses nest too deeply");
        a.sub = std::make_shared<Pipe>(parse_pipe_toks(toks, pos, line));
        --paren_depth_;
        if (pos >= toks.size() || toks[pos].kind != Tok::Close) fail(line, "unclosed (");
        ++pos;
        // (pipeline).Field
        if (pos < toks.size() && toks[pos].kind == Tok::Word && toks[pos].s[0] == '.') {
          a.fields = split_fields(toks[pos].s.substr(1));
          ++pos;
        }
      } else if (t.kind == Tok::Word) {
        const std::string& w = t.s;
        if (w == ".") {
          a.kind = Arg::Dot;
        } else if (w[0] == '.') {
          a.kind = Arg::Field;
          a.fields = split_fields(w.substr(1));
        } else if (w[0] == '$') {
          a.kind = Arg::Var;
          auto dot = w.find('.');
          a.name = w.substr(0, dot);
          if (dot != std::string::npos) a.fields = split_fields(w.substr(dot + 1));
        } else if (w == "true" || w == "false") {
          a.lit = w == "true";
        } else if (w == "nil") {
          a.lit = nullptr;
        } else if (std::isdigit(static_cast<unsigned char>(w[0])) || ((w[0] == '-' || w[0] == '+') && w.size() > 1)) {
          char* end = nullptr;
          long long iv = std::strtoll(w.c_str(), &end, 0);
          if (*end == 0) {
            a.lit = iv;
          } else {
            double dv = std::strtod(w.c_str(), &end);
            if (*end != 0) fail(line, "bad number syntax: " + w);
            a.lit = dv;
          }
        } else {
          a.kind = Arg::Ident;
          a.name = w;
        }
      } else {
        fail(line, "unexpected \"" + t.s + "\"");
      }
      cmd.args.push_back(std::move(a));
    }
    if (!cmd.args.empty()) p.cmds.push_back(std::move(cmd));
    if (p.cmds.empty()) fail(line, "missing value for command");
    return p;
  }

  static std::vector<std::string> split_fields(const std::string& s) { return slipway::split(s, '.'); }

  // --- evaluation ---

  static json field(const json& v, const std::vector<std::string>& fields) {
    json cur = v;
    for (const auto& f : fields) {
      if (cur.is_object() && cur.contains(f)) {
        cur = cur[f];
      } else {
        return nullptr;
      }
    }
    return cur;
  }

  static bool truthy(const json& v) {
    if (v.is_null()) return false;
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
    return true;
  }

  static std::string print(const json& v) {
    if (v.is_null()) return "<no value>";
    return go_format(v);
  }

  json eval_arg(const Arg& a, const json& dot, Scope& scope, int line) {
    switch (a.kind) {
      case Arg::Dot: return dot;
      case Arg::Field: return field(dot, a.fields);
      case Arg::Var: {
        auto it = scope.vars.find(a.name);
        if (it == scope.vars.end()) fail(line, "undefined variable: " + a.name);
        return field(it->second, a.fields);
      }
      case Arg::Str:
      case Arg::Lit: return a.lit;
      case Arg::Sub: return field(eval_pipe(*a.sub, dot, scope, line), a.fields);
      case Arg::Ident: return call(a.name, {}, line);
    }
    return nullptr;
  }

  json eval_pipe(const Pipe& p, const json& dot, Scope& scope, int line) {
    json value;
    bool have = false;
    for (const auto& cmd : p.cmds) {
      const Arg& first = cmd.args[0];
      if (first.kind == Arg::Ident) {
        std::vector<json> args;
        for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(eval_arg(cmd.args[i], dot, scope, line));
        if (have) args.push_back(value);
        value = call(first.name, args, line);
      } else {
        if (cmd.args.size() > 1 || have) fail(line, "can't give argument to non-function");
        value = eval_arg(first, dot, scope, line);
      }
      have = true;
    }
    if (p.decl.size() == 1) scope.vars[p.decl[0]] = value;
    return value;
  }

  static std::string str(const json& v) { return v.is_string() ? v.get<std::string>() : print(v); }

  json call(const std::string& name, const std::vector<json>& a, int line) {
    auto need = [&](size_t n) {
      if (a.size() < n) fail(line, "wrong number of args for " + name);
    };
    if (name == "mkSlice") return json(a);
    if (name == "toLower" || name == "lower") {
      need(1);
      std::string s = str(a.back());
      for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }
    if (name == "toUpper" || name == "upper") {
      need(1);
      std::string s = str(a.back());
      for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    }
    if (name == "repeat") {
      need(2);
      long long n = a[0].is_number() ? a[0].get<long long>() : 0;
      std::string s = str(a[1]), out;
      for (long long i = 0; i < n && out.size() < (1u << 20); ++i) out += s;
      return out;
    }
    if (name == "toJson" || name == "toJSON") {
      need(1);
      return a.back().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    if (name == "index") {
      need(1);
      json cur = a[0];
      for (size_t i = 1; i < a.size(); ++i) {
        if (cur.is_object() && a[i].is_string() && cur.contains(a[i].get<std::string>())) {
          cur = cur[a[i].get<std::string>()];
        } else if (cur.is_array() && a[i].is_number_integer() && a[i].get<long long>() >= 0 &&
                   a[i].get<size_t>() < cur.size()) {
          cur = cur[a[i].get<size_t>()];
        } else {
          cur = nullptr;
        }
      }
      return cur;
    }
    if (name == "getEnv") {
      need(1);
      const char* v = std::getenv(str(a[0]).c_str());
      if (v && *v) return std::string(v);
      return a.size() > 1 ? a[1] : json("");
    }
    if (name == "readFile") {
      need(1);
      std::ifstream in(str(a[0]));
      if (!in) fail(line, "readFile: cannot read " + str(a[0]));
      std::stringstream ss;
      ss << in.rdbuf();
      return trim(ss.str());
    }
    if (name == "regexMatch") {
      need(2);
      try {
        return std::regex_search(str(a[1]), std::regex(str(a[0])));
      } catch (const std::regex_error&) {
        fail(line, "regexMatch: bad pattern " + str(a[0]));
      }
    }
    if (name == "default") {
      need(1);
      if (a.size() >= 2 && truthy(a[1])) return a[1];
      return a[0];
    }
    if (name == "trim") {
      need(1);
      return trim(str(a.back()));
    }
    if (name == "replace") {
      need(3);
      std::string from = str(a[0]), to = str(a[1]), s = str(a[2]), out;
      if (from.empty()) return s;
      size_t p = 0;
      for (size_t q; (q = s.find(from, p)) != std::string::npos; p = q + from.size()) out += s.substr(p, q - p) + to;
      return out + s.substr(p);
    }
    if (name == "split" || name == "splitList") {
      need(2);
      std::string sep = str(a[0]), s = str(a[1]);
      json out = json::array();
      size_t p = 0;
      if (sep.empty()) return json::array({s});
      for (size_t q; (q = s.find(sep, p)) != std::string::npos; p = q + sep.size()) out.push_back(s.substr(p, q - p));
      out.push_back(s.substr(p));
      return out;
    }
    if (name == "join") {
      need(2);
      std::string out;
      if (a[1].is_array())
        for (size_t i = 0; i < a[1].size(); ++i) out += (i ? str(a[0]) : "") + str(a[1][i]);
      return out;
    }
    if (name == "quote") {
      std::string out;
      for (size_t i = 0; i < a.size(); ++i) out += (i ? " " : "") + json(str(a[i])).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return out;
    }
    if (name == "len") {
      need(1);
      return a[0].is_string() ? a[0].get_ref<const std::string&>().size() : a[0].size();
    }
    if (name == "not") {
      need(1);
      return !truthy(a[0]);
    }
    if (name == "and") {
      need(1);
      for (const auto& v : a)
        if (!truthy(v)) return v;
      return a.back();
    }
    if (name == "or") {
      need(1);
      for (const auto& v : a)
        if (truthy(v)) return v;
      return a.back();
    }
    if (name == "eq" || name == "ne") {
      need(2);
      bool eq = false;
      for (size_t i = 1; i < a.size(); ++i) eq = eq || a[0] == a[i];
      return name == "eq" ? eq : !eq;
    }
    if (name == "lt" || name == "le" || name == "gt" || name == "ge") {
      need(2);
      bool r;
      if (a[0].is_number() && a[1].is_number()) {
        double x = a[0].get<double>(), y = a[1].get<double>();
        r = name == "lt" ? x < y : name == "le" ? x <= y : name == "gt" ? x > y : x >= y;
      } else {
        std::string x = str(a[0]), y = str(a[1]);
        r = name == "lt" ? x < y : name == "le" ? x <= y : name == "gt" ? x > y : x >= y;
      }
      return r;
    }
    if (name == "print" || name == "println") {
      std::string out;
      for (size_t i = 0; i < a.size(); ++i) out += (i && !a[i].is_string() && !a[i - 1].is_string() ? " " : "") + str(a[i]);
      return name == "println" ? out + "\n" : out;
    }
    if (name == "printf") {
      need(1);
      std::string f = str(a[0]), out;
      size_t k = 1;
      for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%' || i + 1 >= f.size()) {
          out += f[i];
          continue;
        }
        char v = f[++i];
        if (v == '%') {
          out += '%';
        } else if (k < a.size()) {
          out += v == 'q' ? json(str(a[k])).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : str(a[k]);
          ++k;
        } else {
          out += "%!" + std::string(1, v) + "(MISSING)";
        }
      }
      return out;
    }
    fail(line, "function \"" + name + "\" not defined");
  }

  void exec(const std::vector<TNode>& nodes, const json& dot, Scope& scope, std::string& out) {
    for (const auto& n : nodes) {
      if (out.size() > (64u << 20)) fail(n.line, "output too large");
      switch (n.kind) {
        case TNode::Text: out += n.text; break;
        case TNode::Action: {
          json v = eval_pipe(n.pipe, dot, scope, n.line);
          if (n.pipe.decl.empty()) out += print(v);
          break;
        }
        case TNode::If: {
          Scope inner = scope;
          if (truthy(eval_pipe(n.pipe, dot, inner, n.line))) exec(n.body, dot, inner, out);
          else exec(n.else_body, dot, inner, out);
          break;
        }
        case TNode::With: {
          Scope inner = scope;
          json v = eval_pipe(n.pipe, dot, inner, n.line);
          if (truthy(v)) exec(n.body, v, inner, out);
          else exec(n.else_body, dot, inner, out);
          break;
        }
        case TNode::Range: {
          Scope inner = scope;
          Pipe p = n.pipe;
          std::vector<std::string> decl = p.decl;
          p.decl.clear();
          json v = eval_pipe(p, dot, inner, n.line);
          std::vector<std::pair<json, json>> items;
          if (v.is_array()) {
            for (size_t i = 0; i < v.size(); ++i) items.emplace_back(json(i), v[i]);
          } else if (v.is_object()) {
            for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(json(it.key()), it.value());
          } else if (v.is_number_integer()) {
            for (long long i = 0; i < v.get<long long>() && i < 100000; ++i) items.emplace_back(json(i), json(i));
          } else if (!v.is_null()) {
            fail(n.line, "range can't iterate over " + print(v));
          }
          if (items.empty()) {
            exec(n.else_body, dot, inner, out);
            break;
          }
          for (const auto& [k, e] : items) {
            Scope body = inner;
            if (decl.size() == 1) body.vars[decl[0]] = e;
            if (decl.size() >= 2) {
              body.vars[decl[0]] = k;
              body.vars[decl[1]] = e;
            }
            exec(n.body, e, body, out);
          }
          break;
        }
      }
    }
  }

  const std::string& src_;
  const json& data_;
  std::string file_;
  std::vector<Item> items_;
  std::string else_rest_;
  int depth_ = 0;
  int paren_depth_ = 0;
};

}  // namespace

bool has_template_actions(const std::string& text) { return text.find("{{") != std::string::npos; }

std::string render_template(const std::string& text, const nlohmann::json& data, const std::string& file) {
  if (!has_template_actions(text)) return text;
  return Renderer(text, data, file).run();
}

}  // namespace slipway::checks
