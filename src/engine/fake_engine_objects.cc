// FakeEngine: system calls, images, networks, volumes, archives and the escape hatch.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

#include "engine/fake_engine.h"
#include "util/sha256.h"

namespace slipway::engine {

namespace {

std::string read_all(const BodyReader& reader) {
  std::string out;
  if (!reader) return out;
  char buffer[65536];
  for (;;) {
    size_t n = reader(buffer, sizeof buffer);
    if (n == 0) break;
    out.append(buffer, n);
  }
  return out;
}

// Regular files of a tar by path (directories are implied).
std::map<std::string, std::string> untar(const std::string& tar) {
  std::map<std::string, std::string> files;
  if (tar.empty()) return files;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  if (archive_read_open_memory(a, tar.data(), tar.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    throw EngineError(400, "fake engine: not a tar archive", "put archive");
  }
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    std::string content;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) content.append(buf, static_cast<size_t>(n));
    files[archive_entry_pathname(e)] = content;
  }
  archive_read_free(a);
  return files;
}

std::string tar_of(const std::string& name, const std::string& content) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* data, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
  archive_write_header(a, e);
  archive_write_data(a, content.data(), content.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string normalize_path(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p[0] != '/') p = "/" + p;
  return p;
}

}  // namespace

// --- system -------------------------------------------------------------------------------

void FakeEngine::ping() const {
  std::lock_guard lock(mutex_);
  enter("ping", false);
}

json FakeEngine::version() const {
  std::lock_guard lock(mutex_);
  enter("version", false);
  return {{"Version", "20.10.24+fake"}, {"ApiVersion", "1.41"}, {"MinAPIVersion", "1.12"}, {"Os", "linux"}};
}

json FakeEngine::info() const {
  std::lock_guard lock(mutex_);
  enter("info", false);
  return {{"Name", "fake"}, {"Containers", containers_.size()}, {"Images", images_.size()}};
}

// --- images -------------------------------------------------------------------------------

FakeEngine::Image* FakeEngine::find_image_entry(const std::string& name) const {
  if (name.empty()) return nullptr;
  std::string ref = normalize_reference(name);
  for (auto& i : images_)
    if (i.id == name || i.tags.count(ref) || i.id == "sha256:" + name) return &i;
  for (auto& i : images_)
    if (name.size() >= 12 && (i.id.rfind(name, 0) == 0 || i.id.rfind("sha256:" + name, 0) == 0)) return &i;
  return nullptr;
}

std::string FakeEngine::store_image(const std::string& id, const std::vector<std::string>& tags,
                                    const Labels& labels) const {
  for (auto& i : images_)
    for (const auto& t : tags) i.tags.erase(normalize_reference(t));  // a tag moves
  Image* image = nullptr;
  for (auto& i : images_)
    if (i.id == id) image = &i;
  if (!image) {
    images_.push_back({id, {}, labels});
    image = &images_.back();
  }
  for (const auto& t : tags) image->tags.insert(normalize_reference(t));
  return id;
}

std::string FakeEngine::add_image(const std::string& reference, const Labels& labels) {
  std::lock_guard lock(mutex_);
  return store_image("sha256:" + sha256_hex("image:" + reference + ":" + std::to_string(++counter_)), {reference},
                     labels);
}

json FakeEngine::image_json(const Image& i) const {
  return {{"Id", i.id},
          {"RepoTags", std::vector<std::string>(i.tags.begin(), i.tags.end())},
          {"Config", {{"Labels", i.labels}}},
          {"Size", 1024}};
}

json FakeEngine::inspect_image(const std::string& name) const {
  std::lock_guard lock(mutex_);
  enter("inspect_image " + name, false);
  if (Image* i = find_image_entry(name)) return image_json(*i);
  throw EngineError(404, "No such image: " + name, "image " + name);
}

json FakeEngine::list_images(const Filters& filters, bool) const {
  std::lock_guard lock(mutex_);
  enter("list_images", false);
  json out = json::array();
  for (const auto& i : images_) {
    if (!matches_labels(i.labels, filters)) continue;
    if (filters.count("reference")) {
      bool any = false;
      for (const auto& r : filters.at("reference")) any = any || i.tags.count(normalize_reference(r));
      if (!any) continue;
    }
    json summary = image_json(i);
    summary["Labels"] = i.labels;
    out.push_back(summary);
  }
  return out;
}

