// Finishing or undoing what an interrupted run left in one container slot (one service's
// container number N). apply replaces a container in steps (apply/replace.h), and each
// intermediate state is recognisable from the names alone (plan/naming.h):
//
//   state left behind                          what the next plan does
//   staging container never started           remove it (it may lack networks or files)
//   staging container started, no current one  rename it to the canonical name (it was complete)
//   aside container, a current one exists      remove it (the replacement finished)
//   aside container, no current one            rename it back (the replacement never finished)
//
// So a run killed at any request converges on the next `up`: the rename error of a container
// already set aside cannot happen, a container without its networks or files never becomes
// current, and a started new container is never removed in favour of nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/observed.h"
#include "plan/plan.h"

namespace slipway::plan {

// The containers of one slot, by the role of their names.
struct Slot {
  std::vector<const ObservedContainer*> current;  // canonical (first) or another name
  std::vector<const ObservedContainer*> staging;
  std::vector<const ObservedContainer*> aside;
};

// `containers` (all of one service and number) sorted into a Slot for canonical name `name`.
Slot slot_of(const std::vector<const ObservedContainer*>& containers, const std::string& name);

struct Recovery {
  std::vector<Action> actions;               // removals and renames, in order
  std::optional<ObservedContainer> current;  // the slot's container afterwards, under `name`
};

// The actions that resolve `slot` (see the table above); more than one current container
// keeps the first and removes the others ("duplicate").
Recovery recover_slot(const Slot& slot, const std::string& name, const std::string& service, int stop_timeout);

}  // namespace slipway::plan
