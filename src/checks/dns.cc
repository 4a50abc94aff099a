#include "checks/dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <sstream>

#include "util/parse.h"

namespace slipway::checks {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool parse_server(const std::string& server, sockaddr_storage* ss, socklen_t* len) {
  std::string host = server, port_text;
  if (!host.empty() && host[0] == '[') {
    auto close = host.find(']');
    if (close == std::string::npos) return false;
    if (close + 2 < host.size() && host[close + 1] == ':') port_text = host.substr(close + 2);
    host = host.substr(1, close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    port_text = host.substr(host.find(':') + 1);
    host = host.substr(0, host.find(':'));
  }
  auto port = port_text.empty() ? std::optional<std::uint64_t>(53) : parse_uint(port_text, 65535);
  if (!port) return false;
  std::memset(ss, 0, sizeof *ss);
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(*port));
    *len = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(*port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string reverse_name(const std::string& ip) {
  unsigned char b[16];
  if (inet_pton(AF_INET, ip.c_str(), b) == 1)
    return std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "." + std::to_string(b[0]) +
           ".in-addr.arpa";
  if (inet_pton(AF_INET6, ip.c_str(), b) == 1) {
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 15; i >= 0; --i) {
      s += hex[b[i] & 15];
      s += '.';
      s += hex[b[i] >> 4];
      s += '.';
    }
    return s + "ip6.arpa";
  }
  return ip;
}

std::string build_query(uint16_t id, const std::string& name, uint16_t type) {
  std::string q;
  auto put16 = [&](uint16_t v) {
    q += static_cast<char>(v >> 8);
    q += static_cast<char>(v & 0xff);
  };
  put16(id);
  put16(0x0100);  // recursion desired
  put16(1);
  put16(0);
  put16(0);
  put16(0);
  std::string label;
  std::string n = name;
  if (!n.empty() && n.back() == '.') n.pop_back();
  std::stringstream ss(n);
  while (std::getline(ss, label, '.')) {
    if (label.empty() || label.size() > 63) continue;
    q += static_cast<char>(label.size());
    q += label;
  }
  q += '\0';
  put16(type);
  put16(1);  // IN
  return q;
}

struct Parser {
  const std::string& m;
  size_t pos = 0;
  bool bad = false;

