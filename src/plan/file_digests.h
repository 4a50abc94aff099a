// The fingerprints of the secret/config files copied into a container, recorded in its label
// io.slipway.secrets-digest at create time so a later `up` sees a changed file from the
// container list alone (no archive read per file). The fingerprints are keyed (HMAC with a
// per-host key, see apply/host_key.h), never plain hashes of the content.
#pragma once

#include <map>
#include <string>

namespace slipway::plan {

// Target path -> fingerprint, as one label value (a JSON object: paths may hold any character).
std::string encode_file_digests(const std::map<std::string, std::string>& by_target);

// The label value back; an unreadable value gives an empty map.
std::map<std::string, std::string> decode_file_digests(const std::string& label_value);

}  // namespace slipway::plan
