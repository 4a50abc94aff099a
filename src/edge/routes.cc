#include "edge/routes.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>

#include "edge/agent_route.h"
#include "util/parse.h"
#include "util/text.h"

namespace slipway::edge {
namespace {

const ojson* find(const ojson& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_ipv4(const std::string& host) {
  in_addr a;
  return host.find_first_not_of("0123456789.") == std::string::npos && inet_pton(AF_INET, host.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') return false;
  in6_addr a;
  return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a) == 1;
}

// A DNS name: labels of [a-z0-9-] (1..63, no leading or trailing '-'), optionally "*." first.
bool is_dns_name(const std::string& host) {
  std::string name = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (label.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

// Splits "[scheme://]host[/path]" and checks each part.
void parse_route_key(const std::string& key, Route& r, const Reporter& at) {
  std::string rest = key;
  bool plain = false;
  if (lower(rest).rfind("http://", 0) == 0) {
    plain = true;
    rest = rest.substr(7);
  } else if (lower(rest).rfind("https://", 0) == 0) {
    rest = rest.substr(8);
  } else if (rest.find("://") != std::string::npos) {
    at.fail("only http:// and https:// routes exist (write HOST[/PATH], or http://HOST[/PATH] for plain HTTP)");
  }
  size_t slash = rest.find('/');
  r.host = lower(rest.substr(0, slash));
  r.path = slash == std::string::npos ? "" : rest.substr(slash);
  if (r.host.empty()) at.fail("names no host (write HOST[/PATH], e.g. example.org/api)");
  for (unsigned char c : r.host)
    if (c >= 0x80) at.fail("write an internationalized host name in its ASCII form (xn--...)");
  if (r.host.back() == '.') at.fail("write the host without the trailing dot");
  bool bracketed = r.host.front() == '[';
  if (!bracketed && r.host.find(':') != std::string::npos)
    at.fail("a route names no port (the edge listens on x-slipway.edge.http and .https)");
  if (!is_ipv4(r.host) && !is_ipv6(r.host) && !is_dns_name(r.host))
    at.fail("'" + r.host + "' is not a host name or IP address (letters, digits, '-' and '.'; '*.' may start it)");
  if (r.path == "/") r.path.clear();
  if (!r.path.empty()) {
    if (r.path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/") !=
        std::string::npos)
      at.fail("the path prefix may hold letters, digits, '-', '.', '_', '~' and '/' only");
    std::string segments = r.path.back() == '/' ? r.path : r.path + "/";
    if (segments.find("//") != std::string::npos || segments.find("/./") != std::string::npos ||
        segments.find("/../") != std::string::npos)
      at.fail("the path prefix has an empty, '.' or '..' segment");
  }
  r.tls = plain ? Tls::none : default_tls(r.host);
}

namespace {

// "service:port", checked against the model.
void parse_target(const ojson& value, const ojson& model, Route& r, const Reporter& at) {
  if (!value.is_string()) at.fail("must be SERVICE:PORT (e.g. web:8000)");
  std::string target = value.get<std::string>();
  size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0)
    at.fail("'" + target + "' must be SERVICE:PORT, the service and its container port (e.g. web:8000)");
  r.service = target.substr(0, colon);
  auto port = parse_uint(target.substr(colon + 1), 65535);
  if (!port || *port == 0) at.fail("'" + target.substr(colon + 1) + "' is not a port (1-65535)");
  r.port = static_cast<int>(*port);
  const ojson* services = find(model, "services");
  const ojson* spec = services ? find(*services, r.service.c_str()) : nullptr;
  if (!spec) {
    std::string known;
    if (services)
      for (const auto& [name, s] : services->items()) known += (known.empty() ? "" : ", ") + name;
    at.fail("no service named '" + r.service + "' (services: " + (known.empty() ? "none" : known) + ")");
  }
  if (const ojson* mode = find(*spec, "network_mode"); mode && !mode->is_null())
    at.fail("service " + r.service + " uses network_mode " + mode->dump() +
            "; the edge reaches services by name on the stack's networks (remove network_mode)");
}

void parse_tls_choice(const ojson& value, Route& r, const Reporter& at) {
  if (!value.is_string() || (value != "acme" && value != "internal"))
    at.fail("must be acme or internal (write http://HOST for plain HTTP)");
  if (r.tls == Tls::none) at.fail("an http:// route has no certificate; remove tls or the http:// prefix");
  Tls wanted = value == "acme" ? Tls::acme : Tls::internal;
  if (wanted == Tls::acme && default_tls(r.host) == Tls::internal)
    at.fail(r.host + " cannot get a public certificate (it is local or an IP address); use tls: internal");
  r.tls = wanted;
}

Route parse_route(const std::string& key, const ojson& value, const ojson& model, const Reporter& at) {
  Route r;
  r.key = key;
  r.where = at.where();
  parse_route_key(key, r, at);
  if (value.is_object()) {
    for (const auto& [k, v] : value.items())
      if (k != "to" && k != "tls" && k.rfind("x-", 0) != 0) at.child(k).fail("unknown key (known: to, tls)");
    const ojson* to = find(value, "to");
    if (!to) at.child("to").fail("is missing (the SERVICE:PORT the route reaches)");
    parse_target(*to, model, r, at.child("to"));
    if (const ojson* tls = find(value, "tls")) parse_tls_choice(*tls, r, at.child("tls"));
  } else {
    parse_target(value, model, r, at);
  }
  if (r.tls == Tls::acme && r.host.rfind("*.", 0) == 0)
    at.fail(
        "a public wildcard certificate needs a DNS challenge, which the edge does not do "
        "(list the names, or use {to: ..., tls: internal})");
  r.id = route_id(r.host, r.path);
  return r;
}

PublicPort parse_public_port(const ojson& value, const Reporter& at) {
  // YAML integers may arrive signed or unsigned; a negative one fails parse_uint below.
  std::string text = value.is_number_integer() ? std::to_string(value.get<std::int64_t>())
                     : value.is_string()       ? value.get<std::string>()
                                               : "";
  PublicPort p;
  size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    p.host_ip = text.substr(0, colon);
    if (p.host_ip.size() > 2 && p.host_ip.front() == '[' && p.host_ip.back() == ']')
      p.host_ip = p.host_ip.substr(1, p.host_ip.size() - 2);
    in_addr a4;
    in6_addr a6;
    if (inet_pton(AF_INET, p.host_ip.c_str(), &a4) != 1 && inet_pton(AF_INET6, p.host_ip.c_str(), &a6) != 1)
      at.fail("'" + p.host_ip + "' is not an IP address (write PORT or IP:PORT, e.g. 127.0.0.1:8080)");
    text = text.substr(colon + 1);
  }
  auto port = parse_uint(text, 65535);
  if (!port || *port == 0) at.fail("must be a port (1-65535) or IP:PORT");
  p.port = static_cast<int>(*port);
  return p;
}

EdgeSettings parse_settings(const ojson& x, const Reporter& at) {
  EdgeSettings s;
  const ojson* edge = find(x, "edge");
  if (!edge || edge->is_null()) return s;
  if (!edge->is_object()) at.fail("must be a mapping (http, https, email)");
  for (const auto& [k, v] : edge->items()) {
    if (k == "http")
      s.http = parse_public_port(v, at.child(k));
    else if (k == "https")
      s.https = parse_public_port(v, at.child(k));
    else if (k == "email") {
      if (!v.is_string() || v.get<std::string>().find('@') == std::string::npos)
        at.child(k).fail("must be an e-mail address (the ACME account's contact)");
      s.email = v.get<std::string>();
    } else if (k.rfind("x-", 0) != 0) {
      at.child(k).fail("unknown key (known: http, https, email)");
    }
  }
  if (s.http.port == s.https.port) at.fail("http and https must be different ports");
  return s;
}

}  // namespace

const char* tls_name(Tls tls) {
  switch (tls) {
    case Tls::acme:
      return "acme";
    case Tls::internal:
      return "internal";
    default:
      return "none";
  }
}

std::string route_id(const std::string& host, const std::string& path) {
  std::string id = "route:" + host + path;
  std::replace(id.begin(), id.end(), '/', ':');
  return id;
}

Tls default_tls(const std::string& host) {
  if (is_ipv4(host) || is_ipv6(host) || host == "localhost") return Tls::internal;
  for (const char* suffix : {".localhost", ".test", ".local", ".internal", ".home.arpa"})
    if (ends_with(host, suffix)) return Tls::internal;
  return Tls::acme;
}

void match_order(std::vector<Route>& routes) {
  std::stable_sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
    bool wa = a.host.rfind("*.", 0) == 0, wb = b.host.rfind("*.", 0) == 0;
    if (wa != wb) return !wa;
    if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
    if (a.host != b.host) return a.host < b.host;
    return a.path < b.path;
  });
}

std::vector<Route> routes_of_service(const std::vector<Route>& routes, const std::string& service) {
  std::vector<Route> out;
  for (const auto& r : routes)
    if (r.service == service) out.push_back(r);
  return out;
}

Routing parse_routing(const ojson& model, const Locator& locate, const std::string& base_dir) {
  Routing routing;
  Reporter top(locate, {"x-slipway"});
  const ojson* x = find(model, "x-slipway");
  if (!x || x->is_null()) return routing;
  if (!x->is_object()) top.fail("must be a mapping");
  routing.settings = parse_settings(*x, top.child("edge"));
  routing.agent = parse_agent_route(*x, top.child("agent"), base_dir);
  const ojson* routes = find(*x, "routes");
  if (!routes || routes->is_null()) return routing;
  Reporter at = top.child("routes");
  if (!routes->is_object()) at.fail("must be a mapping of HOST[/PATH] to SERVICE:PORT");
  if (const ojson* services = find(model, "services"); services && find(*services, kEdgeService))
    Reporter(locate, {"services", kEdgeService})
        .fail(std::string("the name ") + kEdgeService + " is reserved for the edge proxy (rename the service)");
  std::map<std::string, std::string> seen;  // id -> key
  for (const auto& [key, value] : routes->items()) {
    Route r = parse_route(key, value, model, at.child(key));
    auto [it, fresh] = seen.emplace(r.id, key);
    if (!fresh) at.child(key).fail("routes the same host and path as '" + it->second + "' (keep one)");
    if (routing.agent && routing.agent->host == r.host)
      at.child(key).fail("names " + r.host + ", the host of x-slipway.agent.route (the status page needs a host of its own)");
    routing.routes.push_back(std::move(r));
  }
  match_order(routing.routes);
  return routing;
}

Routing parse_routing(const compose::Project& project) {
  return parse_routing(project.model, file_locator(project.config_files), project.working_dir);
}

}  // namespace slipway::edge
