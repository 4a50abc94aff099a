#include "apply/tar.h"

#include <cstdio>
#include <cstring>
#include <ctime>

#include "util/error.h"

namespace slipway::apply {
namespace {

// Zero-padded octal filling width-1 digits and a NUL, as ustar wants.
void octal(char* field, size_t width, unsigned long long value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

}  // namespace

std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  long long now = static_cast<long long>(std::time(nullptr));
  for (const auto& e : entries) {
    char h[512];
    std::memset(h, 0, sizeof h);
    bool dir = !e.path.empty() && e.path.back() == '/';
    std::string name = e.path, prefix;
    if (name.size() > 100) {
      size_t cut = name.rfind('/', name.size() - 2);
      while (cut != std::string::npos && (cut > 155 || name.size() - cut - 1 > 100)) {
        if (cut == 0) {
          cut = std::string::npos;
          break;
        }
        cut = name.rfind('/', cut - 1);
      }
      if (cut == std::string::npos) throw UserError("path too long for a tar entry: " + e.path);
      prefix = name.substr(0, cut);
      name = name.substr(cut + 1);
    }
    std::memcpy(h, name.data(), name.size());
    octal(h + 100, 8, static_cast<unsigned>(e.mode) & 07777);
    octal(h + 108, 8, static_cast<unsigned>(e.uid));
    octal(h + 116, 8, static_cast<unsigned>(e.gid));
    octal(h + 124, 12, dir ? 0 : e.content.size());
    octal(h + 136, 12, static_cast<unsigned long long>(now));
    std::memset(h + 148, ' ', 8);
    h[156] = dir ? '5' : '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memcpy(h + 345, prefix.data(), prefix.size());
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    octal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(h, sizeof h);
    if (!dir) {
      out += e.content;
      out.append((512 - e.content.size() % 512) % 512, '\0');
    }
  }
  out.append(1024, '\0');
  return out;
}

std::map<std::string, std::string> read_tar(const std::string& tar) {
  std::map<std::string, std::string> files;
  size_t pos = 0;
  std::string long_name;
  while (pos + 512 <= tar.size()) {
    const char* h = tar.data() + pos;
    if (h[0] == '\0') break;
    unsigned long long size = 0;
    for (int i = 124; i < 136 && h[i]; ++i)
      if (h[i] >= '0' && h[i] <= '7') size = size * 8 + static_cast<unsigned>(h[i] - '0');
    std::string name(h, strnlen(h, 100));
    std::string prefix(h + 345, strnlen(h + 345, 155));
    if (std::memcmp(h + 257, "ustar", 5) == 0 && !prefix.empty()) name = prefix + "/" + name;
    char type = h[156];
    pos += 512;
    if (pos + size > tar.size()) break;
    std::string data = tar.substr(pos, size);
    pos += (size + 511) / 512 * 512;
    if (type == 'L') {
      long_name = data.substr(0, data.find('\0'));
      continue;
    }
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }
    if (type == '0' || type == '\0') files[name] = std::move(data);
  }
  return files;
}

}  // namespace slipway::apply
