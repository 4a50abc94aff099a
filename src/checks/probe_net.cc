// Network probes: http, addr, dns, port, interface — run by slipway from inside the
// container's network namespace, resolving names the way the container does.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "checks/dns.h"
#include "checks/listeners.h"
#include "checks/netns.h"
#include "checks/probes.h"
#include "util/parse.h"

namespace slipway::checks {

namespace {

int timeout_ms(const Check& c, int fallback) {
  json t = c.param("timeout");
  if (t.is_number()) return std::max(1, static_cast<int>(t.get<double>()));
  return fallback;
}

std::string read_proc(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Resolver {
  std::string hosts, resolv;
  // Name lookups before a connection get at most 5s of the check's timeout, like a libc resolver.
  DnsResult resolve(const std::string& host, int ms) const {
    return resolve_host(host, hosts, resolv, std::min(ms, 5000));
  }
};

Resolver container_resolver(ContainerView& view) {
  return Resolver{view.text("/etc/hosts").value_or(""), view.text("/etc/resolv.conf").value_or("")};
}

// Splits "scheme://host:port" (addr) into its parts.
bool split_address(const std::string& a, std::string* scheme, std::string* host, int* port) {
  auto sep = a.find("://");
  if (sep == std::string::npos) return false;
  *scheme = a.substr(0, sep);
  std::string rest = a.substr(sep + 3);
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') return false;
    *host = rest.substr(1, close - 1);
    rest = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) return false;
    *host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  auto number = parse_uint(rest, 65535);
  if (!number || *number == 0) return false;
  *port = static_cast<int>(*number);
  return true;
}

bool make_addr(const std::string& ip, int port, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v6;
    return true;
  }
  return false;
}

// A TCP connect with a deadline; "" on success, else why it failed.
std::string tcp_connect(const std::string& ip, int port, const std::string& local, int ms) {
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(ip, port, &ss, &len)) return "bad address " + ip;
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return std::strerror(errno);
  std::string err;
  if (!local.empty()) {
    sockaddr_storage ls;
    socklen_t ll;
    if (!make_addr(local, 0, &ls, &ll) || ::bind(fd, reinterpret_cast<sockaddr*>(&ls), ll) != 0) {
      ::close(fd);
      return "cannot bind local address " + local;
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) {
      err = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, ms);
      if (r == 0) {
        err = "i/o timeout";
      } else {
        int so = 0;
        socklen_t sl = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
        if (so != 0) err = std::strerror(so);
      }
    }
  }
  ::close(fd);
  return err;
}

CheckResult probe_addr(const Check& c, ContainerView& view) {
  std::string address = c.text_param("address", c.id);
  std::string scheme, host;
  int port = 0;
  if (!split_address(address, &scheme, &host, &port) || (scheme != "tcp" && scheme != "udp"))
    return failed(c, "address must look like tcp://HOST:PORT or udp://HOST:PORT, got " + address);
  int ms = timeout_ms(c, 500);
  std::string local = c.text_param("local-address", "");
  Resolver res = container_resolver(view);
  bool reachable = false;
  std::string why;
  in_network_namespace(view.pid(), [&] {
    DnsResult r = res.resolve(host, ms);
    if (r.records.empty()) {
      why = "lookup " + host + ": " + (r.error.empty() ? "no such host" : r.error);
      return;
    }
    if (scheme == "udp") {
      reachable = true;  // as goss: a UDP "connection" cannot be refused
      return;
    }
    for (const auto& ip : r.records) {
      std::string err = tcp_connect(ip, port, local, ms);
      if (err.empty()) {
        reachable = true;
        return;
      }
      why = "dial tcp " + ip + ":" + std::to_string(port) + ": " + err;
    }
  });
  return evaluate(c, [&](const std::string&) { return Fetched::of(Value(json(reachable))); });
}

