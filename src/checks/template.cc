// Rendering a gossfile template: evaluating the parsed nodes (template_parse.cc) against the
// data, with variables scoped as Go's text/template scopes them.
#include "checks/template.h"

#include <map>

#include "checks/template_ast.h"
#include "checks/template_funcs.h"

namespace slipway::checks {
namespace {

using namespace tmpl;

struct Scope {
  std::map<std::string, json> vars;
};

json field(const json& v, const std::vector<std::string>& fields) {
  json cur = v;
  for (const auto& f : fields) {
    if (!cur.is_object() || !cur.contains(f)) return nullptr;
    cur = cur[f];
  }
  return cur;
}

// What a range iterates over: (index or key, element) pairs.
std::vector<std::pair<json, json>> range_items(const json& v, const std::string& file, int line) {
  std::vector<std::pair<json, json>> items;
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) items.emplace_back(json(i), v[i]);
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(json(it.key()), it.value());
  } else if (v.is_number_integer()) {
    for (long long i = 0; i < v.get<long long>() && i < 100000; ++i) items.emplace_back(json(i), json(i));
  } else if (!v.is_null()) {
    fail(file, line, "range can't iterate over " + print(v));
  }
  return items;
}

class Evaluator {
 public:
  explicit Evaluator(const std::string& file) : file_(file) {}

  void exec(const std::vector<Node>& nodes, const json& dot, Scope& scope, std::string& out) {
    for (const auto& n : nodes) {
      if (out.size() > (64u << 20)) fail(file_, n.line, "output too large");
      switch (n.kind) {
        case Node::Text:
          out += n.text;
          break;
        case Node::Action: {
          json v = eval_pipe(n.pipe, dot, scope, n.line);
          if (n.pipe.decl.empty()) out += print(v);
          break;
        }
        case Node::If:
        case Node::With:
          exec_if_with(n, dot, scope, out);
          break;
        case Node::Range:
          exec_range(n, dot, scope, out);
          break;
      }
    }
  }

 private:
  json eval_arg(const Arg& a, const json& dot, Scope& scope, int line) {
    switch (a.kind) {
      case Arg::Dot:
        return dot;
      case Arg::Field:
        return field(dot, a.fields);
      case Arg::Var: {
        auto it = scope.vars.find(a.name);
        if (it == scope.vars.end()) fail(file_, line, "undefined variable: " + a.name);
        return field(it->second, a.fields);
      }
      case Arg::Lit:
        return a.lit;
      case Arg::Sub:
        return field(eval_pipe(*a.sub, dot, scope, line), a.fields);
      case Arg::Ident:
        return call_function(a.name, {}, file_, line);
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
        value = call_function(first.name, args, file_, line);
      } else {
        if (cmd.args.size() > 1 || have) fail(file_, line, "can't give argument to non-function");
        value = eval_arg(first, dot, scope, line);
      }
      have = true;
    }
    if (p.decl.size() == 1) scope.vars[p.decl[0]] = value;
    return value;
  }

  // {{if}} runs its body with the same dot, {{with}} with the pipeline's value as dot.
  void exec_if_with(const Node& n, const json& dot, Scope& scope, std::string& out) {
    Scope inner = scope;
    json v = eval_pipe(n.pipe, dot, inner, n.line);
    if (!truthy(v))
      exec(n.else_body, dot, inner, out);
    else
      exec(n.body, n.kind == Node::With ? v : dot, inner, out);
  }

  void exec_range(const Node& n, const json& dot, Scope& scope, std::string& out) {
    Scope inner = scope;
    Pipe p = n.pipe;
    std::vector<std::string> decl = p.decl;
    p.decl.clear();
    auto items = range_items(eval_pipe(p, dot, inner, n.line), file_, n.line);
    if (items.empty()) {
      exec(n.else_body, dot, inner, out);
      return;
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
  }

  const std::string& file_;
};

}  // namespace

bool has_template_actions(const std::string& text) { return text.find("{{") != std::string::npos; }

std::string render_template(const std::string& text, const nlohmann::json& data, const std::string& file) {
  if (!has_template_actions(text)) return text;
  std::vector<Node> nodes = parse(text, file);
  std::string out;
  Scope scope;
  scope.vars["$"] = data;
  Evaluator(file).exec(nodes, data, scope, out);
  return out;
}

}  // namespace slipway::checks
