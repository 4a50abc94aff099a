#include "checks/smoke.h"

#include <algorithm>

namespace slipway::checks {

bool has_smoke_marks(const Suite& suite) {
  return std::any_of(suite.checks.begin(), suite.checks.end(), [](const Check& c) { return c.smoke; });
}

Suite select_smoke(Suite suite) {
  if (!has_smoke_marks(suite)) return suite;
  std::erase_if(suite.checks, [](const Check& c) { return !c.smoke; });
  return suite;
}

}  // namespace slipway::checks
