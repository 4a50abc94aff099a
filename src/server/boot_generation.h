// What `slipway boot` brings back when a deploy was recorded (pure): the recorded deployed
// generation's containers, found on the engine by service and image ID, and where the edge's
// routes must point.
//
// A generation record (deploy/store.h) names every service's image ID, not its containers:
// a service the deploy left unchanged keeps running the containers of an older generation (or
// those `up` made). So the generation's containers of a service are the ones running its
// recorded image; when several generations of them exist (a stopped one of an interrupted
// deploy), the newest not newer than the record wins.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/store.h"
#include "edge/caddy_config.h"
#include "edge/routes.h"
#include "plan/observed.h"

namespace slipway::server {

struct GenerationContainers {
  int number = 0;
  // service -> its containers, by container number.
  std::map<std::string, std::vector<plan::ObservedContainer>> by_service;
  // "SERVICE (image ID)" for each recorded service with no container of its image.
  std::vector<std::string> missing;
  // Running containers of the stack that are not the generation's (not the edge, not one-off).
  std::vector<plan::ObservedContainer> strays;

  std::vector<std::string> ids() const;  // every container of by_service
};

// The newest record with status "deployed" of `newest_first` (GenerationStore::list).
std::optional<deploy::GenerationRecord> last_deployed(const std::vector<deploy::GenerationRecord>& newest_first);

// The record's containers among `observed` (apply::observe_containers of the stack).
GenerationContainers generation_containers(const deploy::GenerationRecord& record,
                                           const std::vector<plan::ObservedContainer>& observed);

// Each route whose service the generation runs -> "container:port" of its containers.
edge::UpstreamMap generation_upstreams(const edge::Routing& routing, const GenerationContainers& generation);

}  // namespace slipway::server
