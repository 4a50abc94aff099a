// The parsed form of a gossfile template (template.h): the internal interface between the
// parser (template_parse.cc), the functions (template_funcs.cc) and the evaluator
// (template.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::checks::tmpl {

using json = nlohmann::json;

struct Pipe;

// One operand of a command: ".", ".A.B", "$x.A", a literal, a function name, "(pipeline).A".
struct Arg {
  enum Kind { Dot, Field, Var, Lit, Ident, Sub } kind = Lit;
  std::string name;                 // variable or function name
  std::vector<std::string> fields;  // .A.B after the operand
  json lit;
  std::shared_ptr<Pipe> sub;
};

struct Cmd {
  std::vector<Arg> args;
};

// "$k, $v := cmd | cmd ..."
struct Pipe {
  std::vector<std::string> decl;  // "$k", "$v"
  std::vector<Cmd> cmds;
};

struct Node {
  enum Kind { Text, Action, If, Range, With } kind = Text;
  std::string text;
  Pipe pipe;
  std::vector<Node> body, else_body;
  int line = 0;
};

// The template `text` of `file` as a list of nodes. Throws UserError(file:line) when it is
// malformed or uses what slipway does not support (define, template, block).
std::vector<Node> parse(const std::string& text, const std::string& file);

// Throws UserError "file:line: template: message".
[[noreturn]] void fail(const std::string& file, int line, const std::string& message);

}  // namespace slipway::checks::tmpl