json FakeEngine::remove_image(const std::string& name, bool force, bool) const {
  std::lock_guard lock(mutex_);
  enter("remove_image " + name, true);
  Image* i = find_image_entry(name);
  if (!i) throw EngineError(404, "No such image: " + name, "remove image " + name);
  std::string ref = normalize_reference(name);
  if (i->tags.count(ref) && i->tags.size() > 1) {
    i->tags.erase(ref);
    return json::array({{{"Untagged", ref}}});
  }
  for (const auto& c : containers_)
    if (c.image_id == i->id && !force)
      throw EngineError(409, "conflict: unable to remove image: image is being used by container " + c.id.substr(0, 12),
                        "remove image " + name);
  std::string id = i->id;
  std::erase_if(images_, [&](const Image& x) { return x.id == id; });
  return json::array({{{"Deleted", id}}});
}

void FakeEngine::tag_image(const std::string& source, const std::string& repo, const std::string& tag) const {
  std::lock_guard lock(mutex_);
  enter("tag_image " + source + " " + repo + ":" + tag, true);
  Image* i = find_image_entry(source);
  if (!i) throw EngineError(404, "No such image: " + source, "tag image " + source);
  store_image(i->id, {repo + ":" + (tag.empty() ? "latest" : tag)}, i->labels);
}

std::string FakeEngine::build_image(const BodyReader& context, const BuildOptions& options,
                                    const BuildOutput& on_output) const {
  std::string tar = read_all(context);
  std::lock_guard lock(mutex_);
  enter("build_image " + (options.tags.empty() ? std::string("<untagged>") : options.tags.front()), true);
  json key = {{"dockerfile", options.dockerfile}, {"target", options.target}, {"labels", options.labels}};
  for (const auto& [k, v] : options.build_args) key["args"][k] = v ? *v : "<unset>";
  // The content decides the ID (files, options), as a reproducible build would.
  std::string id = "sha256:" + sha256_hex(sha256_hex(tar) + key.dump());
  if (on_output) on_output("Step 1/1 : FAKE BUILD");
  store_image(id, options.tags, options.labels);
  if (on_output) on_output("Successfully built " + id.substr(7, 12));
  return id;
}

std::string FakeEngine::pull_image(const std::string& reference, const PullOutput& on_output) const {
  std::lock_guard lock(mutex_);
  enter("pull_image " + reference, true);
  std::string ref = normalize_reference(reference);
  if (!pullable_.count(ref)) throw EnvError("pull of " + reference + " failed: no registry reachable (fake engine)");
  if (on_output) on_output("Pulling from " + reference);
  if (Image* i = find_image_entry(ref)) return i->id;
  return store_image("sha256:" + sha256_hex("pulled:" + ref), {ref}, {});
}

std::string FakeEngine::import_image(const BodyReader& tar, const std::string& repo, const std::string& tag,
                                     const std::vector<std::string>&, const std::string&) const {
  std::string content = read_all(tar);
  std::lock_guard lock(mutex_);
  enter("import_image " + repo + ":" + tag, true);
  return store_image("sha256:" + sha256_hex(content), {repo + ":" + tag}, {});
}

std::vector<std::string> FakeEngine::load_images(const BodyReader& tar) const {
  std::string archive = read_all(tar);
  std::lock_guard lock(mutex_);
  enter("load_images", true);
  // An archive of another fake's save_images (fake_engine_swarm.cc) brings its images along,
  // with the same IDs, as a real `docker save` tar does.
  std::vector<std::string> lines;
  if (auto saved = json::parse(archive, nullptr, false); saved.is_object() && saved.contains("fake_saved_images"))
    for (const auto& i : saved["fake_saved_images"]) {
      std::vector<std::string> tags = i.value("RepoTags", std::vector<std::string>{});
      Labels labels = i["Config"].value("Labels", Labels{});
      store_image(i.value("Id", ""), tags, labels);
      lines.push_back("Loaded image ID: " + i.value("Id", ""));
    }
  return lines;
}

// --- archives -----------------------------------------------------------------------------

void FakeEngine::get_archive(const std::string& id, const std::string& path, const ChunkSink& sink) const {
  std::string tar;
  {
    std::lock_guard lock(mutex_);
    enter("get_archive " + id + " " + path, false);
    Container& c = container_or_404(id);
    auto it = c.files.find(normalize_path(path));
    if (it == c.files.end())
      throw EngineError(404, "Could not find the file " + path + " in container " + id, "archive of " + path);
    tar = tar_of(it->first.substr(it->first.rfind('/') + 1), it->second);
  }
  sink(tar.data(), tar.size());
}

