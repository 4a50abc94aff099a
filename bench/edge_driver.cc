// bench/edge.sh's hands on the edge: the edge layer's own API (start_edge, apply_routes,
// switch_upstreams, remove_edge), so the benchmark measures what slipway will do, not a
// re-implementation in shell. Not installed; built as the `edge_bench_driver` target.
//
//   edge_bench_driver start  PROJECT NETWORK HTTP_PORT ADMIN_ROOT HOST=UPSTREAM...
//       starts the edge (no host port: the benchmark talks to the container's address), routes
//       each http://HOST to its UPSTREAM; prints "socket=PATH", "container=NAME", "image=TAG" and
//       "route.HOST=ID" per route
//   edge_bench_driver swaps  SOCKET ROUTE COUNT INTERVAL_MS UPSTREAM...
//       COUNT switches of ROUTE, cycling through the UPSTREAMs, INTERVAL_MS apart; prints the
//       admin call's duration of each and "switch_ms_median=", "switch_ms_max="
//   edge_bench_driver remove PROJECT ADMIN_ROOT
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "edge/edge.h"
#include "engine/client.h"
#include "util/parse.h"

namespace {

using namespace slipway;

int usage() {
  std::cerr << "usage: edge_bench_driver start PROJECT NETWORK HTTP_PORT ADMIN_ROOT HOST=UPSTREAM...\n"
               "       edge_bench_driver swaps SOCKET ROUTE COUNT INTERVAL_MS UPSTREAM...\n"
               "       edge_bench_driver remove PROJECT ADMIN_ROOT\n";
  return 2;
}

int start(const std::vector<std::string>& a) {
  auto port = parse_uint(a[3], 65534);
  if (!port) return usage();
  engine::Client client;
  edge::ojson routes = edge::ojson::object();
  edge::UpstreamMap upstreams;
  for (size_t i = 5; i < a.size(); ++i) {
    size_t eq = a[i].find('=');
    if (eq == std::string::npos) return usage();
    routes["http://" + a[i].substr(0, eq)] = "web:8000";
  }
  edge::ojson model = {{"name", a[1]},
                       {"services", {{"web", {{"image", "x"}}}}},
                       {"x-slipway", {{"edge", {{"http", *port}, {"https", *port + 1}}}, {"routes", routes}}}};
  edge::Routing routing = edge::parse_routing(model, edge::fixed_locator());
  for (size_t i = 5; i < a.size(); ++i) {
    size_t eq = a[i].find('=');
    upstreams[edge::route_id(a[i].substr(0, eq), "")] = {a[i].substr(eq + 1)};
  }
  edge::EdgeOptions o;
  o.project = a[1];
  o.settings = routing.settings;
  o.networks = {a[2]};
  o.publish = false;
  o.admin_root = a[4];
  o.on_build_output = [](const std::string& line) {
    if (line.rfind("Step ", 0) == 0) std::cerr << "  edge image: " << line << "\n";
  };
  edge::EdgeInstance inst = edge::start_edge(client, o);
  inst.admin().apply_routes(routing, upstreams, false);
  std::cout << "socket=" << inst.socket_path << "\ncontainer=" << inst.container_name << "\nimage=" << inst.image
            << "\n";
  for (const auto& r : routing.routes) std::cout << "route." << r.host << "=" << r.id << "\n";
  return 0;
}

int swaps(const std::vector<std::string>& a) {
  auto count = parse_uint(a[3], 100000), interval = parse_uint(a[4], 3600000);
  if (!count || !interval || a.size() < 6) return usage();
  edge::Admin admin(a[1]);
  std::vector<std::string> upstreams(a.begin() + 5, a.end());
  std::vector<double> ms;
  for (std::uint64_t i = 0; i < *count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(*interval));
    auto t0 = std::chrono::steady_clock::now();
    admin.switch_upstreams(a[2], {upstreams[(i + 1) % upstreams.size()]});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    std::cout << "switch " << i + 1 << " -> " << upstreams[(i + 1) % upstreams.size()] << " in " << ms.back()
              << " ms\n";
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) std::cout << "switch_ms_median=" << ms[ms.size() / 2] << "\nswitch_ms_max=" << ms.back() << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(*interval));
  return 0;
}

int remove(const std::vector<std::string>& a) {
  engine::Client client;
  edge::remove_edge(client, a[1], true, a[2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  try {
    if (a.size() >= 6 && a[0] == "start") return start(a);
    if (a.size() >= 6 && a[0] == "swaps") return swaps(a);
    if (a.size() == 3 && a[0] == "remove") return remove(a);
    return usage();
  } catch (const slipway::Error& e) {
    std::cerr << "edge_bench_driver: " << e.what() << "\n";
    return e.exit_code();
  }
}