CheckResult probe_port(const Check& c, ContainerView& view) {
  std::string spec = c.text_param("port", c.id);
  std::string proto = "tcp";
  auto colon = spec.find(':');
  std::string num = spec;
  if (colon != std::string::npos) {
    proto = spec.substr(0, colon);
    num = spec.substr(colon + 1);
  }
  auto number = parse_uint(num, 65535);
  int port = number ? static_cast<int>(*number) : 0;
  if (port == 0 || (proto != "tcp" && proto != "tcp6" && proto != "udp" && proto != "udp6"))
    return failed(c, "port must look like tcp:80, tcp6:80, udp:53 or udp6:53, got " + spec);
  bool v6 = proto.back() == '6';
  bool udp = proto[0] == 'u';
  std::string table = "/proc/" + std::to_string(view.pid()) + "/net/" + (udp ? "udp" : "tcp");
  std::vector<std::string> ips = listeners(read_proc(table + (v6 ? "6" : "")), port, v6, udp);
  if (!v6) {
    // An IPv4 client also reaches IPv6 sockets that accept both (listeners.h). Whether each
    // one does is known only inside the container's network namespace.
    std::string table6 = read_proc(table + "6");
    if (!dual_stack_listeners(table6, port, udp, V6OnlyFlags{}).empty()) {
      V6OnlyFlags flags;
      in_network_namespace(view.pid(), [&] { flags = read_v6only_flags(udp); });
      for (const auto& ip : dual_stack_listeners(table6, port, udp, flags))
        if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
    }
  }
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "listening") return Fetched::of(Value(json(!ips.empty())));
    return Fetched::of(Value::lines(ips));
  });
}

CheckResult probe_dns(const Check& c, ContainerView& view) {
  std::string id = c.text_param("resolve", c.id);
  DnsType type = DnsType::A;
  bool typed = false;
  auto colon = id.find(':');
  std::string host = id;
  if (colon != std::string::npos && parse_dns_type(id.substr(0, colon), &type)) {
    typed = true;
    host = id.substr(colon + 1);
  }
  int ms = timeout_ms(c, 500);
  std::string server = c.text_param("server", "");
  Resolver res = container_resolver(view);
  DnsResult r;
  in_network_namespace(view.pid(), [&] {
    if (!typed && server.empty()) {
      r = res.resolve(host, ms);
      return;
    }
    std::vector<std::string> servers = server.empty() ? nameservers(res.resolv) : std::vector<std::string>{server};
    if (servers.empty()) servers.push_back("127.0.0.1");
    for (const auto& s : servers) {
      if (typed) {
        r = dns_query(s, host, type, ms);
      } else {
        r = dns_query(s, host, DnsType::A, ms);
        DnsResult six = dns_query(s, host, DnsType::AAAA, ms);
        r.records.insert(r.records.end(), six.records.begin(), six.records.end());
      }
      if (r.answered) break;
    }
  });
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (!r.answered && !r.error.empty() && p == "addrs") return Fetched::failed(r.error);
    if (p == "resolvable") return Fetched::of(Value(json(!r.records.empty())));
    return Fetched::of(Value::lines(r.records));
  });
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Host and port of an http(s) URL (userinfo dropped, [v6] unbracketed, the scheme's port by
// default); nullopt when `url` has no scheme or a bad port.
std::optional<std::pair<std::string, int>> http_host_port(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  std::string scheme = url.substr(0, sep), rest = url.substr(sep + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string host = authority, port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    host = authority.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    if (close != std::string::npos && close + 1 < authority.size() && authority[close + 1] == ':')
      port_text = authority.substr(close + 2);
  } else if (auto colon = authority.find(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (port_text.empty()) return std::make_pair(host, scheme == "https" ? 443 : 80);
  auto port = parse_uint(port_text, 65535);
  if (!port || *port == 0) return std::nullopt;
  return std::make_pair(host, static_cast<int>(*port));
}

bool flag_param(const Check& c, const std::string& name) {
  json v = c.param(name, false);
  return v.is_boolean() && v.get<bool>();
}

// The request as the check describes it: method, body, headers, credentials, TLS files.
// Returns the header list to free after the transfer; `body` must outlive it.
curl_slist* configure_http_request(CURL* curl, const Check& c, std::string* body) {
  curl_slist* headers = nullptr;
  json rh = c.param("request-headers", json::array());
  if (rh.is_array())
    for (const auto& h : rh)
      if (h.is_string()) headers = curl_slist_append(headers, h.get<std::string>().c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "slipway (goss-compatible checks)");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, flag_param(c, "no-follow-redirects") ? 0L : 1L);
  if (flag_param(c, "allow-insecure")) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  std::string method = c.text_param("method", "GET");
  if (c.param("request-body").is_string()) {
    *body = c.param("request-body").get<std::string>();
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  std::string user = c.text_param("username", "");
  if (!user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, c.text_param("password", "").c_str());
  }
  const std::pair<const char*, CURLoption> files[] = {{"proxy", CURLOPT_PROXY},
                                                      {"ca-file", CURLOPT_CAINFO},
                                                      {"cert-file", CURLOPT_SSLCERT},
                                                      {"key-file", CURLOPT_SSLKEY}};
  for (const auto& [name, option] : files)
    if (c.param(name).is_string()) curl_easy_setopt(curl, option, c.param(name).get<std::string>().c_str());
  return headers;
}

// The last response's header lines (after redirects), without the status line, names in
// Go's canonical form ("Content-Type") as goss prints them, whatever the server sent.
std::string canonical_headers(const std::string& raw) {
  std::string headers;
  std::istringstream in(raw);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      headers.clear();
      continue;
    }
    if (line.empty()) continue;
    auto colon = line.find(':');
    bool up = true;
    for (size_t i = 0; i < line.size() && i < colon; ++i) {
      unsigned char ch = static_cast<unsigned char>(line[i]);
      line[i] = static_cast<char>(up ? std::toupper(ch) : std::tolower(ch));
      up = line[i] == '-';
    }
    headers += line + "\n";
  }
  return headers;
}

