// The loader's orchestration, in Docker Compose v2's order:
//   options -> variables (.env, process) -> files (-f, COMPOSE_FILE, discovery) -> project name
//   -> per file and document: interpolate, validate, include, resets, extends, merge
//   -> normalize -> profiles -> consistency -> JSON model.
#include "compose/loader.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "compose/discovery.h"
#include "compose/dotenv.h"
#include "compose/extends.h"
#include "compose/include.h"
#include "compose/interpolate.h"
#include "compose/merge.h"
#include "compose/normalize.h"
#include "compose/profiles.h"
#include "compose/schema.h"
#include "util/error.h"
#include "util/read_input.h"
#include "yaml/reader.h"

extern char** environ;

namespace slipway::compose {

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

namespace {

namespace fs = std::filesystem;
using yaml::Node;

std::string dir_of(const std::string& path) { return fs::path(path).parent_path().string(); }

bool truthy(const std::string& v) {  // Go's strconv.ParseBool, true side
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

class Loader {
 public:
  explicit Loader(const LoadOptions& o) : options_(o) {
    warn_ = o.warn ? o.warn : [](const std::string& m) { std::fprintf(stderr, "slipway: warning: %s\n", m.c_str()); };
  }

  Project run();

 private:
  std::string text_of(const std::string& file);
  // The documents of a file, read against the project's budget (ReadLimits): every file read,
  // also again through include or extends, adds to what the project holds.
  std::vector<Node> parse(const std::string& file);
  std::vector<Node> documents(const std::string& file);
  InterpolateOptions interpolation(const Environment& env) const;
  Node load_model(const std::vector<std::string>& files, const std::string& working_dir, const Environment& env,
                  const std::vector<std::string>& chain);
  Node load_extends_base(const std::string& file, const Environment& env);
  void process_document(Node& dict, Node doc, const std::string& file, const std::string& working_dir,
                        const Environment& env, const std::vector<std::string>& chain);
  std::string project_name(const std::vector<std::string>& files, const std::string& working_dir,
                           const Environment& env);
  std::string early_directory(const std::string& cwd) const;
  Environment variables(const std::string& cwd) const;
  std::vector<std::string> config_files(const std::string& cwd, const Environment& env) const;
  Node canonical(Node merged, const Project& project, const Environment& env) const;

  const LoadOptions& options_;
  std::function<void(const std::string&)> warn_;
  std::optional<std::string> stdin_text_;            // `-f -`, read once
  std::map<std::string, std::vector<Node>> parsed_;  // parsed by project_name, not yet loaded
  yaml::ReadCounts used_;                            // what the project's files hold so far
  // What interpolation may still add to the project's values (InterpolateOptions).
  std::shared_ptr<size_t> growth_left_ = std::make_shared<size_t>(kMaxInterpolationGrowth);
  std::map<std::string, bool> version_warned_;
};

std::string Loader::text_of(const std::string& file) {
  if (file == "-") {
    // Standard input can be read only once.
    if (!stdin_text_) stdin_text_ = read_input_file("-", "compose file");
    return *stdin_text_;
  }
  std::error_code ec;
  auto st = fs::status(file, ec);
  if (ec || !fs::exists(st)) throw UserError(file + ": no such file (check the path)");
  if (fs::is_directory(st)) throw UserError(file + " is a directory (name a Compose file)");
  return read_input_file(file, "compose file");
}

std::vector<Node> Loader::parse(const std::string& file) {
  yaml::ReadLimits limits;
  limits.nodes_before = used_.nodes;
  limits.bytes_before = used_.bytes;
  yaml::ReadCounts counts;
  std::vector<Node> docs = yaml::read_all(text_of(file), file, limits, &counts);
  used_.nodes += counts.nodes;
  used_.bytes += counts.bytes;
  return docs;
}

std::vector<Node> Loader::documents(const std::string& file) {
  // project_name parses the top-level files first; their first real load takes that parse.
  if (auto it = parsed_.find(file); it != parsed_.end()) {
    std::vector<Node> docs = std::move(it->second);
    parsed_.erase(it);
    return docs;
  }
  return parse(file);
}

InterpolateOptions Loader::interpolation(const Environment& env) const {
  InterpolateOptions io;
  // The lookup owns a copy: included projects build their environment on the fly.
  auto shared = std::make_shared<Environment>(env);
  io.lookup = [shared](const std::string& k) -> std::optional<std::string> {
    auto it = shared->find(k);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
  io.warn = warn_;
  io.growth_left = growth_left_;
  return io;
}

// compose-go reads `name` from every file (the last non-empty wins) before loading them.
std::string Loader::project_name(const std::vector<std::string>& files, const std::string& working_dir,
                                 const Environment& env) {
  if (!options_.project_name.empty()) {
    check_project_name(options_.project_name, "-p");
    return options_.project_name;
  }
  if (auto it = env.find("COMPOSE_PROJECT_NAME"); it != env.end() && !it->second.empty()) {
    check_project_name(it->second, "COMPOSE_PROJECT_NAME");
    return it->second;
  }
  std::string from_files;
  std::optional<Node> name_node;  // the last file's `name:` (a copy: the parse may move)
  for (const auto& f : files) {
    auto& docs = parsed_[f];
    if (docs.empty()) docs = parse(f);
    for (auto& d : docs) {
      const Node* n = d.is_mapping() ? d.find("name") : nullptr;
      if (n && n->is_scalar() && !n->value().empty()) {
        from_files = n->value();
        name_node = *n;
      }
    }
  }
  std::string name;
  if (from_files.empty()) name = normalize_project_name(fs::path(working_dir).filename().string());
  if (name_node) {
    std::string v = from_files;
    if (options_.interpolate) v = interpolate_string(v, interpolation(env), name_node->location());
    v = normalize_project_name(v);  // even unnormalized models need a usable name
    if (!v.empty()) name = v;
  }
  if (name.empty()) throw UserError("project name must not be empty (set `name:` in the Compose file or use -p)");
  return name;
}

Node Loader::load_extends_base(const std::string& file, const Environment& env) {
  Node dict;
  for (auto& doc : documents(file)) {
    if (!doc.is_mapping()) throw UserError(doc.location(), "top-level object must be a mapping");
    if (options_.interpolate) interpolate_tree(doc, interpolation(env));
    merge_files(dict, doc);
  }
  if (dict.is_null()) dict = Node::mapping();
  return dict;
}

void Loader::process_document(Node& dict, Node doc, const std::string& file, const std::string& working_dir,
                              const Environment& env, const std::vector<std::string>& chain) {
  if (!doc.is_mapping()) throw UserError(doc.location(), "top-level object must be a mapping");
  if (options_.interpolate) interpolate_tree(doc, interpolation(env));
  if (has_merge_tags(doc)) {
    // The schema sees the file as Compose does: !reset values already gone.
    Node checked = doc;
    strip_merge_tags(checked);
    validate_schema(checked);
  } else {
    validate_schema(doc);
  }

  IncludeContext ic;
  ic.working_dir = working_dir;
  ic.environment = env;
  ic.chain = chain;
  ic.chain.push_back(file);
  ic.load_project = [this](const std::vector<std::string>& files, const std::string& project_dir, const Environment& e,
                           const std::vector<std::string>& ch) {
    Node m = load_model(files, project_dir, e, ch);
    rebase_paths(m, project_dir);
    return m;
  };
  apply_include(doc, ic);

  apply_resets(dict, doc);

  ExtendsContext ec;
  ec.load_file = [this, &env](const std::string& path) { return load_extends_base(path, env); };
  if (auto home = env.find("HOME"); home != env.end()) ec.home = home->second;
  apply_extends(doc, file, working_dir, ec);

  if (doc.find("version")) {
    if (!version_warned_[file])
      warn_(file +
            ": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential "
            "confusion");
    version_warned_[file] = true;
    doc.erase("version");
  }
  merge_files(dict, std::move(doc));
}

Node Loader::load_model(const std::vector<std::string>& files, const std::string& working_dir, const Environment& env,
                        const std::vector<std::string>& chain) {
  Node dict;
  for (const auto& file : files) {
    for (auto& doc : documents(file)) process_document(dict, std::move(doc), file, working_dir, env, chain);
  }
  return dict;
}

// Where .env is looked for is decided before COMPOSE_FILE and discovery (as in Compose): the
// project directory, else the first -f file's directory, else the current directory.
std::string Loader::early_directory(const std::string& cwd) const {
  if (!options_.project_directory.empty()) return absolute_path(options_.project_directory, cwd);
  for (const auto& f : options_.files)
    if (f != "-") return dir_of(absolute_path(f, cwd));
  return cwd;
}

// --env-file files, else <dir>/.env: their variables, the process environment winning.
Environment Loader::variables(const std::string& cwd) const {
  Environment env = options_.environment;
  std::vector<std::string> env_files;
  for (const auto& f : options_.env_files) env_files.push_back(absolute_path(f, cwd));
  if (env_files.empty()) {
    auto d = env.find("COMPOSE_DISABLE_ENV_FILE");
    if (d == env.end() || !truthy(d->second)) {
      std::error_code ec;
      std::string f = (fs::path(early_directory(cwd)) / ".env").string();
      if (fs::exists(f, ec) && !fs::is_directory(f, ec)) env_files.push_back(f);
    }
  }
  std::map<std::string, std::string> dotenv;
  for (const auto& f : env_files) {
    std::error_code ec;
    auto st = fs::status(f, ec);
    if (ec || !fs::exists(st)) throw UserError("couldn't find env file: " + f + " (check --env-file)");
    if (fs::is_directory(st)) throw UserError(f + " is a directory (--env-file needs a file)");
    Lookup lookup = [&](const std::string& k) -> std::optional<std::string> {
      if (auto it = options_.environment.find(k); it != options_.environment.end()) return it->second;
      if (auto it = dotenv.find(k); it != dotenv.end()) return it->second;
      return std::nullopt;
    };
    for (auto& [k, v] : read_dotenv(f, lookup)) dotenv[k] = v;
  }
  for (const auto& [k, v] : dotenv) env.emplace(k, v);  // the process environment wins
  return env;
}

// -f files, else COMPOSE_FILE, else discovery.
std::vector<std::string> Loader::config_files(const std::string& cwd, const Environment& env) const {
  std::vector<std::string> files;
  for (const auto& f : options_.files) files.push_back(f == "-" ? f : absolute_path(f, cwd));
  if (files.empty()) {
    if (auto it = env.find("COMPOSE_FILE"); it != env.end()) {
      auto sep = env.find("COMPOSE_PATH_SEPARATOR");
      files = split_compose_file_env(it->second, sep == env.end() ? "" : sep->second, cwd);
    }
  }
  if (files.empty()) {
    std::string start = options_.project_directory.empty() ? cwd : absolute_path(options_.project_directory, cwd);
    files = discover_files(start, warn_);
  }
  if (files.empty())
    throw UserError("no configuration file provided: not found (create compose.yaml or name one with -f)");
  return files;
}

// The canonical tree of the merged one, which is consumed: the stages never hold more than
// two trees at once (a project may hold up to ReadLimits' worth of values).
Node Loader::canonical(Node merged, const Project& project, const Environment& env) const {
  if (!options_.normalize) return merged;
  NormalizeContext nc;
  nc.project_name = project.name;
  nc.working_dir = project.working_dir;
  nc.environment = env;
  nc.resolve_paths = options_.resolve_paths;
  nc.warn = warn_;
  return normalize(merged, nc);
}

Project Loader::run() {
  const std::string cwd =
      options_.working_directory.empty() ? current_directory() : absolute_path(options_.working_directory, "");
  Environment env = variables(cwd);
  std::vector<std::string> files = config_files(cwd, env);

  Project project;
  project.working_dir = options_.project_directory.empty() ? cwd : absolute_path(options_.project_directory, cwd);
  if (options_.project_directory.empty())
    for (const auto& f : files)
      if (f != "-") {
        project.working_dir = dir_of(f);
        break;
      }
  project.name = project_name(files, project.working_dir, env);
  env["COMPOSE_PROJECT_NAME"] = project.name;
  project.config_files = files;

  Node merged = load_model(files, project.working_dir, env, {});
  if (merged.is_null() || merged.size() == 0)
    throw UserError(files[0] + ": empty compose file (define at least one service)");
  strip_merge_tags(merged);

  if (!options_.profiles.empty()) {
    project.active_profiles = options_.profiles;
  } else if (auto it = env.find("COMPOSE_PROFILES"); it != env.end()) {
    project.active_profiles = profiles_from_env(it->second);
  }
  Node tree = canonical(std::move(merged), project, env);
  project.all_profiles = declared_profiles(tree);
  apply_profiles(tree, project.active_profiles);
  if (options_.consistency) check_consistency(tree);
  project.model = to_json(tree);
  project.environment = std::move(env);
  return project;
}

}  // namespace

Project load(const LoadOptions& options) {
  Loader loader(options);
  return loader.run();
}

}  // namespace slipway::compose