  uint16_t u16() {
    if (pos + 2 > m.size()) {
      bad = true;
      return 0;
    }
    uint16_t v =
        static_cast<uint16_t>((static_cast<unsigned char>(m[pos]) << 8) | static_cast<unsigned char>(m[pos + 1]));
    pos += 2;
    return v;
  }
  uint32_t u32() {
    uint32_t hi = u16();
    return (hi << 16) | u16();
  }
  // A possibly compressed name starting at `at`; returns it with a trailing dot.
  std::string name_at(size_t at, size_t* end) {
    std::string out;
    size_t p = at;
    bool jumped = false;
    int hops = 0;
    while (true) {
      if (p >= m.size() || ++hops > 128) {
        bad = true;
        return out;
      }
      unsigned char len = static_cast<unsigned char>(m[p]);
      if ((len & 0xc0) == 0xc0) {
        if (p + 1 >= m.size()) {
          bad = true;
          return out;
        }
        size_t target = ((len & 0x3f) << 8) | static_cast<unsigned char>(m[p + 1]);
        if (!jumped) *end = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if (len == 0) {
        if (!jumped) *end = p + 1;
        break;
      }
      if (p + 1 + len > m.size()) {
        bad = true;
        return out;
      }
      out += m.substr(p + 1, len) + ".";
      p += 1 + len;
    }
    return out.empty() ? "." : out;
  }
  std::string name() {
    size_t end = pos;
    std::string n = name_at(pos, &end);
    pos = end;
    return n;
  }
};

std::string format_record(const std::string& msg, uint16_t type, size_t rdata, uint16_t rdlen) {
  Parser p{msg, rdata};
  char buf[INET6_ADDRSTRLEN];
  switch (type) {
    case 1:
      if (rdlen != 4) return "";
      return inet_ntop(AF_INET, msg.data() + rdata, buf, sizeof buf) ? buf : "";
    case 28:
      if (rdlen != 16) return "";
      return inet_ntop(AF_INET6, msg.data() + rdata, buf, sizeof buf) ? buf : "";
    case 2:
    case 5:
    case 12:
      return p.name();
    case 15: {
      uint16_t pref = p.u16();
      return std::to_string(pref) + " " + p.name();
    }
    case 33: {
      uint16_t prio = p.u16(), weight = p.u16(), port = p.u16();
      return std::to_string(prio) + " " + std::to_string(weight) + " " + std::to_string(port) + " " + p.name();
    }
    case 16: {
      std::string out;
      size_t i = rdata;
      while (i < rdata + rdlen && i < msg.size()) {
        size_t l = static_cast<unsigned char>(msg[i]);
        out += msg.substr(i + 1, l);
        i += 1 + l;
      }
      return out;
    }
    case 257: {
      if (rdlen < 2) return "";
      unsigned flag = static_cast<unsigned char>(msg[rdata]);
      size_t tl = static_cast<unsigned char>(msg[rdata + 1]);
      std::string tag = msg.substr(rdata + 2, tl);
      std::string value = msg.substr(rdata + 2 + tl, rdlen - 2 - tl);
      return std::to_string(flag) + " " + tag + " " + value;
    }
  }
  return "";
}

// Parses a response; returns rcode (or -1 for garbage), fills records of `want`.
int parse_response(const std::string& msg, uint16_t id, uint16_t want, std::vector<std::string>* out, bool* truncated) {
  Parser p{msg};
  if (p.u16() != id) return -1;
  uint16_t flags = p.u16();
  *truncated = flags & 0x0200;
  uint16_t qd = p.u16(), an = p.u16();
  p.u16();
  p.u16();
  for (int i = 0; i < qd; ++i) {
    p.name();
    p.u16();
    p.u16();
  }
  for (int i = 0; i < an && !p.bad; ++i) {
    p.name();
    uint16_t type = p.u16();
    p.u16();
    p.u32();
    uint16_t rdlen = p.u16();
    if (p.bad || p.pos + rdlen > msg.size()) return -1;
    // A/AAAA lookups also accept the addresses after a CNAME; other types only their own.
    if (type == want) {
      std::string r = format_record(msg, type, p.pos, rdlen);
      if (!r.empty()) out->push_back(r);
    }
    p.pos += rdlen;
  }
  if (p.bad) return -1;
  return flags & 0x000f;
}

bool wait_io(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
  if (left <= 0) return false;
  pollfd pfd{fd, events, 0};
  return ::poll(&pfd, 1, static_cast<int>(left)) == 1;
}

std::string exchange_tcp(const sockaddr_storage& ss, socklen_t len, const std::string& q,
                         std::chrono::steady_clock::time_point deadline, std::string* err) {
  Fd s{::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return "";
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    *err = std::strerror(errno);
    return "";
  }
  if (!wait_io(s.fd, POLLOUT, deadline)) {
    *err = "timeout";
    return "";
  }
  std::string framed;
  framed += static_cast<char>(q.size() >> 8);
  framed += static_cast<char>(q.size() & 0xff);
  framed += q;
  if (::send(s.fd, framed.data(), framed.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(framed.size())) {
    *err = std::strerror(errno);
    return "";
  }
  std::string in;
  char buf[4096];
  while (true) {
    if (in.size() >= 2) {
      size_t want = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
      if (in.size() >= want + 2) return in.substr(2, want);
    }
    if (!wait_io(s.fd, POLLIN, deadline)) {
      *err = "timeout";
      return "";
    }
    ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *err = "connection closed";
      return "";
    }
    in.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

bool parse_dns_type(const std::string& name, DnsType* out) {
  static const std::pair<const char*, DnsType> types[] = {
      {"A", DnsType::A},     {"AAAA", DnsType::AAAA}, {"CNAME", DnsType::CNAME},
      {"MX", DnsType::MX},   {"NS", DnsType::NS},     {"PTR", DnsType::PTR},
      {"SRV", DnsType::SRV}, {"TXT", DnsType::TXT},   {"CAA", DnsType::CAA}};
  for (const auto& [n, t] : types)
    if (name == n) {
      *out = t;
      return true;
    }
  return false;
}

DnsResult dns_query(const std::string& server, const std::string& name, DnsType type, int timeout_ms) {
  DnsResult r;
  sockaddr_storage ss;
  socklen_t len;
  if (!parse_server(server, &ss, &len)) {
    r.error = "invalid DNS server address \"" + server + "\"";
    return r;
  }
  std::string qname = type == DnsType::PTR ? reverse_name(name) : name;
  static thread_local std::mt19937 rng(std::random_device{}());
  uint16_t id = static_cast<uint16_t>(rng());
  std::string q = build_query(id, qname, static_cast<uint16_t>(type));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Fd s{::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) {
    r.error = std::string("socket: ") + std::strerror(errno);
    return r;
  }
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    r.error = "cannot reach " + server + ": " + std::strerror(errno);
    return r;
  }
  // Resend once halfway through the timeout: UDP may drop the first query.
  for (int attempt = 0; attempt < 2; ++attempt) {
    ::send(s.fd, q.data(), q.size(), 0);
    auto half = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms / 2 + 1);
    auto until = attempt == 0 ? std::min(half, deadline) : deadline;
    while (wait_io(s.fd, POLLIN, until)) {
      char buf[65536];
      ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
      if (n <= 0) {
        r.error = std::string("no answer from ") + server + ": " + std::strerror(errno);
        return r;
      }
      std::string msg(buf, static_cast<size_t>(n));
      bool truncated = false;
      std::vector<std::string> recs;
      int rcode = parse_response(msg, id, static_cast<uint16_t>(type), &recs, &truncated);
      if (rcode < 0) continue;  // not our answer
      if (truncated) {
        std::string err;
        std::string full = exchange_tcp(ss, len, q, deadline, &err);
        if (!full.empty()) {
          recs.clear();
          rcode = parse_response(full, id, static_cast<uint16_t>(type), &recs, &truncated);
        }
      }
      r.answered = true;
      r.records = std::move(recs);
      if (rcode != 0 && rcode != 3) r.error = "server " + server + " answered with rcode " + std::to_string(rcode);
      return r;
    }
  }
  r.error = "no answer from " + server + " within " + std::to_string(timeout_ms) + "ms";
  return r;
}

std::vector<std::string> nameservers(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string key, value;
    l >> key >> value;
    if (key == "nameserver" && !value.empty()) out.push_back(value);
  }
  return out;
}

DnsResult resolve_host(const std::string& host, const std::string& hosts_text, const std::string& resolv,
                       int timeout_ms) {
  DnsResult r;
  unsigned char b[16];
  if (inet_pton(AF_INET, host.c_str(), b) == 1 || inet_pton(AF_INET6, host.c_str(), b) == 1) {
    r.answered = true;
    r.records = {host};
    return r;
  }
  std::istringstream in(hosts_text);
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line = line.substr(0, hash);
    std::istringstream l(line);
    std::string ip, name;
    l >> ip;
    while (l >> name)
      if (name == host) r.records.push_back(ip);
  }
  if (!r.records.empty()) {
    r.answered = true;
    return r;
  }
  auto servers = nameservers(resolv);
  if (servers.empty()) servers.push_back("127.0.0.1");
  for (const auto& s : servers) {
    DnsResult a = dns_query(s, host, DnsType::A, timeout_ms);
    if (!a.answered) {
      r.error = a.error;
      continue;
    }
    DnsResult aaaa = dns_query(s, host, DnsType::AAAA, timeout_ms);
    r.answered = true;
    r.error.clear();
    r.records = a.records;
    r.records.insert(r.records.end(), aaaa.records.begin(), aaaa.records.end());
    return r;
  }
  return r;
}

}  // namespace slipway::checks
