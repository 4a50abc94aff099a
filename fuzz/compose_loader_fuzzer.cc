// libFuzzer target for everything that reads user text before the engine is involved: the YAML
// reader, the dotenv parser, interpolation and the whole Compose loader. A slipway::Error is the
// expected outcome for bad input; only crashes, hangs, leaks and sanitizer reports are bugs.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/loader.h"
#include "util/error.h"
#include "yaml/reader.h"

namespace {

// One private directory per fuzzing process; the loader reads the Compose file from disk.
const std::string& work_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/slipway-fuzz-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) abort();
    return std::string(d);
  }();
  return dir;
}

bool write_file(const std::string& path, std::string_view data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

slipway::compose::Environment fuzz_environment() {
  return {{"HOME", "/root"}, {"TAG", "1.0"}, {"PORT", "8080"}, {"EMPTY", ""}, {"PATH", "/usr/bin:/bin"}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slipway;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  try {
    std::vector<yaml::Node> docs = yaml::read_all(text, "fuzz.yml");
    compose::InterpolateOptions io;
    const auto env = fuzz_environment();
    io.lookup = [&env](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    io.warn = [](const std::string&) {};
    for (auto& d : docs) {
      yaml::Node copy = d;
      (void)copy.same_value(d);
      compose::interpolate_tree(copy, io);
    }
  } catch (const Error&) {
  }

  try {
    compose::parse_dotenv(text, "fuzz.env", [](const std::string& k) -> std::optional<std::string> {
      if (k == "HOME") return std::string("/root");
      return std::nullopt;
    });
  } catch (const Error&) {
  }

  const std::string file = work_dir() + "/compose.yaml";
  if (!write_file(file, text)) abort();
  try {
    compose::LoadOptions o;
    o.files = {file};
    o.project_directory = work_dir();
    o.working_directory = work_dir();
    o.project_name = "fuzz";
    o.environment = fuzz_environment();
    o.warn = [](const std::string&) {};
    compose::load(o);
  } catch (const Error&) {
  }
  return 0;
}