void FakeEngine::put_archive(const std::string& id, const std::string& dir, const BodyReader& tar) const {
  std::string content = read_all(tar);
  std::lock_guard lock(mutex_);
  enter("put_archive " + id + " " + dir, true);
  Container& c = container_or_404(id);
  std::string base = normalize_path(dir);
  // The directory must exist: the image's (not modelled: "/" and what earlier archives made).
  bool exists = base == "/";
  for (const auto& [p, _] : c.files)
    if (p.rfind(base + "/", 0) == 0) exists = true;
  if (!exists) throw EngineError(404, "Could not find the file " + dir + " in container " + id, "copy into " + dir);
  for (const auto& [p, data] : untar(content)) c.files[normalize_path(base == "/" ? p : base + "/" + p)] = data;
}

// --- networks -----------------------------------------------------------------------------

FakeEngine::Network* FakeEngine::find_network_entry(const std::string& id_or_name) const {
  for (auto& n : networks_)
    if (n.id == id_or_name || n.name == id_or_name) return &n;
  return nullptr;
}

json FakeEngine::network_json(const Network& n) const {
  json members = json::object();
  for (const auto& c : containers_)
    if (c.networks.count(n.name)) members[c.id] = {{"Name", c.name}};
  json out = n.body;
  out["Id"] = n.id;
  out["Name"] = n.name;
  out["Labels"] = n.labels;
  out["Containers"] = members;
  if (!out.contains("Driver")) out["Driver"] = "bridge";
  return out;
}

std::string FakeEngine::create_network(const json& body) const {
  std::lock_guard lock(mutex_);
  std::string name = body.value("Name", "");
  enter("create_network " + name, true);
  if (find_network_entry(name))
    throw EngineError(409, "network with name " + name + " already exists", "create network " + name);
  Network n;
  n.id = new_id("network");
  n.name = name;
  n.body = body;
  if (body.contains("Labels") && body["Labels"].is_object())
    for (const auto& [k, v] : body["Labels"].items()) n.labels[k] = v.get<std::string>();
  networks_.push_back(n);
  return n.id;
}

json FakeEngine::inspect_network(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("inspect_network " + id, false);
  if (Network* n = find_network_entry(id)) return network_json(*n);
  throw EngineError(404, "network " + id + " not found", "network " + id);
}

json FakeEngine::list_networks(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_networks", false);
  json out = json::array();
  for (const auto& n : networks_) {
    if (!matches_labels(n.labels, filters)) continue;
    if (filters.count("name") &&
        std::none_of(filters.at("name").begin(), filters.at("name").end(),
                     [&](const std::string& w) { return n.name.find(w) != std::string::npos; }))
      continue;
    out.push_back(network_json(n));
  }
  return out;
}

void FakeEngine::remove_network(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("remove_network " + id, true);
  Network* n = find_network_entry(id);
  if (!n) throw EngineError(404, "network " + id + " not found", "remove network " + id);
  for (const auto& c : containers_)
    if (c.networks.count(n->name))
      throw EngineError(403, "error while removing network: network " + n->name + " has active endpoints",
                        "remove network " + id);
  std::string nid = n->id;
  std::erase_if(networks_, [&](const Network& x) { return x.id == nid; });
}

void FakeEngine::connect_network(const std::string& network, const std::string& container, const json& endpoint) const {
  std::lock_guard lock(mutex_);
  enter("connect_network " + network + " " + container, true);
  Network* n = find_network_entry(network);
  if (!n) throw EngineError(404, "network " + network + " not found", "connect " + container);
  Container& c = container_or_404(container);
  if (c.networks.count(n->name))
    throw EngineError(403, "endpoint with name " + c.name + " already exists in network " + n->name,
                      "connect " + container);
  c.networks[n->name] = endpoint.is_null() ? json::object() : endpoint;
}

void FakeEngine::disconnect_network(const std::string& network, const std::string& container, bool) const {
  std::lock_guard lock(mutex_);
  enter("disconnect_network " + network + " " + container, true);
  Network* n = find_network_entry(network);
  if (!n) throw EngineError(404, "network " + network + " not found", "disconnect " + container);
  Container& c = container_or_404(container);
  if (!c.networks.erase(n->name))
    throw EngineError(403, "container " + container + " is not connected to network " + network,
                      "disconnect " + container);
}

