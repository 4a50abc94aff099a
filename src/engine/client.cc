// engine::Client, the real engine::Engine: each member maps one interface call to one Docker
// Engine API request (engine/engine.h documents them), over the transport in engine/transport.h.
//
// Why this file is over 600 lines: it is one flat table of ~50 short request mappings that share
// the helpers at its top (check, parse_body, call, image_path); kept together, the mapping to
// the API reference reads in one place, and the only long members are the three progress-stream
// readers (build, pull, load). A new family of endpoints (e.g. Swarm services) goes to its own
// client_<family>.cc rather than growing this one.
#include "engine/client.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/stream.h"
#include "util/text.h"

namespace slipway::engine {
namespace {

constexpr const char* kDefaultHost = "unix:///var/run/docker.sock";

// "1.41" -> {1, 41}; anything unparsable sorts lowest.
std::pair<int, int> parse_version(const std::string& v) {
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) != 2) return {0, 0};
  return {major, minor};
}

// The engine's own words from an error body: {"message": "..."} or the raw text.
std::string engine_message_of(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (parsed.contains("message") && parsed["message"].is_string()) return parsed["message"].get<std::string>();
    if (parsed.contains("cause") && parsed["cause"].is_string()) return parsed["cause"].get<std::string>();
  }
  std::string t = trim(body);
  return t.empty() ? "no details given" : t;
}

std::string filters_json(const Filters& filters) {
  json f = json::object();
  for (const auto& [k, vs] : filters) f[k] = vs;
  return f.dump();
}

std::string status_text(long status) {
  switch (status) {
    case 304:
      return "not modified";
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 409:
      return "conflict";
    case 500:
      return "engine error";
    case 501:
      return "not implemented";
    case 503:
      return "unavailable";
    default:
      return "HTTP " + std::to_string(status);
  }
}

// Docker's socket when it exists; otherwise Podman's Docker-compatible one (rootless, then
// rootful) when one of those exists; otherwise Docker's, so the error names the usual place.
std::string default_host() {
  struct stat st;
  if (::stat("/var/run/docker.sock", &st) == 0) return kDefaultHost;
  std::vector<std::string> candidates;
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    candidates.push_back(std::string(xdg) + "/podman/podman.sock");
  candidates.push_back("/run/podman/podman.sock");
  for (const auto& c : candidates)
    if (::stat(c.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return "unix://" + c;
  return kDefaultHost;
}

}  // namespace

EngineError::EngineError(long status, std::string engine_message, const std::string& context)
    : EnvError(context.empty() ? engine_message : context + ": " + engine_message),
      status_(status),
      engine_message_(std::move(engine_message)) {}

BuildError::BuildError(std::string builder_message, std::string output, const std::string& context)
    : EngineError(0, std::move(builder_message), context), output_(std::move(output)) {}

Filters label_filters(const Labels& labels) {
  Filters f;
  for (const auto& [k, v] : labels) f["label"].push_back(v.empty() ? k : k + "=" + v);
  return f;
}

struct Client::State {
  ClientOptions options;
  std::unique_ptr<Transport> transport;
  mutable std::mutex mutex;
  std::string version;  // negotiated; empty until first use
};

Client::Client(ClientOptions options) : state_(std::make_shared<State>()) {
  if (options.host.empty()) {
    const char* env = std::getenv("DOCKER_HOST");
    options.host = env && *env ? env : default_host();
  }
  state_->transport = std::make_unique<Transport>(Endpoint::parse(options.host), options.connect_timeout_seconds);
  state_->version = options.api_version;
  state_->options = std::move(options);
}

const std::string& Client::address() const { return state_->transport->endpoint().address; }

std::string Client::escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string Client::api_version() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->version.empty()) return state_->version;
  Request r;
  r.target = "/version";
  r.timeout_seconds = state_->options.timeout_seconds;
  Response resp = state_->transport->send(r);
  std::string server;
  if (resp.status == 200) {
    auto v = json::parse(resp.body, nullptr, false);
    if (v.is_object() && v.contains("ApiVersion") && v["ApiVersion"].is_string()) server = v["ApiVersion"];
  }
  if (server.empty()) {
    // Some compatible engines only say it in the ping headers.
    Request p;
    p.target = "/_ping";
    p.timeout_seconds = state_->options.timeout_seconds;
    Response pr = state_->transport->send(p);
    auto it = pr.headers.find("api-version");
    if (it != pr.headers.end()) server = it->second;
    if (server.empty() && pr.status != 200)
      throw EngineError(pr.status, engine_message_of(pr.body),
                        "the container engine at " + address() + " does not answer /_ping");
  }
  if (server.empty() || parse_version(server) > parse_version(kNewestApiVersion)) server = kNewestApiVersion;
  state_->version = server;
  return server;
}

