// Names of what a project creates, the way Docker Compose v2 names them, so a stack started
// by either tool is recognized by the other.
//
// The functions taking raw model JSON (a service spec, the model, its services object) predate
// compose::Model and compute the same thing as its Service::container_name, image_reference,
// replicas, dependencies and Model::network_name, volume_name, dependency_order,
// with_dependencies. They stay for code not converted yet (edge, branches in flight); new code
// reads the project through compose::Model.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slipway::plan {

using ojson = nlohmann::ordered_json;

// "<project>-<service>-<n>", or the service's container_name.
std::string container_name(const std::string& project, const std::string& service, const ojson& spec, int number);

// The image a service runs: `image:`, else the one `build:` makes, "<project>-<service>".
std::string service_image(const std::string& project, const std::string& service, const ojson& spec);

// The names a container has while apply replaces it (apply/replace.h), so that the next run
// recognises every intermediate state an interruption can leave:
//   - staging: "<name>_slipway-new", the new container until it is complete and started;
//   - aside:   "<name>_slipway-old", the old container once stopped, until it is removed.
// Containers left by older slipway versions and by Compose carry "<id12>_<name>": aside when
// the prefix is the container's own ID (slipway renamed the old one), staging otherwise
// (Compose creates the new one under the old one's ID).
std::string staging_name(const std::string& name);
std::string aside_name(const std::string& name);

enum class NameRole { canonical, staging, aside, other };
// What `observed` (a container's current name, with ID `id`) is relative to the canonical
// name `name` of its service and number.
NameRole name_role(const std::string& observed, const std::string& id, const std::string& name);

// How many containers the service wants: scale, else deploy.replicas, else 1. A
// container_name allows only one (UserError otherwise).
int replicas(const std::string& service, const ojson& spec);

// Engine name of a model network/volume key: its canonical `name:`, else "<project>_<key>".
std::string network_name(const ojson& model, const std::string& key);
std::string volume_name(const ojson& model, const std::string& key);

// The services `service` needs started first: depends_on, network_mode "service:X",
// volumes_from "X", links. Sorted, unique.
std::vector<std::string> service_dependencies(const ojson& spec);

// Services in an order where every dependency comes before its dependents; ties broken by
// name so the order is stable. UserError on a cycle or a dependency on an unknown service
//.
std::vector<std::string> dependency_order(const ojson& services);

// `selected` plus everything they depend on, transitively (for `up SERVICE...`).
std::vector<std::string> with_dependencies(const ojson& services, const std::vector<std::string>& selected);

}  // namespace slipway::plan
