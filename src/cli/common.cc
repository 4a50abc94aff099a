#include "cli/common.h"

namespace slipway::cli {

engine::Client connect_engine(const GlobalOptions& global, bool ping) {
  engine::ClientOptions options;
  options.host = global.host;
  engine::Client client(options);
  if (ping) client.ping();
  return client;
}

}  // namespace slipway::cli
