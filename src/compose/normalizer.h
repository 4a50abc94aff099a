// The normalizer's internals, shared by the files that implement it: normalize.cc (the
// project, top-level resources, any value), normalize_scalars.cc, normalize_lists.cc,
// normalize_structs.cc (one decoder per field kind) and normalize_service.cc (a service's
// environment, label files and implicit dependencies). Not for use outside src/compose.
#pragma once

#include <optional>
#include <string>

#include "compose/normalize.h"
#include "compose/normalize_shapes.h"
#include "yaml/node.h"

namespace slipway::compose::norm {

using yaml::Kind;
using yaml::Mark;
using yaml::Node;
using yaml::Style;

// A string value / a number or boolean (plain) value at `m`.
inline Node str_node(std::string v, const Mark& m) { return Node::scalar(std::move(v), m, Style::Quoted); }
inline Node num_node(std::string v, const Mark& m) { return Node::scalar(std::move(v), m, Style::Plain); }
inline Node key_node(const std::string& k, const Mark& m) { return Node::scalar(k, m, Style::Quoted); }

// Throws UserError "file:line:col: PATH: WHAT" at `at`.
[[noreturn]] void fail(const Node& at, const std::string& path, const std::string& what);
// Fails unless `in` is a scalar ("must be WHAT").
void need_scalar(const Node& in, const std::string& path, const char* what);

inline bool is_extension(const std::string& k) { return k.size() >= 2 && k[0] == 'x' && k[1] == '-'; }

// Go's %v of a float32, as compose-go prints cpus and friends.
std::string float_text(double v);
// Scalar text as a string value (what mapstructure's weak decoding makes of a number or bool).
std::string text_of(const Node& n);
// Copies a sequence of scalars as strings, keeping each entry's own position for later errors.
void append_strings(Node& out, const Node& seq, const std::string& path);
// Go's strconv.ParseBool.
bool go_parse_bool(const std::string& s, bool* out);
// Sorts a mapping's entries in go-yaml's key order (stable).
void sort_entries(Node& m);
// Appends `k: v` to the mapping `m`.
void put(Node& m, const std::string& k, Node v, const Mark& km = {});

// Port mappings a project may expand to (README "Limits"): ranges expand to one each.
inline constexpr size_t kMaxPorts = 16384;

class Normalizer {
 public:
  explicit Normalizer(const NormalizeContext& c) : ctx_(c) {}

  // The canonical project for the merged tree (normalize()).
  Node run(const Node& merged);

 private:
  std::optional<std::string> lookup(const std::string& k) const;
  // `~/x` against HOME from the context's environment (never the process's).
  std::string expand_user(const std::string& p) const;
  // filepath.Join(working_dir, p) unless p is absolute, after ~ expansion.
  std::string abs_path(const std::string& p) const;

  // The value of field `f` decoded, or nullopt when the field is to be left out (unset, or
  // empty where compose-go omits empty values).
  std::optional<Node> decode(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_string(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_int(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_float(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_bool(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_duration(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_bytes(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_string_list(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_command(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_string_map(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_struct_field(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_extends(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_struct_list(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_abs_path(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_device_count(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_gpus(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_any(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_health_test(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_hosts(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_ulimits(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_mode(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_ports(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_volumes(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_depends_on(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_networks(const Node& in, const Field& f, const std::string& path);
  std::optional<Node> decode_build(const Node& in, const Field& f, const std::string& path);
  // A mapping decoded field by field in the shape's order; x-* keys kept, others refused.
  Node decode_struct(const Node& in, const Shape& s, const std::string& path);
  // Any value, scalars typed by YAML's rules, mappings sorted.
  Node any(const Node& in);
  // Mapping / MappingWithEquals / Labels: a map of strings from a mapping or a KEY=VALUE list.
  Node mapping_of_strings(const Node& in, const std::string& path, T type);
  Node service(const std::string& name, const Node& in, const std::string& path, bool* uses_default);
  // The service's implicit dependencies (links, service: namespaces, volumes_from) added to its
  // decoded depends_on.
  Node dependencies(const Node& svc, const std::string& path);
  Node port_list(const Node& in, const Field& f, const std::string& path);
  Node volume_list(const Node& in, const Field& f, const std::string& path);
  Node resource_map(const Node& in, const std::string& kind, const Shape& s);
  Node resource(const std::string& key, const Node& in, const std::string& kind, const Shape& s);
  void resolve_environment(Node& svc, const std::string& path);
  void resolve_label_files(Node& svc, const std::string& path);

  const NormalizeContext& ctx_;
  std::string project_;
  size_t ports_ = 0;  // port mappings made so far
};

}  // namespace slipway::compose::norm
