// The validity period of an X.509 certificate, read from its PEM text without a TLS library:
// the doctor only needs notBefore/notAfter, which sit at a fixed place in the DER structure
// (Certificate -> tbsCertificate -> [version] serial signature issuer validity).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace slipway::server {

struct Validity {
  std::time_t not_before = 0;
  std::time_t not_after = 0;
};

// The validity of the FIRST certificate in `pem` (a leaf file from Caddy holds the leaf first,
// then its chain). nullopt when there is no well-formed certificate.
std::optional<Validity> certificate_validity(const std::string& pem);

// Standard base64 (whitespace ignored); nullopt on any other character or a bad length.
std::optional<std::vector<unsigned char>> base64_decode(const std::string& text);

}  // namespace slipway::server