std::string Client::versioned(const std::string& path) const { return "/v" + api_version() + path; }

Response Client::send(Request request, const ChunkSink& sink) const {
  request.target = versioned(request.target);
  return state_->transport->send(request, sink);
}

namespace {
// Throws EngineError unless the status is a success (or one of `ok_also`).
void check(const Response& r, const std::string& what, std::initializer_list<long> ok_also = {}) {
  if (r.status >= 200 && r.status < 300) return;
  for (long s : ok_also)
    if (r.status == s) return;
  std::string msg = engine_message_of(r.body);
  if (msg == "no details given") msg = status_text(r.status);
  throw EngineError(r.status, msg, what);
}

json parse_body(const Response& r, const std::string& what) {
  if (trim(r.body).empty()) return nullptr;
  auto parsed = json::parse(r.body, nullptr, false);
  if (parsed.is_discarded()) throw EnvError(what + ": the engine answered with something that is not JSON");
  return parsed;
}
}  // namespace

json Client::call(const std::string& method, const std::string& path, const json& body, const std::string& what) const {
  Request r;
  r.method = method;
  r.target = path;
  r.timeout_seconds = state_->options.timeout_seconds;
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers["Content-Type"] = "application/json";
  }
  Response resp = send(r);
  std::string context = what.empty() ? method + " " + path : what;
  check(resp, context);
  return parse_body(resp, context);
}

// --- system ---------------------------------------------------------------------------------

void Client::ping() const {
  Request r;
  r.target = "/_ping";
  r.timeout_seconds = state_->options.timeout_seconds;
  Response resp = state_->transport->send(r);
  check(resp, "ping the container engine at " + address());
}

json Client::version() const { return call("GET", "/version", nullptr, "engine version"); }
json Client::info() const { return call("GET", "/info", nullptr, "engine info"); }

// --- images ---------------------------------------------------------------------------------

namespace {
// Image references contain '/' and ':' which the engine's router expects verbatim.
std::string image_path(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '@')
      out += c;
    else
      out += Client::escape(std::string(1, c));
  }
  return out;
}

}  // namespace

json Client::inspect_image(const std::string& name) const {
  return call("GET", "/images/" + image_path(name) + "/json", nullptr, "inspect image " + name);
}
json Client::list_images(const Filters& filters, bool all) const {
  std::string q = "/images/json?all=" + std::string(all ? "1" : "0");
  if (!filters.empty()) q += "&filters=" + escape(filters_json(filters));
  return call("GET", q, nullptr, "list images");
}
json Client::remove_image(const std::string& name, bool force, bool no_prune) const {
  return call("DELETE",
              "/images/" + image_path(name) + "?force=" + (force ? "1" : "0") + "&noprune=" + (no_prune ? "1" : "0"),
              nullptr, "remove image " + name);
}
void Client::tag_image(const std::string& source, const std::string& repo, const std::string& tag) const {
  call("POST", "/images/" + image_path(source) + "/tag?repo=" + escape(repo) + "&tag=" + escape(tag), nullptr,
       "tag image " + source + " as " + repo + ":" + tag);
}

