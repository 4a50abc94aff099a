// Translator, storage: volumes and bind mounts, tmpfs, secrets and configs.
#include <set>

#include "plan/naming.h"
#include "plan/translator.h"

namespace slipway::plan {

void Translator::volumes(const ojson& v) {
  if (v.is_null()) return;
  if (!v.is_array()) bad("must be a list");
  for (const auto& m : v) {
    if (!m.is_object() || !m.contains("type") || !m.contains("target"))
      bad("entries must be long-form mounts with a type and a target");
    std::string type = str(m["type"]);
    std::string target = str(m["target"]);
    bool ro = m.contains("read_only") && boolean(m["read_only"]);
    for (const auto& [k, _] : m.items()) {
      static const std::set<std::string> known = {"type",        "source", "target", "read_only",
                                                  "consistency", "bind",   "volume", "tmpfs"};
      if (!known.count(k)) fail(path_ + "." + k, "is not supported by slipway (remove it)");
    }
    json mount = {{"Type", type}, {"Target", target}};
    if (ro) mount["ReadOnly"] = true;
    if (type == "bind") {
      std::string source = m.contains("source") ? str(m["source"]) : "";
      if (source.empty()) bad("bind mount of " + target + " needs a source");
      const ojson bind = m.contains("bind") && m["bind"].is_object() ? m["bind"] : ojson::object();
      bool create = true;
      std::string options = ro ? "ro" : "rw";
      for (const auto& [k, bv] : bind.items()) {
        if (k == "create_host_path")
          create = boolean(bv);
        else if (k == "propagation")
          options += "," + str(bv);
        else if (k == "selinux")
          options += "," + str(bv);
        else
          fail(path_ + ".bind." + k, "is not supported by slipway (remove it)");
      }
      // The legacy Binds form lets the daemon create a missing host directory, which is
      // what Compose does for the short syntax; Mounts refuse a missing source.
      if (create) {
        host_["Binds"].push_back(source + ":" + target + ":" + options);
      } else {
        mount["Source"] = source;
        if (bind.contains("propagation")) mount["BindOptions"]["Propagation"] = str(bind["propagation"]);
        if (bind.contains("selinux")) bad("bind.selinux needs create_host_path (remove one of them)");
        host_["Mounts"].push_back(mount);
      }
    } else if (type == "volume") {
      if (m.contains("source") && !m["source"].is_null() && !str(m["source"]).empty()) {
        std::string key = str(m["source"]);
        if (!model_.volume(key))
          bad("mounts undefined volume \"" + key + "\" (declare it under the top-level volumes:)");
        mount["Source"] = model_.volume_name(key);
      }
      if (m.contains("volume") && m["volume"].is_object()) {
        for (const auto& [k, vv] : m["volume"].items()) {
          if (k == "nocopy")
            mount["VolumeOptions"]["NoCopy"] = boolean(vv);
          else if (k == "subpath") {
            need_api("1.45");
            mount["VolumeOptions"]["Subpath"] = str(vv);
          } else
            fail(path_ + ".volume." + k, "is not supported by slipway (remove it)");
        }
      }
      host_["Mounts"].push_back(mount);
    } else if (type == "tmpfs") {
      if (m.contains("tmpfs") && m["tmpfs"].is_object()) {
        for (const auto& [k, tv] : m["tmpfs"].items()) {
          if (k == "size")
            mount["TmpfsOptions"]["SizeBytes"] = bytes(tv);
          else if (k == "mode")
            mount["TmpfsOptions"]["Mode"] = integer(tv);
          else
            fail(path_ + ".tmpfs." + k, "is not supported by slipway (remove it)");
        }
      }
      host_["Mounts"].push_back(mount);
    } else {
      bad("type \"" + type + "\" is not supported by slipway (use bind, volume or tmpfs)");
    }
  }
}

void Translator::tmpfs(const ojson& v) {
  for (const auto& item : strings(v)) {
    std::string s = item.get<std::string>();
    size_t colon = s.find(':');
    host_["Tmpfs"][s.substr(0, colon)] = colon == std::string::npos ? "" : s.substr(colon + 1);
  }
}

int Translator::file_mode(const ojson& v) const {
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    // Octal digits only; parse_int reads decimal.
    const std::string& s = v.get<std::string>();
    if (!s.empty() && s.size() <= 6 && s.find_first_not_of("01234567") == std::string::npos) {
      int m = 0;
      for (char c : s) m = m * 8 + (c - '0');
      if (m <= 07777) return m;
    }
  }
  bad("mode must be an octal file mode like \"0400\"");
}

void Translator::files(const ojson& v, const std::string& kind, const std::string& section) {
  if (v.is_null()) return;
  if (!v.is_array()) bad("must be a list");
  for (const auto& ref : v) {
    FileInjection f;
    f.kind = kind;
    if (ref.is_string())
      f.name = ref.get<std::string>();
    else if (ref.is_object() && ref.contains("source"))
      f.name = str(ref["source"]);
    else
      bad("entries need a source");
    std::optional<compose::FileObject> object = kind == "secret" ? model_.secret(f.name) : model_.config(f.name);
    if (!object)
      bad("uses undefined " + kind + " \"" + f.name + "\" (declare it under the top-level " + section + ":)");
    const ojson& def = object->spec();
    std::string target = ref.is_object() && ref.contains("target") ? str(ref["target"]) : "";
    if (kind == "secret") {
      if (target.empty())
        target = "/run/secrets/" + f.name;
      else if (target[0] != '/')
        target = "/run/secrets/" + target;
    } else {
      if (target.empty()) target = "/" + f.name;
    }
    f.target = target;
    if (ref.is_object()) {
      for (const auto& [k, rv] : ref.items()) {
        if (k == "source" || k == "target") continue;
        if (k == "uid")
          f.uid = static_cast<int>(integer(rv, "uid must be a number"));
        else if (k == "gid")
          f.gid = static_cast<int>(integer(rv, "gid must be a number"));
        else if (k == "mode")
          f.mode = file_mode(rv);
        else
          fail(path_ + "." + k, "is not supported by slipway (remove it)");
      }
    }
    if (def.contains("external") && def["external"].is_boolean() && def["external"].get<bool>())
      bad("uses external " + kind + " \"" + f.name + "\", which only exists in swarm mode (use file: or environment:)");
    if (def.contains("file"))
      f.source_file = str(def["file"]);
    else if (def.contains("environment"))
      f.environment = str(def["environment"]);
    else if (def.contains("content"))
      f.content = str(def["content"]);
    else
      bad("uses " + kind + " \"" + f.name + "\" that has no file:, environment: or content:");
    out_.files.push_back(f);
  }
}

}  // namespace slipway::plan
