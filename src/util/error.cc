#include "util/error.h"

namespace slipway {

std::string Location::str() const {
  if (file.empty()) return "";
  std::string s = file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

}  // namespace slipway