std::string Client::build_image(const BodyReader& context, const BuildOptions& o, const BuildOutput& on_output) const {
  std::string q = "/build?rm=1&forcerm=1";
  q += "&dockerfile=" + escape(o.dockerfile.empty() ? "Dockerfile" : o.dockerfile);
  for (const auto& t : o.tags) q += "&t=" + escape(t);
  json args = json::object();
  for (const auto& [k, v] : o.build_args)
    if (v) args[k] = *v;
  if (!args.empty()) q += "&buildargs=" + escape(args.dump());
  if (!o.target.empty()) q += "&target=" + escape(o.target);
  if (!o.labels.empty()) q += "&labels=" + escape(json(o.labels).dump());
  if (o.no_cache) q += "&nocache=1";
  if (o.pull) q += "&pull=1";
  if (!o.network_mode.empty()) q += "&networkmode=" + escape(o.network_mode);
  for (const auto& h : o.extra_hosts) q += "&extrahosts=" + escape(h);
  if (!o.platform.empty()) q += "&platform=" + escape(o.platform);
  if (!o.cache_from.empty()) q += "&cachefrom=" + escape(json(o.cache_from).dump());
  if (o.shm_size > 0) q += "&shmsize=" + std::to_string(o.shm_size);

  Request r;
  r.method = "POST";
  r.target = q;
  r.reader = context;
  r.headers["Content-Type"] = "application/x-tar";

  std::string what = o.tags.empty() ? "build" : "build " + o.tags.front();
  std::string image_id, error, output, error_body;
  LineSplitter text_lines([&](const std::string& line) {
    output += line + "\n";
    if (on_output) on_output(line);
    // The classic builder's last word when no aux message carries the ID.
    if (line.rfind("Successfully built ", 0) == 0 && image_id.empty()) image_id = trim(line.substr(19));
  });
  JsonLines messages([&](const json& m) {
    if (m.contains("error")) {
      error = m["error"].is_string() ? m["error"].get<std::string>() : m["error"].dump();
      if (m.contains("errorDetail") && m["errorDetail"].is_object() && m["errorDetail"].contains("message") &&
          m["errorDetail"]["message"].is_string())
        error = m["errorDetail"]["message"];
      return;
    }
    if (m.contains("stream") && m["stream"].is_string()) text_lines.feed(m["stream"].get<std::string>());
    if (m.contains("status") && m["status"].is_string()) {
      std::string s = m["status"];
      if (m.contains("id") && m["id"].is_string()) s = m["id"].get<std::string>() + ": " + s;
      text_lines.feed(s + "\n");
    }
    if (m.contains("aux") && m["aux"].is_object() && m["aux"].contains("ID") && m["aux"]["ID"].is_string())
      image_id = m["aux"]["ID"];
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    messages.feed(std::string(d, n));
    return true;
  });
  check(resp, what);
  messages.finish();
  text_lines.finish();
  if (!error.empty()) throw BuildError(error, output, what);
  if (image_id.empty()) throw BuildError("the builder reported no image ID", output, what);
  if (image_id.rfind("sha256:", 0) != 0 && image_id.size() < 64) {
    // "Successfully built 0123abcd" is a short ID; resolve it.
    auto full = find_image(image_id);
    if (full && full->contains("Id")) image_id = (*full)["Id"];
  }
  return image_id;
}

std::string Client::pull_image(const std::string& reference, const PullOutput& on_output) const {
  // "repo:tag", "repo@digest" or "repo" (latest). A ':' after the last '/' is a tag; one before
  // it belongs to a registry's host:port.
  std::string repo = reference, tag;
  size_t at = reference.find('@');
  size_t colon = reference.rfind(':');
  size_t slash = reference.rfind('/');
  if (at != std::string::npos) {
    repo = reference.substr(0, at);
    tag = reference.substr(at + 1);
  } else if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = reference.substr(0, colon);
    tag = reference.substr(colon + 1);
  } else {
    tag = "latest";
  }
  Request r;
  r.method = "POST";
  r.target = "/images/create?fromImage=" + escape(repo) + "&tag=" + escape(tag);
  std::string what = "pull image " + reference;
  std::string error;
  JsonLines messages([&](const json& m) {
    if (m.contains("error")) {
      error = m["error"].is_string() ? m["error"].get<std::string>() : m["error"].dump();
      return;
    }
    if (on_output && m.contains("status") && m["status"].is_string()) {
      std::string line = m["status"];
      if (m.contains("id") && m["id"].is_string()) line = m["id"].get<std::string>() + ": " + line;
      if (m.contains("progress") && m["progress"].is_string()) line += " " + m["progress"].get<std::string>();
      on_output(line);
    }
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    messages.feed(std::string(d, n));
    return true;
  });
  if (resp.status >= 300) check(resp, what + " (is the registry reachable? build or load the image instead)");
  messages.finish();
  if (!error.empty())
    throw EngineError(0, error, what + " (is the registry reachable? build or load the image instead)");
  std::string full = at != std::string::npos ? reference : repo + ":" + tag;
  auto img = find_image(full);
  if (!img) throw EnvError(what + ": the engine reported no error, but has no image " + full + " afterwards");
  return img->value("Id", "");
}