struct HttpResponse {
  long status = 0;
  std::string headers, body, error;
};

// One request to `url` with `host:port` pinned to `ip` (what the container resolved).
HttpResponse http_fetch(const Check& c, const std::string& url, const std::string& host, int port,
                        const std::string& ip, int ms) {
  HttpResponse r;
  CURL* curl = curl_easy_init();
  if (!curl) {
    r.error = "curl_easy_init failed";
    return r;
  }
  std::string pin = host + ":" + std::to_string(port) + ":" + (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip);
  curl_slist* resolve = curl_slist_append(nullptr, pin.c_str());
  std::string request_body, raw_headers;
  curl_slist* headers = configure_http_request(curl, c, &request_body);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &raw_headers);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    r.error = url + ": " + curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    r.headers = canonical_headers(raw_headers);
  }
  curl_slist_free_all(resolve);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
}

CheckResult probe_http(const Check& c, ContainerView& view) {
  std::string url = c.text_param("url", c.id);
  int ms = timeout_ms(c, 5000);
  auto target = http_host_port(url);
  if (!target) return failed(c, "not a URL: " + url);
  const auto& [host, port] = *target;
  Resolver res = container_resolver(view);
  HttpResponse response;
  in_network_namespace(view.pid(), [&] {
    DnsResult r = res.resolve(host, ms);
    if (r.records.empty())
      response.error = "lookup " + host + ": " + (r.error.empty() ? "no such host" : r.error);
    else
      response = http_fetch(c, url, host, port, r.records[0], ms);
  });
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (!response.error.empty()) return Fetched::failed(response.error);
    if (p == "status") return Fetched::of(Value(json(response.status)));
    if (p == "headers") return Fetched::text(response.headers);
    return Fetched::text(response.body);
  });
}

CheckResult probe_interface(const Check& c, ContainerView& view) {
  std::string name = c.text_param("name", c.id);
  bool exists = false;
  std::vector<std::string> addrs;
  long long mtu = 0;
  in_network_namespace(view.pid(), [&] {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (name != a->ifa_name) continue;
      exists = true;
      if (!a->ifa_addr) continue;
      char buf[INET6_ADDRSTRLEN];
      int prefix = 0;
      if (a->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
        if (a->ifa_netmask)
          prefix = __builtin_popcount(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf, sizeof buf);
        if (a->ifa_netmask)
          for (unsigned char b : reinterpret_cast<sockaddr_in6*>(a->ifa_netmask)->sin6_addr.s6_addr)
            prefix += __builtin_popcount(b);
      } else {
        continue;
      }
      addrs.push_back(std::string(buf) + "/" + std::to_string(prefix));
    }
    ::freeifaddrs(list);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      ifreq req{};
      std::strncpy(req.ifr_name, name.c_str(), IFNAMSIZ - 1);
      if (::ioctl(fd, SIOCGIFMTU, &req) == 0) mtu = req.ifr_mtu;
      ::close(fd);
    }
  });
  return evaluate(c, [&](const std::string& p) -> Fetched {
    if (p == "exists") return Fetched::of(Value(json(exists)));
    if (p == "addrs") return Fetched::of(Value::lines(addrs));
    return Fetched::of(Value(json(mtu)));
  });
}

}  // namespace

CheckResult probe_network(const Check& c, ContainerView& view) {
  if (c.type == "addr") return probe_addr(c, view);
  if (c.type == "port") return probe_port(c, view);
  if (c.type == "dns") return probe_dns(c, view);
  if (c.type == "http") return probe_http(c, view);
  return probe_interface(c, view);
}

}  // namespace slipway::checks
