// Test specs: goss-compatible gossfiles (https://goss.rocks) plus where each check runs.
//
// A stack's tests/*.yaml are gossfiles. An existing gossfile works unchanged: it is rendered
// as a Go template (template.h) with .Vars and .Env, then read as YAML; every resource type and
// attribute goss knows is accepted, `gossfile:` entries include other files (relative to the
// including file), `title`, `meta` and `skip` work as in goss.
//
// The slipway extension (ignored by goss, which rejects unknown resource types, so keep it in
// slipway's files): which Compose service a check runs in.
//
//   x-slipway:                 # top level of a gossfile: defaults for every check in it
//     service: web             #   the service whose container the checks run in / from
//     smoke: true              #   quick, read-only checks that may run against production
//                              #   (a deploy's watch window, --smoke-only gates, `slipway boot`
//                              #   after an engine restart; checks/smoke.h)
//     retry-timeout: 30s       #   suite-level readiness: retry failing checks this long
//     sleep: 1s                #   ...pausing this long between attempts
//   file:
//     /etc/nginx/nginx.conf:
//       exists: true
//       x-service: proxy       # per check: overrides the file's service
//       retry_count: 5         # per check: attempts after the first failure...
//       retry_delay: 2s        # ...this far apart (also accepted: x-retry-count, x-retry-delay)
//
// A check without a service runs in the stack's only service, or fails to load with a message
// naming the services (the caller passes them in LoadOptions). `matching` checks need none.
// An interaction check is a network check run from one service towards another by its Compose
// name: under service `web`, `addr: {tcp://smtp:587: {reachable: true}}` connects from web's
// network namespace, where the engine's DNS resolves `smtp`.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "yaml/node.h"

namespace slipway::checks {

using json = nlohmann::json;

// How slipway evaluates a resource type inside a container.
enum class Method {
  Pure,         // matching: no container needed
  Network,      // http, addr, dns, port, interface: from the container's network namespace
  Filesystem,   // file, user, group, package: the container's files via the engine's archive API
  Exec,         // command: exec in the container
  Proc,         // process, mount, kernel-param: /proc of the container's processes
  Include,      // gossfile entries (resolved at load time)
  Unsupported,  // service: no init system in a container -> skipped with a reason
};

struct ResourceType {
  std::string name;  // "file"
  Method method;
  std::vector<std::string> properties;  // checked attributes, in goss's validation order
  std::vector<std::string> params;      // inputs (url, exec, timeout...)
  std::vector<std::string> readers;     // properties whose actual value is streamed text
  std::string skip_reason;              // for Unsupported
};

// goss's resource types; nullptr when `name` is not one.
const ResourceType* find_resource_type(const std::string& name);
const std::vector<ResourceType>& resource_types();

struct Check {
  std::string type;     // resource type
  std::string id;       // the resource key, e.g. "/etc/passwd", "tcp://smtp:587"
  std::string service;  // Compose service it runs in (or from); empty for `matching`
  std::string title;
  json meta;  // null when absent
  bool skip = false;
  std::string skip_reason;              // why it is skipped when slipway cannot run it ("" = user's `skip`)
  json attrs;                           // every goss attribute given (properties and params), YAML-typed
  std::vector<std::string> properties;  // the properties given, in goss's validation order
  int retry_count = 0;
  std::chrono::milliseconds retry_delay{0};
  bool smoke = false;  // from a file marked x-slipway: {smoke: true} (or included by one)
  Location where;      // the resource key in its file

  // A stable key for sorting and filtering: "type:id" (and "@service" when set).
  std::string key() const;
  const ResourceType& resource() const;
  // `attrs[name]` or `fallback` when absent.
  json param(const std::string& name, const json& fallback = nullptr) const;
  // A string attribute as goss's YAML decoder fills a string field: scalars of any type as
  // text (`exec: true` runs "true"); `fallback` when absent or not a scalar.
  std::string text_param(const std::string& name, const std::string& fallback) const;
};

struct Suite {
  std::vector<Check> checks;
  std::vector<std::string> files;              // every gossfile read, includes too
  std::chrono::milliseconds retry_timeout{0};  // 0 = one attempt
  std::chrono::milliseconds sleep{1000};
};

struct LoadOptions {
  json vars = json::object();              // .Vars for templates
  std::map<std::string, std::string> env;  // .Env (empty: the process environment)
  std::vector<std::string> services;       // the stack's services, for validation
  std::string default_service;             // service of checks that name none
};

// Reads one gossfile (and what it includes). Throws UserError "file:line:col: ..." for a bad
// spec (unknown resource type or attribute, malformed matcher, unknown service), EnvError when
// a file cannot be read.
Suite load_gossfile(const std::string& path, const LoadOptions& options = {});
// As load_gossfile for text already in memory.
Suite load_gossfile_text(const std::string& text, const std::string& file, const LoadOptions& options = {});
// Every *.yaml / *.yml in `dir` (a stack's tests/), sorted by name, into one suite.
Suite load_tests_dir(const std::string& dir, const LoadOptions& options = {});

// YAML value -> JSON as goss's YAML decoder types it (plain 42 is an int, 4.2 a float, true a
// bool, ~ null, anything quoted a string).
json yaml_to_json(const yaml::Node& node);

// "500ms", "2s", "1m", or a bare number of milliseconds; throws UserError at `where`.
std::chrono::milliseconds parse_duration(const json& value, const Location& where);

}  // namespace slipway::checks
