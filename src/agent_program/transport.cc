// slipway-agent's engine transport (engine/transport.h): Transport's constructor and send()
// over plain HTTP/1.1 on the engine's socket (engine/http1.h), in place of the libcurl backend
// (engine/transport_curl.cc) that every other program links. Because this file defines them,
// the linker never takes transport_curl.o from libslipway_engine.a, and with --as-needed
// libcurl is not even loaded.
#include "engine/http1.h"
#include "engine/transport.h"
#include "util/error.h"
#include "util/ssh_target.h"

namespace slipway::engine {

Transport::Transport(Endpoint endpoint, long connect_timeout_seconds)
    : endpoint_(std::move(endpoint)), connect_timeout_(connect_timeout_seconds) {
  if (SshTarget::is_ssh(endpoint_.address))
    throw UserError("engine address '" + endpoint_.address +
                    "': slipway-agent speaks to a local engine only (`slipway agent` runs itself for ssh://)");
}

Response Transport::send(const Request& request, const ChunkSink& sink) const {
  return http1_send(endpoint_, connect_timeout_, request, sink);
}

}  // namespace slipway::engine
