#include "server/certificate.h"

#include <cstdio>

namespace slipway::server {
namespace {

// A cursor over DER bytes. Every read checks bounds; a malformed input yields nullopt upstream.
struct Der {
  const unsigned char* p;
  const unsigned char* end;

  // Reads one element's header; on success *tag is its tag, [*body, *body+*len) its content,
  // and the cursor moves past the whole element.
  bool next(unsigned char* tag, const unsigned char** body, size_t* len) {
    if (end - p < 2) return false;
    *tag = p[0];
    size_t n = p[1];
    const unsigned char* q = p + 2;
    if (n & 0x80) {
      size_t bytes = n & 0x7f;
      if (bytes == 0 || bytes > 4 || static_cast<size_t>(end - q) < bytes) return false;
      n = 0;
      for (size_t i = 0; i < bytes; ++i) n = (n << 8) | *q++;
    }
    if (static_cast<size_t>(end - q) < n) return false;
    *body = q;
    *len = n;
    p = q + n;
    return true;
  }
  // Enters a SEQUENCE: returns a cursor over its content.
  bool enter(Der* inner) {
    unsigned char tag;
    const unsigned char* body;
    size_t len;
    if (!next(&tag, &body, &len) || tag != 0x30) return false;
    *inner = {body, body + len};
    return true;
  }
};

// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ).
std::optional<std::time_t> der_time(unsigned char tag, const unsigned char* body, size_t len) {
  std::string s(reinterpret_cast<const char*>(body), len);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (tag == 0x17 && len == 13 && s[12] == 'Z' &&
      std::sscanf(s.c_str(), "%2d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) == 6)
    y += y < 50 ? 2000 : 1900;
  else if (!(tag == 0x18 && len == 15 && s[14] == 'Z' &&
             std::sscanf(s.c_str(), "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) == 6))
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return timegm(&tm);
}

}  // namespace

std::optional<std::vector<unsigned char>> base64_decode(const std::string& text) {
  std::vector<unsigned char> out;
  unsigned int acc = 0;
  int bits = 0, pad = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
      continue;
    else
      return std::nullopt;
    if (pad) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::optional<Validity> certificate_validity(const std::string& pem) {
  const std::string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
  auto a = pem.find(begin);
  if (a == std::string::npos) return std::nullopt;
  a += begin.size();
  auto b = pem.find(end, a);
  if (b == std::string::npos) return std::nullopt;
  auto der = base64_decode(pem.substr(a, b - a));
  if (!der) return std::nullopt;

  Der top{der->data(), der->data() + der->size()}, cert{}, tbs{}, validity{};
  if (!top.enter(&cert) || !cert.enter(&tbs)) return std::nullopt;
  unsigned char tag;
  const unsigned char* body;
  size_t len;
  Der peek = tbs;
  if (!peek.next(&tag, &body, &len)) return std::nullopt;
  if (tag == 0xa0) tbs = peek;          // [0] version, absent in v1 certificates
  for (int skip = 0; skip < 3; ++skip)  // serialNumber, signature, issuer
    if (!tbs.next(&tag, &body, &len)) return std::nullopt;
  if (!tbs.enter(&validity)) return std::nullopt;
  Validity v;
  if (!validity.next(&tag, &body, &len)) return std::nullopt;
  auto nb = der_time(tag, body, len);
  if (!validity.next(&tag, &body, &len)) return std::nullopt;
  auto na = der_time(tag, body, len);
  if (!nb || !na) return std::nullopt;
  v.not_before = *nb;
  v.not_after = *na;
  return v;
}

}  // namespace slipway::server
