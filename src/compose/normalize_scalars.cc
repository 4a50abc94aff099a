// Decoders of the scalar field kinds: strings, numbers, booleans, durations, byte sizes, file
// modes, paths.
#include "compose/normalizer.h"

#include "compose/values.h"

namespace slipway::compose::norm {

std::optional<Node> Normalizer::decode_string(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a string");
  std::string v = text_of(in);
  if (v.empty()) return std::nullopt;
  return str_node(v, m);
}

std::optional<Node> Normalizer::decode_int(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "an integer");
  long long i;
  if (!in.plain_int(&i)) {
    Node tmp = Node::scalar(in.value(), m, Style::Plain);
    if (!tmp.plain_int(&i)) fail(in, path, "must be an integer, not \"" + in.value() + "\"");
  }
  if (i == 0 && f.type == T::Int) return std::nullopt;
  return num_node(std::to_string(i), m);
}

std::optional<Node> Normalizer::decode_float(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a number");
  double d;
  long long i;
  if (in.plain_int(&i))
    d = static_cast<double>(i);
  else if (in.plain_float(&d)) {
  } else {
    Node tmp = Node::scalar(in.value(), m, Style::Plain);
    if (tmp.plain_int(&i))
      d = static_cast<double>(i);
    else if (!tmp.plain_float(&d))
      fail(in, path, "must be a number, not \"" + in.value() + "\"");
  }
  if (d == 0) return std::nullopt;
  return num_node(float_text(d), m);
}

std::optional<Node> Normalizer::decode_bool(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a boolean");
  bool b;
  if (!in.plain_bool(&b) && !go_parse_bool(in.value(), &b))
    fail(in, path, "must be a boolean, not \"" + in.value() + "\"");
  if (f.type == T::Bool && !b) return std::nullopt;
  if (f.type == T::OptOut && b) return std::nullopt;
  return num_node(b ? "true" : "false", m);
}

std::optional<Node> Normalizer::decode_duration(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a duration");
  auto d = parse_duration(in.value());
  if (!d) fail(in, path, "invalid duration \"" + in.value() + "\" (use a Go duration such as 30s, 1m30s or 2h)");
  if (*d == 0 && f.type == T::Dur) return std::nullopt;
  return str_node(format_duration(*d), m);
}

std::optional<Node> Normalizer::decode_bytes(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a byte size");
  long long i;
  std::optional<int64_t> b;
  if (in.plain_int(&i))
    b = i;
  else
    b = parse_bytes(in.value());
  if (!b) fail(in, path, "invalid byte size \"" + in.value() + "\" (use a number of bytes or a unit: 512m, 1g)");
  if (*b == 0) return std::nullopt;
  return str_node(std::to_string(*b), m);
}

std::optional<Node> Normalizer::decode_abs_path(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a path");
  return str_node(abs_path(in.value()), m);
}

std::optional<Node> Normalizer::decode_device_count(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "an integer or \"all\"");
  long long i;
  if (in.value() == "all")
    i = -1;
  else if (!in.plain_int(&i)) {
    Node tmp = Node::scalar(in.value(), m, Style::Plain);
    if (!tmp.plain_int(&i)) fail(in, path, "must be an integer or \"all\", not \"" + in.value() + "\"");
  }
  if (i == 0) return std::nullopt;
  return num_node(std::to_string(i), m);
}

std::optional<Node> Normalizer::decode_mode(const Node& in, const Field& f, const std::string& path) {
  const Mark& m = in.mark();
  need_scalar(in, path, "a file mode");
  long long i = 0;
  if (!in.plain_int(&i)) {
    std::optional<int64_t> mode = parse_octal_mode(in.value());
    if (!mode) fail(in, path, "invalid file mode \"" + in.value() + "\" (use an octal number such as 0440)");
    i = *mode;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(i));
  return str_node(buf, m);
}

}  // namespace slipway::compose::norm