std::string Client::import_image(const BodyReader& tar, const std::string& repo, const std::string& tag,
                                 const std::vector<std::string>& changes, const std::string& message) const {
  std::string q = "/images/create?fromSrc=-&repo=" + escape(repo);
  if (!tag.empty()) q += "&tag=" + escape(tag);
  for (const auto& c : changes) q += "&changes=" + escape(c);
  if (!message.empty()) q += "&message=" + escape(message);
  Request r;
  r.method = "POST";
  r.target = q;
  r.reader = tar;
  r.headers["Content-Type"] = "application/x-tar";
  std::string what = "import image " + repo + (tag.empty() ? "" : ":" + tag);
  std::string id, error;
  JsonLines messages([&](const json& m) {
    if (m.contains("error")) error = m["error"].is_string() ? m["error"].get<std::string>() : m["error"].dump();
    if (m.contains("status") && m["status"].is_string()) {
      std::string s = m["status"];
      if (s.rfind("sha256:", 0) == 0) id = s;
    }
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    messages.feed(std::string(d, n));
    return true;
  });
  if (resp.status >= 300) {
    check(resp, what);
  }
  messages.finish();
  if (!error.empty()) throw EngineError(0, error, what);
  if (id.empty()) {
    auto img = find_image(repo + ":" + (tag.empty() ? "latest" : tag));
    if (img && img->contains("Id")) id = (*img)["Id"];
  }
  return id;
}

std::vector<std::string> Client::load_images(const BodyReader& tar) const {
  Request r;
  r.method = "POST";
  r.target = "/images/load";
  r.reader = tar;
  r.headers["Content-Type"] = "application/x-tar";
  std::vector<std::string> lines;
  std::string error;
  LineSplitter text([&](const std::string& l) { lines.push_back(l); });
  JsonLines messages([&](const json& m) {
    if (m.contains("error")) error = m["error"].is_string() ? m["error"].get<std::string>() : m["error"].dump();
    if (m.contains("stream") && m["stream"].is_string()) text.feed(m["stream"].get<std::string>());
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    messages.feed(std::string(d, n));
    return true;
  });
  if (resp.status >= 300) {
    check(resp, "load images");
  }
  messages.finish();
  text.finish();
  if (!error.empty()) throw EngineError(0, error, "load images");
  return lines;
}

// --- containers -----------------------------------------------------------------------------

std::string Client::create_container(const std::string& name, const json& body) const {
  std::string path = "/containers/create";
  if (!name.empty()) path += "?name=" + escape(name);
  json r = call("POST", path, body.is_null() ? json::object() : body, "create container " + name);
  if (r.is_object() && r.contains("Warnings") && r["Warnings"].is_array()) {
    // Warnings (e.g. about memory limits) are not failures; nothing to do with them here.
  }
  return r.value("Id", "");
}

void Client::start_container(const std::string& id) const {
  Request r;
  r.method = "POST";
  r.target = "/containers/" + escape(id) + "/start";
  r.timeout_seconds = state_->options.timeout_seconds;
  check(send(r), "start container " + id, {304});
}

void Client::stop_container(const std::string& id, int timeout_seconds) const {
  Request r;
  r.method = "POST";
  r.target = "/containers/" + escape(id) + "/stop?t=" + std::to_string(timeout_seconds);
  r.timeout_seconds = state_->options.timeout_seconds + timeout_seconds;
  check(send(r), "stop container " + id, {304});
}

void Client::restart_container(const std::string& id, int timeout_seconds) const {
  Request r;
  r.method = "POST";
  r.target = "/containers/" + escape(id) + "/restart?t=" + std::to_string(timeout_seconds);
  r.timeout_seconds = state_->options.timeout_seconds + timeout_seconds;
  check(send(r), "restart container " + id);
}

void Client::kill_container(const std::string& id, const std::string& signal) const {
  call("POST", "/containers/" + escape(id) + "/kill?signal=" + escape(signal), nullptr, "kill container " + id);
}

void Client::remove_container(const std::string& id, bool force, bool volumes) const {
  call("DELETE", "/containers/" + escape(id) + "?force=" + (force ? "1" : "0") + "&v=" + (volumes ? "1" : "0"), nullptr,
       "remove container " + id);
}

