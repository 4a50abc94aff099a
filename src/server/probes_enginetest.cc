// The doctor's certificate probe against the real engine: a stand-in for a project's edge (a
// created, never started container with the edge's labels and its state volume) holding a
// certificate where Caddy keeps them; the probe reads it through the archive API.
#include "server/probes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "apply/tar.h"
#include "edge/container.h"
#include "engine/client.h"

namespace slipway::server {
namespace {

// openssl req -x509 ... -days 90: notAfter 1803767963.
const char* kCert = R"(-----BEGIN CERTIFICATE-----
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

TEST(DoctorProbes, ReadsCertificatesFromTheEdgeVolume) {
  engine::Client client;
  client.ping();
  std::string run = std::to_string(std::random_device{}());
  std::string project = "doctortest" + run;
  engine::Labels test = {{"io.slipway.test", run}};
  EXPECT_TRUE(probe_edge_certificates(client, project).empty());  // no edge: nothing

  std::string rootfs = apply::make_tar({{"etc/marker", "x"}});
  size_t off = 0;
  auto reader = [&](char* buf, size_t cap) {
    size_t n = std::min(cap, rootfs.size() - off);
    std::memcpy(buf, rootfs.data() + off, n);
    off += n;
    return n;
  };
  std::string image = "slipway-doctor-test:" + run;
  client.import_image(reader, "slipway-doctor-test", run, {"LABEL io.slipway.test=" + run});
  std::string volume = edge::edge_volume_name(project);
  std::string id;
  try {
    id = client.create_container(
        project + "-slipway-edge-1",
        {{"Image", image},
         {"Cmd", {"/nothing"}},
         {"Labels", {{"com.docker.compose.project", project}, {"io.slipway.role", "edge"}, {"io.slipway.test", run}}},
         {"HostConfig", {{"Mounts", {{{"Type", "volume"}, {"Source", volume}, {"Target", "/var/lib/caddy"}}}}}}});
    client.put_archive(id, "/var/lib/caddy",
                       [&,
                        tar = apply::make_tar({{"data/caddy/certificates/local/example.test/", ""},
                                               {"data/caddy/certificates/local/example.test/"
                                                "example.test.crt",
                                                kCert},
                                               {"data/caddy/certificates/local/example.test/"
                                                "example.test.key",
                                                "secret"}}),
                        pos = size_t(0)](char* buf, size_t cap) mutable {
                         size_t n = std::min(cap, tar.size() - pos);
                         std::memcpy(buf, tar.data() + pos, n);
                         pos += n;
                         return n;
                       });
    auto certs = probe_edge_certificates(client, project);
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(certs[0].name, "example.test");
    EXPECT_EQ(certs[0].not_after, 1803767963);
  } catch (...) {
    if (!id.empty()) client.remove_container(id, true, true);
    client.remove_volume(volume, true);
    client.remove_image(image, true);
    throw;
  }
  client.remove_container(id, true, true);
  client.remove_volume(volume, true);
  client.remove_image(image, true);
}

}  // namespace
}  // namespace slipway::server
