#include "update/check.h"

#include <atomic>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace slipway::update {
namespace {

using ojson = nlohmann::ordered_json;

ojson or_null(const std::string& s) { return s.empty() ? ojson(nullptr) : ojson(s); }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ImageCheck check_one(const engine::Engine& engine, const StackImage& target, const CheckOptions& options,
                     const std::vector<DebianRelease>& releases, const std::string& today) {
  ImageCheck c;
  c.target = target;
  try {
    if (!engine.find_image(target.image)) {
      c.error = "not built yet (run: slipway build " + target.services.front() + ")";
      return c;
    }
    c.built = true;
    ImageProbe p = probe_image(engine, target.image, options.probe);
    c.image_id = p.image_id;
    c.package_manager = p.package_manager;
    c.suite = p.suite;
    auto created = p.labels.find("io.slipway.base.created");
    if (created != p.labels.end()) {
      c.base_created = created->second;
      if (auto d = days_between(c.base_created.substr(0, 10), today)) c.base_age_days = *d;
    }
    c.upgradable = p.upgradable;
    for (const auto& u : c.upgradable) c.security += u.security;
    if (!p.apt_error.empty()) c.error = "apt-get update failed: " + p.apt_error;
    if (!c.suite.empty())
      if (auto r = find_release(releases, c.suite)) c.support = support_status(*r, today);
  } catch (const std::exception& e) {
    c.error = e.what();
  }
  return c;
}

}  // namespace

std::string utc_today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::vector<ImageCheck> check_images(const engine::Engine& engine, const std::vector<StackImage>& images,
                                     const CheckOptions& options) {
  std::vector<DebianRelease> releases = parse_distro_info(read_text(options.distro_info));
  std::string today = options.today.empty() ? utc_today() : options.today;
  std::vector<ImageCheck> out(images.size());
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  // Each probe mostly waits on apt-get update's downloads: a few at once hide that latency,
  // bounded so a large stack does not start a container per image at the same moment.
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < std::min<size_t>(jobs, images.size()); ++w)
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < images.size();) out[i] = check_one(engine, images[i], options, releases, today);
    });
  for (auto& t : workers) t.join();
  return out;
}

int check_exit_code(const std::vector<ImageCheck>& checks) {
  bool updates = false;
  for (const auto& c : checks) {
    if (!c.error.empty() || (c.support && c.support->level == "error")) return 1;
    updates = updates || !c.upgradable.empty();
  }
  return updates ? 3 : 0;
}

nlohmann::ordered_json check_json(const std::vector<ImageCheck>& checks) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& c : checks) {
    nlohmann::ordered_json up = nlohmann::ordered_json::array();
    for (const auto& u : c.upgradable)
      up.push_back({{"package", u.name},
                    {"installed", u.current},
                    {"candidate", u.candidate},
                    {"suites", u.suites},
                    {"security", u.security}});
    nlohmann::ordered_json support = nullptr;
    if (c.support)
      support = {{"level", c.support->level},
                 {"message", c.support->message},
                 {"support_end", c.support->support_end},
                 {"days_left", c.support->days_left}};
    images.push_back({{"services", c.target.services},
                      {"image", c.target.image},
                      {"image_id", c.image_id},
                      {"package_manager", c.package_manager},
                      {"suite", c.suite},
                      {"base_created", or_null(c.base_created)},
                      {"base_age_days", c.base_age_days < 0 ? ojson(nullptr) : ojson(c.base_age_days)},
                      {"upgradable", up},
                      {"security_updates", c.security},
                      {"release_support", support},
                      {"error", or_null(c.error)}});
  }
  int code = check_exit_code(checks);
  return {{"status", code == 0 ? "current" : code == 3 ? "updates" : "error"}, {"images", images}};
}

std::string check_text(const std::vector<ImageCheck>& checks) {
  std::ostringstream out;
  for (const auto& c : checks) {
    std::string services;
    for (const auto& s : c.target.services) services += (services.empty() ? "" : ", ") + s;
    out << c.target.image << " (" << services << ")";
    if (!c.built) {
      out << ": " << c.error << "\n";
      continue;
    }
    if (!c.package_manager) {
      out << ": no package manager (nothing to update inside; rebuild it when its inputs change)\n";
      continue;
    }
    out << ": " << (c.suite.empty() ? "unknown suite" : c.suite);
    if (c.base_age_days >= 0) out << ", base image " << c.base_age_days << " days old";
    out << "\n";
    if (c.support)
      out << "  " << (c.support->level == "ok" ? "" : c.support->level + ": ") << c.support->message << "\n";
    if (!c.error.empty()) out << "  error: " << c.error << "\n";
    if (c.upgradable.empty() && c.error.empty()) out << "  up to date\n";
    if (!c.upgradable.empty())
      out << "  " << c.upgradable.size() << " update(s), " << c.security << " from the security suite:\n";
    for (const auto& u : c.upgradable)
      out << "    " << (u.security ? "[security] " : "") << u.name << " " << u.current << " -> " << u.candidate << "\n";
  }
  return out.str();
}

}  // namespace slipway::update