json Client::inspect_container(const std::string& id) const {
  return call("GET", "/containers/" + escape(id) + "/json", nullptr, "inspect container " + id);
}

json Client::container_changes(const std::string& id) const {
  return call("GET", "/containers/" + escape(id) + "/changes", nullptr, "changes of container " + id);
}

json Client::list_containers(const Filters& filters, bool all) const {
  std::string q = "/containers/json?all=" + std::string(all ? "1" : "0");
  if (!filters.empty()) q += "&filters=" + escape(filters_json(filters));
  json r = call("GET", q, nullptr, "list containers");
  return r.is_null() ? json::array() : r;
}

int Client::wait_container(const std::string& id, const std::string& condition) const {
  Request r;
  r.method = "POST";
  r.target = "/containers/" + escape(id) + "/wait?condition=" + escape(condition);
  Response resp = send(r);
  check(resp, "wait for container " + id);
  json body = parse_body(resp, "wait for container " + id);
  if (body.is_object() && body.contains("Error") && body["Error"].is_object() && body["Error"].contains("Message") &&
      body["Error"]["Message"].is_string() && !body["Error"]["Message"].get<std::string>().empty())
    throw EngineError(0, body["Error"]["Message"], "wait for container " + id);
  return body.is_object() ? body.value("StatusCode", -1) : -1;
}

void Client::rename_container(const std::string& id, const std::string& new_name) const {
  call("POST", "/containers/" + escape(id) + "/rename?name=" + escape(new_name), nullptr,
       "rename container " + id + " to " + new_name);
}
void Client::pause_container(const std::string& id) const {
  call("POST", "/containers/" + escape(id) + "/pause", nullptr, "pause container " + id);
}
void Client::unpause_container(const std::string& id) const {
  call("POST", "/containers/" + escape(id) + "/unpause", nullptr, "unpause container " + id);
}

void Client::logs(const std::string& id, const LogsOptions& o, const OutputSink& sink) const {
  json c = inspect_container(id);
  bool tty = c.contains("Config") && c["Config"].is_object() && c["Config"].value("Tty", false);
  std::string q = "/containers/" + escape(id) + "/logs?stdout=" + (o.stdout_ ? "1" : "0") +
                  "&stderr=" + (o.stderr_ ? "1" : "0") + "&follow=" + (o.follow ? "1" : "0") +
                  "&timestamps=" + (o.timestamps ? "1" : "0") + "&tail=" + escape(o.tail.empty() ? "all" : o.tail);
  if (!o.since.empty()) q += "&since=" + escape(o.since);
  Request r;
  r.target = q;
  if (!o.follow) r.timeout_seconds = state_->options.timeout_seconds;
  bool stopped = false;
  Demultiplexer demux([&](StreamKind k, const std::string& d) {
    if (!stopped && !sink(k, d)) stopped = true;
    return !stopped;
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    if (tty) {
      if (!sink(StreamKind::out, std::string(d, n))) return false;
      return true;
    }
    return demux.feed(d, n);
  });
  if (resp.status >= 300) {
    check(resp, "logs of container " + id);
  }
}


