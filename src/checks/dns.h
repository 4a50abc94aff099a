// A small DNS stub resolver. slipway resolves names the way the container would — its own
// /etc/hosts, then the nameservers of its own /etc/resolv.conf (Docker's embedded DNS at
// 127.0.0.11 on user-defined networks) — from inside its network namespace (netns.h). The
// host's resolver cannot do this: it reads the host's files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace slipway::checks {

enum class DnsType : uint16_t { A = 1, NS = 2, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, CAA = 257 };

// Parses "A", "MX"... (goss's "TYPE:" prefixes). Returns false for an unknown type.
bool parse_dns_type(const std::string& name, DnsType* out);

struct DnsResult {
  std::vector<std::string> records;  // formatted as goss prints them ("10 mx.example.", "1.2.3.4")
  bool answered = false;             // some server answered (even NXDOMAIN)
  std::string error;                 // why nothing answered
};

// Queries `server` ("1.2.3.4", "1.2.3.4:53", "[::1]:53") over UDP, with a TCP retry when the
// answer is truncated. For PTR, `name` may be an IP address. Follows nothing: CNAME chains
// come back as the server sends them (A answers after the CNAME are included).
DnsResult dns_query(const std::string& server, const std::string& name, DnsType type, int timeout_ms);

// Addresses for `host` as the container sees them: `hosts_text` (its /etc/hosts), then A and
// AAAA queries to each nameserver in `resolv_conf_text`. IP literals resolve to themselves.
DnsResult resolve_host(const std::string& host, const std::string& hosts_text, const std::string& resolv_conf_text,
                       int timeout_ms);

// Nameservers listed in resolv.conf text.
std::vector<std::string> nameservers(const std::string& resolv_conf_text);

}  // namespace slipway::checks
