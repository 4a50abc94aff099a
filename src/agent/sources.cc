#include "agent/sources.h"

#include <algorithm>

#include "agent/drift.h"

namespace slipway::agent {

using json = nlohmann::json;

int live_record(const std::vector<deploy::GenerationRecord>& records) {
  for (const auto& r : records)
    if (r.status == deploy::status::kDeployed || r.status == deploy::status::kWatching) return r.number;
  return 0;
}

Availability DefaultSources::generations(const std::string& stack,
                                         const std::vector<plan::ObservedContainer>& containers) const {
  Availability a;
  a.value = {{"live", live_generation(containers)}, {"generations", json::array()}};
  std::vector<deploy::GenerationRecord> records;
  try {
    if (!store_) store_ = std::make_unique<deploy::GenerationStore>(state_dir_);
    records = store_->list(stack, kMaxGenerations);
  } catch (const std::exception& e) {
    store_.reset();  // try again at the next request
    a.reason = std::string("cannot read the generation records: ") + e.what();
    return a;
  }
  if (records.empty()) {
    a.reason = "no generation recorded (`slipway deploy` records them; `slipway up` does not)";
    return a;
  }
  int live = live_record(records);
  if (live) a.value["live"] = std::to_string(live);
  for (const auto& r : records)
    a.value["generations"].push_back({{"generation", r.number},
                                      {"status", r.status},
                                      {"kind", r.kind},
                                      {"started", r.started},
                                      {"finished", r.finished},
                                      {"git_commit", r.git_commit},
                                      {"git_dirty", r.git_dirty},
                                      {"detail", r.detail},
                                      {"live", r.number == live}});
  a.available = true;
  return a;
}

// `slipway update --check --json` (src/update/check.cc): {"images": [{"image", "upgradable":
// [{"package", "installed", "candidate", "security"}]}]}, flattened to one entry per package
// and image: {name, from, to, security, image}.
json pending_from_check(const json& doc) {
  json updates = json::array();
  if (!doc.is_object() || !doc.contains("images") || !doc["images"].is_array()) return updates;
  for (const auto& image : doc["images"]) {
    if (!image.is_object() || !image.contains("upgradable") || !image["upgradable"].is_array()) continue;
    for (const auto& u : image["upgradable"])
      if (u.is_object())
        updates.push_back({{"name", u.value("package", "")},
                           {"from", u.value("installed", "")},
                           {"to", u.value("candidate", "")},
                           {"security", u.value("security", false)},
                           {"image", image.value("image", "")}});
  }
  return updates;
}

Availability DefaultSources::pending_updates(const std::string& stack, RunLog& log) const {
  Availability a;
  auto last = log.last(stack, "update-check");
  if (!last) {
    a.reason = "no update check has run yet";
    return a;
  }
  if (last->outcome == "unavailable") {
    a.reason = "`slipway update --check` is not in this build";
    return a;
  }
  json doc = json::parse(last->output, nullptr, /*allow_exceptions=*/false);
  if (last->outcome != "ok" || doc.is_discarded()) {
    a.reason = "the last update check " + last->outcome + (last->detail.empty() ? "" : ": " + last->detail);
    return a;
  }
  json updates = pending_from_check(doc);
  std::stable_sort(updates.begin(), updates.end(), [](const json& x, const json& y) {
    return x.value("security", false) && !y.value("security", false);
  });
  a.available = true;
  a.value = {{"updates", updates}, {"checked", last->finished}};
  return a;
}

}  // namespace slipway::agent