ExecResult Client::exec(const std::string& id, const ExecOptions& o) const {
  if (o.cmd.empty()) throw UserError("exec in container " + id + ": empty command");
  json body = {{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", o.stdin_data.has_value()},
               {"Tty", o.tty},         {"Cmd", o.cmd},         {"Privileged", o.privileged}};
  if (!o.env.empty()) body["Env"] = o.env;
  if (!o.user.empty()) body["User"] = o.user;
  if (!o.working_dir.empty()) body["WorkingDir"] = o.working_dir;
  std::string what = "exec in container " + id;
  json created = call("POST", "/containers/" + escape(id) + "/exec", body, what);
  std::string exec_id = created.value("Id", "");
  if (exec_id.empty()) throw EnvError(what + ": the engine returned no exec ID");

  ExecResult result;
  auto deliver = [&](StreamKind k, const std::string& d) {
    (k == StreamKind::out ? result.out : result.err) += d;
    if (o.on_output) o.on_output(k, d);
    return true;
  };
  Demultiplexer demux(deliver);
  json start = {{"Detach", false}, {"Tty", o.tty}};
  if (o.stdin_data) {
    // Standard input needs the connection in both directions at once (HTTP upgrade).
    Request r;
    r.method = "POST";
    r.target = versioned("/exec/" + exec_id + "/start");
    r.body = start.dump();
    r.headers["Content-Type"] = "application/json";
    Response resp = state_->transport->upgrade(r, *o.stdin_data, [&](const char* d, size_t n) {
      if (o.tty) return deliver(StreamKind::out, std::string(d, n));
      return demux.feed(d, n);
    });
    check(resp, what, {101});
  } else {
    Request r;
    r.method = "POST";
    r.target = "/exec/" + exec_id + "/start";
    r.body = start.dump();
    r.headers["Content-Type"] = "application/json";
    Response resp = send(r, [&](const char* d, size_t n) {
      if (o.tty) return deliver(StreamKind::out, std::string(d, n));
      return demux.feed(d, n);
    });
    check(resp, what);
  }
  // The stream can end a moment before the engine records the exit code.
  for (int i = 0; i < 200; ++i) {
    json info = call("GET", "/exec/" + exec_id + "/json", nullptr, what);
    if (!info.value("Running", false) && info.contains("ExitCode") && info["ExitCode"].is_number_integer()) {
      result.exit_code = info["ExitCode"];
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw EnvError(what + ": the engine did not report an exit code");
}


void Client::get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const {
  Request r;
  r.target = "/containers/" + escape(id) + "/archive?path=" + escape(path);
  Response resp = send(r, [&](const char* d, size_t n) { return sink(d, n); });
  if (resp.status >= 300) {
    check(resp, "copy " + path + " from container " + id);
  }
}


void Client::put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const {
  Request r;
  r.method = "PUT";
  r.target = "/containers/" + escape(id) + "/archive?path=" + escape(dir);
  r.reader = tar;
  r.headers["Content-Type"] = "application/x-tar";
  check(send(r), "copy into " + dir + " of container " + id);
}

// --- networks -------------------------------------------------------------------------------

std::string Client::create_network(const json& body) const {
  std::string name = body.is_object() ? body.value("Name", "") : "";
  json r = call("POST", "/networks/create", body, "create network " + name);
  return r.is_object() ? r.value("Id", "") : "";
}
json Client::inspect_network(const std::string& id) const {
  return call("GET", "/networks/" + escape(id), nullptr, "inspect network " + id);
}
json Client::list_networks(const Filters& filters) const {
  std::string q = "/networks";
  if (!filters.empty()) q += "?filters=" + escape(filters_json(filters));
  json r = call("GET", q, nullptr, "list networks");
  return r.is_null() ? json::array() : r;
}
void Client::remove_network(const std::string& id) const {
  call("DELETE", "/networks/" + escape(id), nullptr, "remove network " + id);
}
void Client::connect_network(const std::string& network, const std::string& container, const json& endpoint) const {
  json body = {{"Container", container}};
  if (!endpoint.is_null()) body["EndpointConfig"] = endpoint;
  call("POST", "/networks/" + escape(network) + "/connect", body, "connect " + container + " to network " + network);
}
void Client::disconnect_network(const std::string& network, const std::string& container, bool force) const {
  call("POST", "/networks/" + escape(network) + "/disconnect", json{{"Container", container}, {"Force", force}},
       "disconnect " + container + " from network " + network);
}

// --- volumes --------------------------------------------------------------------------------

json Client::create_volume(const json& body) const {
  std::string name = body.is_object() ? body.value("Name", "") : "";
  return call("POST", "/volumes/create", body.is_null() ? json::object() : body, "create volume " + name);
}
json Client::inspect_volume(const std::string& name) const {
  return call("GET", "/volumes/" + escape(name), nullptr, "inspect volume " + name);
}
json Client::list_volumes(const Filters& filters) const {
  std::string q = "/volumes";
  if (!filters.empty()) q += "?filters=" + escape(filters_json(filters));
  json r = call("GET", q, nullptr, "list volumes");
  if (r.is_object() && r.contains("Volumes") && r["Volumes"].is_array()) return r["Volumes"];
  return json::array();
}
void Client::remove_volume(const std::string& name, bool force) const {
  call("DELETE", "/volumes/" + escape(name) + "?force=" + (force ? "1" : "0"), nullptr, "remove volume " + name);
}

// --- swarm ---------------------------------------------------------------------------------

namespace {
std::string query_filters(const Filters& filters) {
  return filters.empty() ? "" : "?filters=" + Client::escape(filters_json(filters));
}
json array_or_empty(json r) { return r.is_array() ? r : json::array(); }
}  // namespace

std::string Client::swarm_init(const json& body) const {
  json r = call("POST", "/swarm/init", body, "swarm init");
  return r.is_string() ? r.get<std::string>() : "";
}
void Client::swarm_join(const json& body) const { call("POST", "/swarm/join", body, "swarm join"); }
void Client::swarm_leave(bool force) const {
  try {
    call("POST", std::string("/swarm/leave?force=") + (force ? "1" : "0"), nullptr, "swarm leave");
  } catch (const EngineError& e) {
    if (e.status() != 503) throw;  // "This node is not part of a swarm"
  }
}
json Client::inspect_swarm() const { return call("GET", "/swarm", nullptr, "inspect swarm"); }
json Client::list_nodes(const Filters& filters) const {
  return array_or_empty(call("GET", "/nodes" + query_filters(filters), nullptr, "list nodes"));
}
std::string Client::create_service(const json& spec) const {
  std::string name = spec.is_object() ? spec.value("Name", "") : "";
  json r = call("POST", "/services/create", spec, "create service " + name);
  return r.is_object() ? r.value("ID", "") : "";
}
json Client::inspect_service(const std::string& id) const {
  return call("GET", "/services/" + escape(id), nullptr, "inspect service " + id);
}
void Client::update_service(const std::string& id, std::uint64_t version, const json& spec) const {
  call("POST", "/services/" + escape(id) + "/update?version=" + std::to_string(version), spec, "update service " + id);
}
void Client::remove_service(const std::string& id) const {
  call("DELETE", "/services/" + escape(id), nullptr, "remove service " + id);
}
json Client::list_services(const Filters& filters) const {
  return array_or_empty(call("GET", "/services" + query_filters(filters), nullptr, "list services"));
}
json Client::list_tasks(const Filters& filters) const {
  return array_or_empty(call("GET", "/tasks" + query_filters(filters), nullptr, "list tasks"));
}
std::string Client::create_secret(const json& spec) const {
  // The context names the secret, never its data.
  std::string name = spec.is_object() ? spec.value("Name", "") : "";
  json r = call("POST", "/secrets/create", spec, "create secret " + name);
  return r.is_object() ? r.value("ID", "") : "";
}
void Client::remove_secret(const std::string& id) const {
  call("DELETE", "/secrets/" + escape(id), nullptr, "remove secret " + id);
}
json Client::list_secrets(const Filters& filters) const {
  return array_or_empty(call("GET", "/secrets" + query_filters(filters), nullptr, "list secrets"));
}

// --- image transfer ----------------------------------------------------------------------

void Client::save_images(const std::vector<std::string>& names, const ChunkSink& sink) const {
  Request r;
  r.target = "/images/get";
  std::string list;
  for (const auto& n : names) {
    r.target += (r.target.find('?') == std::string::npos ? "?names=" : "&names=") + escape(n);
    list += (list.empty() ? "" : ", ") + n;
  }
  // A stream: no overall timeout (a large image takes as long as it takes).
  Response resp = send(r, sink);
  if (resp.status >= 300) check(resp, "export images " + list);
}

// --- events ---------------------------------------------------------------------------------

void Client::events(const EventsOptions& o, const EventSink& sink) const {
  std::string q = "/events?";
  std::string sep;
  if (!o.filters.empty()) {
    q += "filters=" + escape(filters_json(o.filters));
    sep = "&";
  }
  if (!o.since.empty()) {
    q += sep + "since=" + escape(o.since);
    sep = "&";
  }
  if (!o.until.empty()) {
    q += sep + "until=" + escape(o.until);
    sep = "&";
  }
  Request r;
  r.target = q;
  bool stopped = false;
  JsonLines messages([&](const json& m) {
    if (!stopped && !sink(m)) stopped = true;
  });
  Response resp = send(r, [&](const char* d, size_t n) {
    messages.feed(std::string(d, n));
    return !stopped;
  });
  if (resp.status >= 300) {
    check(resp, "events");
  }
}

}  // namespace slipway::engine
