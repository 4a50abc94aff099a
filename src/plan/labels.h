// The labels slipway puts on what it creates. Compose's own keys make `docker compose ps`
// and friends recognize the objects; io.slipway.* carry what slipway needs on top.
#pragma once

#include <map>
#include <string>

namespace slipway::plan {

namespace label {
inline constexpr const char* kProject = "com.docker.compose.project";
inline constexpr const char* kService = "com.docker.compose.service";
inline constexpr const char* kNumber = "com.docker.compose.container-number";
inline constexpr const char* kConfigHash = "com.docker.compose.config-hash";
inline constexpr const char* kOneoff = "com.docker.compose.oneoff";
inline constexpr const char* kWorkingDir = "com.docker.compose.project.working_dir";
inline constexpr const char* kConfigFiles = "com.docker.compose.project.config_files";
inline constexpr const char* kVersion = "com.docker.compose.version";
inline constexpr const char* kImage = "com.docker.compose.image";
inline constexpr const char* kDependsOn = "com.docker.compose.depends_on";
inline constexpr const char* kNetwork = "com.docker.compose.network";
inline constexpr const char* kVolume = "com.docker.compose.volume";
inline constexpr const char* kGeneration = "io.slipway.generation";
inline constexpr const char* kRole = "io.slipway.role";
// Keyed fingerprints of the secret/config files copied in (plan/file_digests.h).
inline constexpr const char* kFileDigests = "io.slipway.secrets-digest";
// The host directory (on slipway's tmpfs) whose files are bind-mounted as the container's
// secrets and configs (apply/secret_files.h).
inline constexpr const char* kFilesDir = "io.slipway.files-dir";
// Swarm (docs/swarm.md): the keys `docker stack deploy` puts on services, networks, secrets
// and task containers, so `docker stack ls/ps/services` recognise a stack slipway deployed.
inline constexpr const char* kStackNamespace = "com.docker.stack.namespace";
inline constexpr const char* kStackImage = "com.docker.stack.image";
// The hash of a swarm service's spec as slipway planned it (before the engine's defaults are
// filled in): an unchanged hash means no update (swarm/service_spec.h).
inline constexpr const char* kSpecHash = "io.slipway.spec-hash";
// The Compose version we claim: the loader's behaviour matches compose-go v2 (Compose 2.x).
inline constexpr const char* kComposeVersion = "2.29.0";
}  // namespace label

using Labels = std::map<std::string, std::string>;

}  // namespace slipway::plan
