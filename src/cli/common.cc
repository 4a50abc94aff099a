#include "cli/common.h"

#include <iostream>

#include "backup/recover.h"
#include "util/ssh_target.h"
#include "util/state_dir.h"

namespace slipway::cli {

engine::Client connect_engine(const GlobalOptions& global, bool ping) {
  engine::ClientOptions options;
  options.host = global.host;
  engine::Client client(options);
  if (ping) client.ping();
  // Over ssh:// the engine is another machine's; its interrupted work is recorded there.
  if (SshTarget::is_ssh(global.host)) return client;
  // Finish or undo what a killed backup, restore or drill left half done (backup/recover.h).
  backup::recover_interrupted(client, "", state_directory(), [](const std::string& m) { std::cerr << m << "\n"; });
  return client;
}

}  // namespace slipway::cli
