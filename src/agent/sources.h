// What the status page needs from other commands' state — `slipway deploy` (generations: which
// exist, which is live) and `slipway update` (pending updates) — behind one small interface with
// an explicit "not available" state. Pending updates are read from the last
// `update --check --json` the agent ran; the generations from the records `slipway deploy`
// keeps in state.db (deploy/store.h).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/run_log.h"
#include "deploy/store.h"
#include "plan/observed.h"

namespace slipway::agent {

struct Availability {
  bool available = false;
  std::string reason;    // why not, for the page ("`slipway deploy` is not in this build")
  nlohmann::json value;  // the data when available (and partial data when not, e.g. the live generation)
};

// The pending updates in the output of `slipway update --check --json`, one entry per package
// and image: [{"name", "from", "to", "security", "image"}].
nlohmann::json pending_from_check(const nlohmann::json& check_output);

class Sources {
 public:
  virtual ~Sources() = default;
  // {"live": "3", "generations": [{"generation": 3, "status": "deployed", "live": true, ...}]}.
  virtual Availability generations(const std::string& stack,
                                   const std::vector<plan::ObservedContainer>& containers) const = 0;
  // {"updates": [{"name": ..., "from": ..., "to": ..., "security": true}, ...]}, security first.
  virtual Availability pending_updates(const std::string& stack, RunLog& log) const = 0;
};

// The generations `slipway deploy` recorded (the newest kMaxGenerations), the live one being
// the newest deployed (or watching: switched to, in its watch window); a stack only ever
// started by `slipway up` has no records, and its live generation comes from the containers'
// labels. Pending updates come from the last `update --check --json` the agent ran.
// Not thread-safe: the status page calls it under its own lock.
class DefaultSources : public Sources {
 public:
  explicit DefaultSources(std::string state_dir = "") : state_dir_(std::move(state_dir)) {}
  Availability generations(const std::string& stack,
                           const std::vector<plan::ObservedContainer>& containers) const override;
  Availability pending_updates(const std::string& stack, RunLog& log) const override;

 private:
  std::string state_dir_;
  mutable std::unique_ptr<deploy::GenerationStore> store_;  // opened on first use
};

inline constexpr int kMaxGenerations = 10;

// The live generation's number among records (newest first): the newest deployed or watching
// one; 0 when none is.
int live_record(const std::vector<deploy::GenerationRecord>& records);

}  // namespace slipway::agent
