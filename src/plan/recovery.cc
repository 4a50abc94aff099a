#include "plan/recovery.h"

#include <algorithm>

#include "plan/naming.h"

namespace slipway::plan {

Slot slot_of(const std::vector<const ObservedContainer*>& containers, const std::string& name) {
  Slot slot;
  for (const ObservedContainer* c : containers) {
    switch (name_role(c->name, c->id, name)) {
      case NameRole::staging:
        slot.staging.push_back(c);
        break;
      case NameRole::aside:
        slot.aside.push_back(c);
        break;
      case NameRole::canonical:
        slot.current.insert(slot.current.begin(), c);
        break;
      case NameRole::other:
        slot.current.push_back(c);
        break;
    }
  }
  return slot;
}

namespace {

Action removal(const ObservedContainer& c, const std::string& service, int stop_timeout, const std::string& reason) {
  Action a;
  a.type = ActionType::remove_container;
  a.name = c.name;
  a.id = c.id;
  a.service = service;
  a.number = c.number;
  a.reason = reason;
  a.stop_timeout = stop_timeout;
  a.files_dir = c.files_dir;
  return a;
}

Action rename(const ObservedContainer& c, const std::string& name, const std::string& service,
              const std::string& reason) {
  Action a;
  a.type = ActionType::rename_container;
  a.id = c.id;
  a.from_name = c.name;
  a.name = name;
  a.service = service;
  a.number = c.number;
  a.reason = reason;
  return a;
}

}  // namespace

Recovery recover_slot(const Slot& slot, const std::string& name, const std::string& service, int stop_timeout) {
  Recovery r;
  for (size_t i = 0; i < slot.current.size(); ++i) {
    if (i == 0) {
      r.current = *slot.current[0];
      continue;
    }
    r.actions.push_back(removal(*slot.current[i], service, stop_timeout, "duplicate"));
  }
  for (const ObservedContainer* s : slot.staging) {
    // Started means complete: apply starts the new container only once its networks and
    // files are in place and the old one is stopped and set aside.
    if (!r.current && s->state != "created") {
      r.actions.push_back(rename(*s, name, service, "finishing a replacement an interrupted run left started"));
      r.current = *s;
      r.current->name = name;
      continue;
    }
    r.actions.push_back(removal(*s, service, stop_timeout, "unfinished, left by an interrupted run"));
  }
  for (const ObservedContainer* a : slot.aside) {
    if (r.current) {
      r.actions.push_back(removal(*a, service, stop_timeout, "replaced, left aside by an interrupted run"));
      continue;
    }
    r.actions.push_back(rename(*a, name, service, "restoring what an interrupted replacement set aside"));
    r.current = *a;
    r.current->name = name;
  }
  return r;
}

}  // namespace slipway::plan
