#include "update/image_changes.h"

#include <set>

#include "update/debian_version.h"

namespace slipway::update {
namespace {

const InstalledPackage* find_package(const std::vector<InstalledPackage>& list, const std::string& name) {
  for (const auto& p : list)
    if (p.name == name) return &p;
  return nullptr;
}

// The doc directory's file of the first of `packages` that has it (binary packages of one
// source often share a directory through a symlink, or only one of them ships it).
std::optional<std::string> doc_file(const ProbeContainer& c, const std::vector<std::string>& packages,
                                    const std::string& file) {
  for (const auto& p : packages)
    if (auto text = c.read_file("/usr/share/doc/" + p + "/" + file)) return text;
  return std::nullopt;
}

// One SourceChanges per upgraded source package, its changelog and NEWS entries in range.
std::vector<SourceChanges> changelogs(const ProbeContainer& c, const ImageBefore& before, const ImageProbe& after,
                                      const std::vector<PackageChange>& changes) {
  std::map<std::string, SourceChanges> by_source;
  for (const auto& ch : changes) {
    if (ch.kind != "upgraded") continue;
    const InstalledPackage* o = find_package(before.probe.packages, ch.name);
    const InstalledPackage* n = find_package(after.packages, ch.name);
    if (!o || !n || o->source_version == n->source_version) continue;  // binNMU only: no source change
    SourceChanges& s = by_source[n->source];
    s.source = n->source;
    s.packages.push_back(ch.name);
    s.old_version = o->source_version;
    s.new_version = n->source_version;
    s.security = s.security || ch.security;
  }
  std::vector<SourceChanges> out;
  for (auto& [name, s] : by_source) {
    if (auto text = doc_file(c, s.packages, "changelog.Debian.gz"))
      s.entries = entries_between(parse_changelog(*text), s.old_version, s.new_version);
    else
      s.note = "no changelog in the image (it strips /usr/share/doc): " + s.old_version + " -> " + s.new_version;
    if (auto news = doc_file(c, s.packages, "NEWS.Debian.gz"))
      s.news = entries_between(parse_changelog(*news), s.old_version, s.new_version);
    out.push_back(std::move(s));
  }
  order_sources(out);
  return out;
}

std::vector<ConffileChange> conffile_changes(const ProbeContainer& c, const ImageBefore& before,
                                             const ImageProbe& after) {
  std::vector<ConffileChange> out;
  bool lists_fresh = false;
  for (const auto& o : after.overridden) {
    const InstalledPackage* old_pkg = find_package(before.probe.packages, o.conffile.package);
    const InstalledPackage* new_pkg = find_package(after.packages, o.conffile.package);
    if (!old_pkg || !new_pkg || old_pkg->version == new_pkg->version) continue;
    ConffileChange ch{o.conffile.package, o.conffile.path, old_pkg->version, new_pkg->version, "", "", ""};
    ch.override_text = c.read_file(o.conffile.path).value_or("");
    if (!lists_fresh) lists_fresh = c.apt_update().empty();
    std::optional<std::string> new_default = c.package_default(ch.package, ch.new_version, ch.path);
    auto old_it = before.defaults.find(ch.path);
    std::optional<std::string> old_default = old_it == before.defaults.end() ? std::nullopt : old_it->second;
    if (!old_default)
      ch.note = "the default of " + ch.package + " " + ch.old_version + " is no longer in the archive";
    else if (!new_default)
      ch.note = "the default of " + ch.package + " " + ch.new_version + " could not be fetched";
    else
      ch.default_diff =
          unified_diff(*old_default, *new_default, ch.path + " (" + ch.package + " " + ch.old_version + ")",
                       ch.path + " (" + ch.package + " " + ch.new_version + ")");
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace

ImageBefore probe_before(const engine::Engine& engine, const std::string& image, const ProbeOptions& options) {
  ImageBefore b;
  if (!engine.find_image(image)) return b;
  b.built = true;
  ProbeContainer c(engine, image, options);
  b.probe = probe_in(c, engine, image, options);
  if (!b.probe.apt_error.empty()) return b;  // no lists: the defaults cannot be fetched
  for (const auto& o : b.probe.overridden)
    if (const InstalledPackage* p = find_package(b.probe.packages, o.conffile.package))
      b.defaults[o.conffile.path] = c.package_default(p->name, p->version, o.conffile.path);
  return b;
}

ImageChanges probe_after(const engine::Engine& engine, const StackBuild& build, const ImageBefore& before,
                         const std::string& candidate, const ProbeOptions& options) {
  ImageChanges im;
  im.services = build.target.services;
  im.image = build.target.image;
  im.old_image_id = before.probe.image_id;
  ProbeOptions quick = options;
  quick.upgradable = false;
  ProbeContainer c(engine, candidate, quick);
  ImageProbe after = probe_in(c, engine, candidate, quick);
  im.new_image_id = after.image_id;
  im.package_manager = after.package_manager;
  if (!after.package_manager) return im;
  std::set<std::string> security;
  for (const auto& u : before.probe.upgradable)
    if (u.security) security.insert(u.name);
  im.packages = diff_packages(before.probe.packages, after.packages, security);
  im.sources = changelogs(c, before, after, im.packages);
  for (const auto& s : im.sources)  // a -security changelog entry marks its binaries too
    if (s.security)
      for (auto& p : im.packages)
        if (p.source == s.source) p.security = true;
  im.conffiles = conffile_changes(c, before, after);
  return im;  // migrations: update.cc, which knows the services' volumes (update/migration.h)
}

}  // namespace slipway::update
