#include "server/certificate.h"

#include <gtest/gtest.h>

namespace slipway::server {
namespace {

// openssl req -x509 -newkey ec ... -days 90 (UTCTime validity).
const char* kNinetyDays = R"(-----BEGIN CERTIFICATE-----
MIIBgjCCASmgAwIBAgIUV+aO9FMSJlyNgrpGSV9SskNI+LcwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZXhhbXBsZS50ZXN0MB4XDTI2MTEyOTIyMzkyM1oXDTI3MDIy
NzIyMzkyM1owFzEVMBMGA1UEAwwMZXhhbXBsZS50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAE3qyfJhhIyTbBCRk13RQaWbQI0yh7ieR7EyLQpG6Sq+FveG0b
8otVRhvdLqFXOV+c6tVdJUAib5MrLUH0NEv9oqNTMFEwHQYDVR0OBBYEFK3s4x/Z
ryC/HkZvtmmajRML0qgvMB8GA1UdIwQYMBaAFK3s4x/ZryC/HkZvtmmajRML0qgv
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgD1u9rzDdzfu1Nkjs
R+bdgCV4XtFUJv5xmEVuTB761MMCIBxf2TVnkSG3FvfBqLNDArrqyRxYwfQYqDmq
p+e+2k4B
-----END CERTIFICATE-----
)";

// -days 10000: notAfter in 2054 is a GeneralizedTime.
const char* kGeneralized = R"(-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIUVBeJLQW66cHsjLcJ6h18+mP0KyUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9uZy50ZXN0MCAXDTI2MTEyOTIyMzkyNloYDzIwNTQwNDE2
MjIzOTI2WjAUMRIwEAYDVQQDDAlsb25nLnRlc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARYwKIdgu/j85Cwy5vr7R2RAbtt4fX5EuDQpOebMwDN98nUv018lMC3
NuA1dtTpTGMhNoEJL8LY2Jv2zrzeO1ado1MwUTAdBgNVHQ4EFgQUWSseBufFa6Uy
W8uGBXo+aOlMvLkwHwYDVR0jBBgwFoAUWSseBufFa6UyW8uGBXo+aOlMvLkwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBhQo2oXfZpxFrFAAV3AJ3t
1j3Z6wSRxuqwB+oYHKH+3QIgfWMUUIGCs8naxjegSmrfavDhrP4EKEMAsdPkTVFy
7C4=
-----END CERTIFICATE-----
)";

TEST(Certificate, ReadsUtcTimeValidity) {
  auto v = certificate_validity(kNinetyDays);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->not_before, 1795991963);  // date +%s of openssl x509 -startdate
  EXPECT_EQ(v->not_after, 1803767963);
}

TEST(Certificate, ReadsGeneralizedTimeValidity) {
  auto v = certificate_validity(kGeneralized);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->not_before, 1795991966);
  EXPECT_EQ(v->not_after, 2659991966);
}

TEST(Certificate, FirstOfAChainCounts) {
  auto v = certificate_validity(std::string(kNinetyDays) + kGeneralized);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->not_after, 1803767963);
}

TEST(Certificate, MalformedInputIsNullopt) {
  EXPECT_FALSE(certificate_validity(""));
  EXPECT_FALSE(certificate_validity("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(certificate_validity("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
  // Truncated: every prefix of the body must be refused without reading past the end.
  std::string pem = kNinetyDays;
  auto body_end = pem.find("-----END");
  for (size_t cut = 28; cut < body_end; cut += 7) {
    std::string t = pem.substr(0, cut) + "\n-----END CERTIFICATE-----\n";
    auto v = certificate_validity(t);
    if (v) {
      EXPECT_EQ(v->not_after, 1803767963);  // a cut inside the signature still has the dates
    }
  }
}

TEST(Certificate, Base64) {
  auto d = base64_decode("aGVs\nbG8=");
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(d->begin(), d->end()), "hello");
  EXPECT_FALSE(base64_decode("aGVs*"));
  EXPECT_FALSE(base64_decode("aG=Vs"));
}

}  // namespace
}  // namespace slipway::server
