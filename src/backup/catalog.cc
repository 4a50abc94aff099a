#include "backup/catalog.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "util/error.h"
#include "util/parse.h"

namespace slipway::backup {

const Part* StackSnapshot::part(const std::string& kind, const std::string& name) const {
  for (const auto& p : parts)
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

std::vector<StackSnapshot> group_snapshots(const std::vector<Snapshot>& snapshots) {
  std::map<std::string, StackSnapshot> runs;
  for (const auto& s : snapshots) {
    if (!s.has_tag("slipway")) continue;
    std::string run = s.tag("run");
    if (run.empty()) continue;
    auto& r = runs[run];
    r.run = run;
    if (r.time.empty() || s.time < r.time) r.time = s.time;
    r.stack = s.tag("stack").empty() ? s.hostname : s.tag("stack");
    r.reason = s.tag("reason").empty() ? "backup" : s.tag("reason");
    r.generation = s.tag("generation");
    if (auto n = parse_int(s.tag("parts"), 0, 100000))
      r.expected_parts = std::max(r.expected_parts, static_cast<int>(*n));
    Part p;
    p.snapshot = s;
    for (const char* kind : {"volume", "bind", "dump"}) {
      if (!s.tag(kind).empty()) {
        p.kind = kind;
        p.name = s.tag(kind);
      }
    }
    for (const auto& t : s.tags) {
      if (t.rfind("image=", 0) != 0) continue;
      auto at = t.find('@');
      if (at != std::string::npos) r.images[t.substr(6, at - 6)] = t.substr(at + 1);
    }
    // The same part twice (a retried upload) counts once.
    if (!p.kind.empty() && !r.part(p.kind, p.name)) r.parts.push_back(std::move(p));
  }
  std::vector<StackSnapshot> out;
  for (auto& [k, v] : runs) out.push_back(std::move(v));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  return out;
}

const StackSnapshot& find_snapshot(const std::vector<StackSnapshot>& list, const std::string& id) {
  if (id.empty() || id == "latest") {
    for (auto it = list.rbegin(); it != list.rend(); ++it)
      if (it->complete() && it->reason == "backup") return *it;
    throw UserError("there is no complete backup of this stack yet (run `slipway backup` first)");
  }
  std::vector<const StackSnapshot*> hits;
  for (const auto& s : list) {
    bool hit = s.run.rfind(id, 0) == 0;
    for (const auto& p : s.parts) hit = hit || (id.size() >= 4 && p.snapshot.id.rfind(id, 0) == 0);
    if (hit) hits.push_back(&s);
  }
  if (hits.empty()) throw UserError("no snapshot " + id + " (see `slipway snapshots`)");
  if (hits.size() > 1) throw UserError("snapshot id " + id + " is ambiguous (give more characters)");
  if (!hits[0]->complete())
    throw UserError("snapshot " + hits[0]->run + " is incomplete (" + std::to_string(hits[0]->parts.size()) + " of " +
                    std::to_string(hits[0]->expected_parts) + " parts; its backup was interrupted), choose another");
  return *hits[0];
}

std::string new_run_id() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

std::vector<std::string> run_tags(const std::string& run, int parts, const std::string& stack,
                                  const std::string& reason, const std::string& generation,
                                  const std::map<std::string, std::string>& images) {
  std::vector<std::string> t{"slipway", "run=" + run, "parts=" + std::to_string(parts), "stack=" + stack,
                             "reason=" + reason};
  if (!generation.empty()) t.push_back("generation=" + generation);
  for (const auto& [service, id] : images) t.push_back("image=" + service + "@" + id);
  return t;
}

}  // namespace slipway::backup
