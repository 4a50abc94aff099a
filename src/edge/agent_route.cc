#include "edge/agent_route.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace slipway::edge {

namespace fs = std::filesystem;

bool is_bcrypt_hash(const std::string& hash) {
  // $2b$12$ + 22 characters of salt + 31 of hash.
  if (hash.size() != 60 || hash.compare(0, 2, "$2") != 0 || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!isdigit(static_cast<unsigned char>(hash[4])) || !isdigit(static_cast<unsigned char>(hash[5]))) return false;
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  return hash.find_first_not_of("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 7) ==
         std::string::npos;
}

namespace {

// Caddy 2.6's `caddy hash-password` prints the bcrypt hash base64-encoded; "" when `text` is not
// base64.
std::string from_base64(const std::string& text) {
  static const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  size_t end = text.find_last_not_of('=');
  if (end == std::string::npos || text.size() % 4 != 0) return "";
  for (size_t i = 0; i <= end; ++i) {
    size_t d = digits.find(text[i]);
    if (d == std::string::npos) return "";
    bits = (bits << 6) | static_cast<unsigned>(d);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

}  // namespace

std::vector<BasicUser> parse_users(const std::string& text, const std::string& file) {
  std::vector<BasicUser> users;
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  const char* how = " (write NAME:HASH, the hash from `htpasswd -nB NAME` or `caddy hash-password`)";
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    auto at = [&](const std::string& what) { return UserError(file + ":" + std::to_string(number) + ": " + what); };
    // Never echo the line: it may hold a password written by mistake.
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) throw at(std::string("not a user line") + how);
    std::string name = line.substr(0, colon), hash = line.substr(colon + 1);
    if (name.find_first_of(" \t") != std::string::npos) throw at("the user name holds a blank");
    if (!is_bcrypt_hash(hash) && is_bcrypt_hash(from_base64(hash))) hash = from_base64(hash);
    if (!is_bcrypt_hash(hash))
      throw at("the text after '" + name + ":' is not a bcrypt hash; store hashes, never passwords" + how);
    if (!names.insert(name).second) throw at("user '" + name + "' is listed twice");
    users.push_back({name, hash});
  }
  if (users.empty()) throw UserError(file + ": names no user" + std::string(how));
  return users;
}

std::optional<AgentRoute> parse_agent_route(const ojson& x, const Reporter& at, const std::string& base_dir) {
  auto it = x.find("agent");
  if (it == x.end() || it->is_null()) return std::nullopt;
  const ojson& agent = *it;
  if (!agent.is_object()) at.fail("must be a mapping (route, users-file, tls)");
  for (const auto& [k, v] : agent.items())
    if (k != "route" && k != "users-file" && k != "tls" && k.rfind("x-", 0) != 0)
      at.child(k).fail("unknown key (known: route, users-file, tls)");
  auto route = agent.find("route");
  if (route == agent.end() || !route->is_string())
    at.child("route").fail("must be the host name the status page is served under (e.g. status.example.org)");
  Reporter route_at = at.child("route");
  Route parsed;
  parse_route_key(route->get<std::string>(), parsed, route_at);
  if (!parsed.path.empty())
    route_at.fail("names a path; the status page needs a host of its own (write the host only)");
  if (parsed.host.rfind("*.", 0) == 0) route_at.fail("must be one host, not a wildcard");
  AgentRoute a;
  a.host = parsed.host;
  a.tls = parsed.tls;
  a.where = route_at.where();
  if (auto tls = agent.find("tls"); tls != agent.end()) {
    Reporter tls_at = at.child("tls");
    if (!tls->is_string() || (*tls != "acme" && *tls != "internal"))
      tls_at.fail("must be acme or internal (write http://HOST for plain HTTP)");
    if (a.tls == Tls::none) tls_at.fail("an http:// route has no certificate; remove tls or the http:// prefix");
    if (*tls == "acme" && default_tls(a.host) == Tls::internal)
      tls_at.fail(a.host + " cannot get a public certificate (it is local or an IP address); use tls: internal");
    a.tls = *tls == "acme" ? Tls::acme : Tls::internal;
  }
  auto file = agent.find("users-file");
  Reporter file_at = at.child("users-file");
  if (file == agent.end() || !file->is_string() || file->get<std::string>().empty())
    file_at.fail(
        "must name a file of NAME:BCRYPT-HASH lines (make one with `htpasswd -nB NAME`); the page is never served "
        "through the edge without authentication");
  fs::path path = file->get<std::string>();
  if (path.is_relative()) path = (base_dir.empty() ? fs::current_path() : fs::path(base_dir)) / path;
  a.users_file = path.lexically_normal().string();
  std::ifstream in(a.users_file, std::ios::binary);
  if (!in) file_at.fail("cannot read " + a.users_file);
  std::stringstream text;
  text << in.rdbuf();
  a.users = parse_users(text.str(), a.users_file);
  return a;
}

}  // namespace slipway::edge
