#include "update/suite_upgrade.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "update/distro_info.h"
#include "util/error.h"
#include "util/text.h"

namespace slipway::update {
namespace {

// Offsets of the words of `line` (begin, end), split at spaces and tabs.
std::vector<std::pair<size_t, size_t>> words(const std::string& line) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.emplace_back(start, i);
    if (i < line.size() && line[i] == '\r') break;
  }
  return out;
}

bool valid_suite_name(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!std::islower(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

FromRewrite point_from_at(const std::string& dockerfile, const std::string& suite, std::vector<int>* unresolved) {
  FromRewrite out;
  std::istringstream in(dockerfile);
  std::string line;
  int number = 0;
  const std::string target = "debian:" + suite;
  while (std::getline(in, line)) {
    ++number;
    bool last_without_newline = in.eof();
    auto w = words(line);
    if (w.size() >= 2 && lower(line.substr(w[0].first, w[0].second - w[0].first)) == "from") {
      size_t i = 1;
      while (i < w.size() && line.compare(w[i].first, 2, "--") == 0) ++i;  // --platform=...
      if (i < w.size()) {
        auto [b, e] = w[i];
        std::string image = line.substr(b, e - b);
        if (image.rfind("debian:", 0) == 0) {
          if (image.find('$') != std::string::npos) {
            if (unresolved) unresolved->push_back(number);
          } else {
            std::string tag = image.substr(7, image.find('@') == std::string::npos ? std::string::npos
                                                                                    : image.find('@') - 7);
            std::string old_suite = tag.substr(0, tag.find('-'));
            if (image != target && valid_suite_name(old_suite)) {
              line = line.substr(0, b) + target + line.substr(e);
              out.replaced.push_back("debian:" + old_suite);
              out.lines.push_back(number);
            }
          }
        }
      }
    }
    out.text += line;
    if (!last_without_newline) out.text += "\n";
  }
  return out;
}

void check_target_suite(const std::string& suite, const std::string& distro_info_csv) {
  if (!valid_suite_name(suite))
    throw UserError("--suite " + suite + ": a Debian suite is a codename in lower case (for example trixie)");
  if (distro_info_csv.empty()) return;
  auto releases = parse_distro_info(distro_info_csv);
  for (const auto& r : releases)
    if (r.series == suite) return;
  std::string known;
  for (const auto& r : releases)
    if (!r.release.empty() || r.series == "sid") known += (known.empty() ? "" : ", ") + r.series;
  throw UserError("--suite " + suite + ": not a Debian release in " + std::string(kDebianDistroInfo) +
                  " (known: " + known + ")");
}

void write_dockerfile(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  std::string tmp = path + ".slipway-new";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) throw EnvError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(path, ec).permissions(), ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    throw EnvError("cannot replace " + path + ": " + ec.message());
  }
}

}  // namespace slipway::update