std::vector<std::string> FakeEngine::network_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& n : networks_) out.push_back(n.name);
  return out;
}

// --- volumes ------------------------------------------------------------------------------

FakeEngine::Volume* FakeEngine::find_volume_entry(const std::string& name) const {
  for (auto& v : volumes_)
    if (v.name == name) return &v;
  return nullptr;
}

FakeEngine::Volume& FakeEngine::ensure_volume(const std::string& name) const {
  if (Volume* v = find_volume_entry(name)) return *v;
  volumes_.push_back(Volume{name, "local", {}, json::object()});
  return volumes_.back();
}

json FakeEngine::volume_json(const Volume& v) const {
  return {{"Name", v.name},
          {"Driver", v.driver},
          {"Labels", v.labels},
          {"Options", v.options},
          {"Mountpoint", "/var/lib/docker/volumes/" + v.name + "/_data"},
          {"Scope", "local"}};
}

json FakeEngine::create_volume(const json& body) const {
  std::lock_guard lock(mutex_);
  std::string name = body.value("Name", "");
  enter("create_volume " + name, true);
  if (name.empty()) name = new_id("volume");
  // Like the engine: creating an existing volume returns it unchanged.
  if (Volume* v = find_volume_entry(name)) return volume_json(*v);
  Volume v{name, body.value("Driver", "local"), {}, body.value("DriverOpts", json::object())};
  if (body.contains("Labels") && body["Labels"].is_object())
    for (const auto& [k, l] : body["Labels"].items()) v.labels[k] = l.get<std::string>();
  volumes_.push_back(v);
  return volume_json(v);
}

json FakeEngine::inspect_volume(const std::string& name) const {
  std::lock_guard lock(mutex_);
  enter("inspect_volume " + name, false);
  if (Volume* v = find_volume_entry(name)) return volume_json(*v);
  throw EngineError(404, "get " + name + ": no such volume", "volume " + name);
}

json FakeEngine::list_volumes(const Filters& filters) const {
  std::lock_guard lock(mutex_);
  enter("list_volumes", false);
  json out = json::array();
  for (const auto& v : volumes_) {
    if (!matches_labels(v.labels, filters)) continue;
    if (filters.count("name") &&
        std::none_of(filters.at("name").begin(), filters.at("name").end(),
                     [&](const std::string& w) { return v.name.find(w) != std::string::npos; }))
      continue;
    out.push_back(volume_json(v));
  }
  return out;
}

void FakeEngine::remove_volume(const std::string& name, bool force) const {
  std::lock_guard lock(mutex_);
  enter("remove_volume " + name, true);
  if (!find_volume_entry(name)) throw EngineError(404, "get " + name + ": no such volume", "remove volume " + name);
  for (const auto& c : containers_)
    for (const auto& m : c.mounts)
      if (m.value("Name", "") == name)
        throw EngineError(409, "remove " + name + ": volume is in use - [" + c.id + "]", "remove volume " + name);
  std::erase_if(volumes_, [&](const Volume& v) { return v.name == name; });
}

std::vector<std::string> FakeEngine::volume_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& v : volumes_) out.push_back(v.name);
  return out;
}

// --- events and the escape hatch ----------------------------------------------------------

void FakeEngine::events(const EventsOptions&, const EventSink&) const {
  std::lock_guard lock(mutex_);
  enter("events", false);
}

// What put_archive added (Kind 1 = added), then what add_change said.
json FakeEngine::container_changes(const std::string& id) const {
  std::lock_guard lock(mutex_);
  enter("container_changes " + id, false);
  Container& c = container_or_404(id);
  json changes = json::array();
  for (const auto& [p, _] : c.files) changes.push_back({{"Path", p}, {"Kind", 1}});
  for (const auto& ch : c.changes) changes.push_back(ch);
  return changes;
}

json FakeEngine::call(const std::string& method, const std::string& path, const json&, const std::string& what) const {
  std::lock_guard lock(mutex_);
  bool reads = method == "GET" || method == "HEAD";
  enter(method + " " + path, !reads);
  throw EngineError(501, "fake engine: " + method + " " + path + " is not implemented", what.empty() ? path : what);
}

}  // namespace slipway::engine
