#include "update/report.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "update/debian_version.h"

namespace slipway::update {
namespace {

using ojson = nlohmann::ordered_json;

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string short_id(const std::string& id) {
  std::string s = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return s.substr(0, 12);
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

ojson entry_json(const ChangelogEntry& e) {
  return {{"version", e.version}, {"distribution", e.distribution},
          {"urgency", e.urgency}, {"cves", e.cves},
          {"text", e.body},       {"trailer", e.trailer}};
}

// Both renderings share one walk; `md` picks Markdown syntax.
void render_image(std::ostringstream& out, const ImageChanges& im, bool md) {
  std::string title = im.image + " (" + join(im.services, ", ") + ")";
  out << (md ? "## " + title : title) << "\n\n";
  if (!im.package_manager) {
    out << "No package manager in this image (FROM scratch): rebuilt, no package changes to show.\n\n";
    return;
  }
  out << "Image " << short_id(im.old_image_id) << " -> " << short_id(im.new_image_id) << ": " << im.packages.size()
      << " package change(s), " << im.security_count() << " security update(s).\n\n";
  for (const auto& m : im.migrations)
    out << (md ? "**Needs a data migration:** " : "NEEDS A DATA MIGRATION: ") << m << "\n\n";
  if (!im.packages.empty()) {
    out << (md ? "### Packages\n\n" : "Packages:\n");
    for (const auto& p : im.packages) {
      std::string v = p.kind == "added"     ? "added " + p.new_version
                      : p.kind == "removed" ? "removed (was " + p.old_version + ")"
                                            : p.old_version + " -> " + p.new_version;
      out << (md ? "- " : "  ") << (p.security ? (md ? "**[security]** " : "[security] ") : "")
          << (md ? "`" + p.name + "`" : p.name) << " " << v << "\n";
    }
    out << "\n";
  }
  if (!im.conffiles.empty()) {
    out << (md ? "### Configuration files you override\n\n" : "Configuration files the image overrides:\n");
    for (const auto& c : im.conffiles) {
      out << (md ? "#### `" + c.path + "`" : "  " + c.path) << " (" << c.package << " " << c.old_version << " -> "
          << c.new_version << ")\n";
      if (md) out << "\n";
      if (!c.note.empty()) out << (md ? "" : "    ") << c.note << "\n";
      if (c.default_diff.empty() && c.note.empty())
        out << (md ? "" : "    ") << "the package's default did not change\n";
      if (!c.default_diff.empty()) {
        out << (md ? "Package default, old -> new:\n\n```diff\n" : "    package default, old -> new:\n")
            << (md ? c.default_diff : indent(c.default_diff, "      ")) << (md ? "```\n\n" : "");
        out << (md ? "The stack's version (check it against the new default):\n\n```\n"
                   : "    the stack's version (check it against the new default):\n")
            << (md ? c.override_text : indent(c.override_text, "      ")) << (md ? "```\n" : "");
      }
      out << "\n";
    }
  }
  if (!im.sources.empty()) {
    out << (md ? "### Changelogs\n\n" : "Changelogs:\n");
    for (const auto& s : im.sources) {
      out << (md ? "#### " : "  ") << s.source << " " << s.old_version << " -> " << s.new_version
          << (s.security ? " [security]" : "") << (s.cves.empty() ? "" : " " + join(s.cves, " ")) << "\n";
      if (md) out << "\n";
      if (!s.note.empty()) out << (md ? "" : "    ") << s.note << "\n";
      for (const auto& n : s.news)
        out << (md ? "NEWS " + n.version + ":\n\n```\n" + n.body + "\n```\n"
                   : "    NEWS " + n.version + ":\n" + indent(n.body, "    "));
      for (const auto& e : s.entries)
        out << (md ? "```\n" + e.package + " (" + e.version + ") " + e.distribution + "\n" + e.body + "\n```\n"
                   : "    " + e.package + " (" + e.version + ") " + e.distribution + "\n" + indent(e.body, "    "));
      out << "\n";
    }
  }
}

std::string render(const UpdateReport& r, bool md) {
  std::ostringstream out;
  out << (md ? "# slipway update: " + r.stack : "slipway update: " + r.stack) << " (" << r.started << ")\n\n";
  if (!r.suite_change.empty()) out << (md ? "**Distribution upgrade:** " : "Distribution upgrade: ") << r.suite_change << "\n\n";
  for (const auto& b : r.bases) out << (md ? "- base " : "base ") << b << "\n";
  for (const auto& f : r.rewritten) out << (md ? "- rewrote " : "rewrote ") << f << "\n";
  if (!r.bases.empty() || !r.rewritten.empty()) out << "\n";
  out << (md ? "**Outcome:** " : "Outcome: ") << r.outcome << "\n";
  out << (md ? "**Tests:** " : "Tests: ") << r.gate << "\n";
  if (r.generation > 0)
    out << (md ? "**History:** " : "History: ") << "generation " << r.generation << " (`slipway history`)\n";
  for (const auto& f : r.failing_checks) out << (md ? "- " : "  ") << f << "\n";
  out << "\n";
  for (const auto& im : r.images) render_image(out, im, md);
  return out.str();
}

}  // namespace

size_t ImageChanges::security_count() const {
  return static_cast<size_t>(std::count_if(packages.begin(), packages.end(), [](const auto& p) { return p.security; }));
}

bool UpdateReport::changed() const {
  for (const auto& im : images)
    if (!im.packages.empty() || im.old_image_id != im.new_image_id) return true;
  return false;
}

std::vector<PackageChange> diff_packages(const std::vector<InstalledPackage>& before,
                                         const std::vector<InstalledPackage>& after,
                                         const std::set<std::string>& security) {
  std::map<std::string, const InstalledPackage*> old, now;
  for (const auto& p : before) old[p.name] = &p;
  for (const auto& p : after) now[p.name] = &p;
  std::vector<PackageChange> out;
  for (const auto& [name, p] : now) {
    auto it = old.find(name);
    PackageChange c{name, p->source, "", p->version, "added", security.count(name) > 0};
    if (it != old.end()) {
      if (it->second->version == p->version) continue;
      c.old_version = it->second->version;
      c.kind = compare_debian_versions(c.new_version, c.old_version) > 0 ? "upgraded" : "downgraded";
    }
    out.push_back(c);
  }
  for (const auto& [name, p] : old)
    if (!now.count(name)) out.push_back({name, p->source, p->version, "", "removed", false});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

void order_sources(std::vector<SourceChanges>& sources) {
  for (auto& s : sources) {
    for (const auto& e : s.entries)
      for (const auto& c : e.cves)
        if (std::find(s.cves.begin(), s.cves.end(), c) == s.cves.end()) s.cves.push_back(c);
    for (const auto& e : s.entries)
      if (e.distribution.find("-security") != std::string::npos) s.security = true;
  }
  std::stable_sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) {
    auto rank = [](const SourceChanges& s) { return (s.security ? 0 : 2) + (s.news.empty() ? 1 : 0); };
    return rank(a) != rank(b) ? rank(a) < rank(b) : a.source < b.source;
  });
}

ojson report_json(const UpdateReport& r) {
  ojson images = ojson::array();
  for (const auto& im : r.images) {
    ojson packages = ojson::array(), sources = ojson::array(), conffiles = ojson::array();
    for (const auto& p : im.packages)
      packages.push_back({{"package", p.name},
                          {"source", p.source},
                          {"change", p.kind},
                          {"old", p.old_version},
                          {"new", p.new_version},
                          {"security", p.security}});
    for (const auto& s : im.sources) {
      ojson entries = ojson::array(), news = ojson::array();
      for (const auto& e : s.entries) entries.push_back(entry_json(e));
      for (const auto& e : s.news) news.push_back(entry_json(e));
      sources.push_back({{"source", s.source},
                         {"packages", s.packages},
                         {"old", s.old_version},
                         {"new", s.new_version},
                         {"security", s.security},
                         {"cves", s.cves},
                         {"news", news},
                         {"entries", entries},
                         {"note", s.note}});
    }
    for (const auto& c : im.conffiles)
      conffiles.push_back({{"path", c.path},
                           {"package", c.package},
                           {"old", c.old_version},
                           {"new", c.new_version},
                           {"default_diff", c.default_diff},
                           {"override", c.override_text},
                           {"note", c.note}});
    images.push_back({{"services", im.services},
                      {"image", im.image},
                      {"old_image_id", im.old_image_id},
                      {"new_image_id", im.new_image_id},
                      {"package_manager", im.package_manager},
                      {"security_updates", im.security_count()},
                      {"migrations", im.migrations},
                      {"packages", packages},
                      {"conffiles", conffiles},
                      {"changelogs", sources}});
  }
  return {{"stack", r.stack},
          {"started", r.started},
          {"suite_change", r.suite_change.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.suite_change)},
          {"bases", r.bases},
          {"rewritten", r.rewritten},
          {"outcome", r.outcome},
          {"generation", r.generation == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.generation)},
          {"tests", r.gate},
          {"failing_checks", r.failing_checks},
          {"images", images}};
}

std::string report_markdown(const UpdateReport& r) { return render(r, true); }
std::string report_text(const UpdateReport& r) { return render(r, false); }

}  // namespace slipway::update
