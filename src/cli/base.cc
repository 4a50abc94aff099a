// `slipway base debian:<suite>`: a base image from Debian's own packages (mmdebstrap), imported
// through the engine API. No registry involved; `slipway build` then finds FROM debian:<suite>.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "engine/base_image.h"
#include "engine/client.h"
#include "util/error.h"

namespace slipway::cli {
namespace {

struct BaseCommandOptions {
  std::string image;
  std::string snapshot;
  std::string mirror;
  bool json = false;
};

int run_base(const GlobalOptions& global, const BaseCommandOptions& o) {
  const bool json = o.json || global.json;
  engine::BaseImageOptions bo;
  bo.image = o.image;
  bo.snapshot = o.snapshot;
  bo.mirror = o.mirror;
  engine::debian_suite_of(o.image);  // a bad name is a user error before anything starts
  // An unreachable engine is reported before a minute of bootstrapping.
  engine::Client client = connect_engine(global);
  if (!json && ::isatty(2)) {
    bo.on_progress = [](const std::string& chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stderr); };
  } else if (!json) {
    std::fprintf(stderr, "running mmdebstrap for %s (about a minute)...\n", o.image.c_str());
  }
  engine::BaseImageResult r = engine::make_debian_base(client, bo);
  if (json) {
    nlohmann::ordered_json packages = nlohmann::ordered_json::array();
    for (const auto& p : r.packages)
      packages.push_back({{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
    nlohmann::ordered_json doc = {
        {"image", r.image},
        {"image_id", r.image_id},
        {"replaced", r.previous_image_id.empty() || r.previous_image_id == r.image_id
                         ? nlohmann::ordered_json(nullptr)
                         : nlohmann::ordered_json(r.previous_image_id)},
        {"suite", r.suite},
        {"created", r.created},
        {"snapshot", o.snapshot.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.snapshot)},
        {"package_count", r.packages.size()},
        {"packages_sha256", r.packages_sha256},
        {"rootfs_bytes", r.tar_bytes},
        {"bootstrap_seconds", r.bootstrap_seconds},
        {"import_seconds", r.import_seconds},
        {"packages", packages}};
    std::cout << doc.dump(2) << "\n";
  } else {
    auto short_id = [](const std::string& id) {
      return id.rfind("sha256:", 0) == 0 ? id.substr(7, 12) : id.substr(0, 12);
    };
    std::string replaced = r.previous_image_id.empty() || r.previous_image_id == r.image_id
                               ? ""
                               : ", replaces " + short_id(r.previous_image_id);
    std::printf("%s: %s, %zu packages (mmdebstrap %.0f s, import %.1f s%s)\n", r.image.c_str(),
                short_id(r.image_id).c_str(), r.packages.size(), r.bootstrap_seconds, r.import_seconds,
                replaced.c_str());
  }
  return 0;
}

void setup_base(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto o = std::make_shared<BaseCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "base", "Create a Debian base image from Debian's signed packages (mmdebstrap), no registry needed");
  sub->add_option("image", o->image, "The image to create: debian:<suite>, e.g. debian:bookworm or debian:trixie")
      ->required();
  sub->add_option("--snapshot", o->snapshot,
                  "Use snapshot.debian.org at this moment (YYYYMMDDTHHMMSSZ) for reproducible results");
  sub->add_option("--mirror", o->mirror, "Debian mirror URL (default: deb.debian.org)");
  sub->add_flag("--json", o->json, "Print one JSON document with the result, no progress");
  sub->callback([&global, &run, o] { run = [&global, o] { return run_base(global, *o); }; });
}

const bool registered = register_command({"base", 25, setup_base});

}  // namespace
}  // namespace slipway::cli
