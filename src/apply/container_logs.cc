#include "apply/container_logs.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include "util/error.h"

namespace slipway::apply {

void print_logs(const engine::Engine& client, const std::vector<plan::ObservedContainer>& containers,
                const engine::LogsOptions& options, bool prefix) {
  size_t width = 0;
  for (const auto& c : containers) width = std::max(width, c.name.size());
  std::mutex out_mutex;
  auto stream_one = [&](const plan::ObservedContainer& c) {
    std::string label = prefix ? c.name + std::string(width - c.name.size(), ' ') + " | " : "";
    std::string pending[2];
    auto flush_lines = [&](int which, bool all) {
      std::string& buf = pending[which];
      FILE* to = which == 0 ? stdout : stderr;
      size_t start = 0;
      for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::lock_guard<std::mutex> lock(out_mutex);
        std::fprintf(to, "%s%.*s\n", label.c_str(), static_cast<int>(nl - start), buf.data() + start);
      }
      buf.erase(0, start);
      if (all && !buf.empty()) {
        std::lock_guard<std::mutex> lock(out_mutex);
        std::fprintf(to, "%s%s\n", label.c_str(), buf.c_str());
        buf.clear();
      }
      std::fflush(to);
    };
    client.logs(c.id, options, [&](engine::StreamKind kind, const std::string& data) {
      int which = kind == engine::StreamKind::out ? 0 : 1;
      pending[which] += data;
      flush_lines(which, false);
      return true;
    });
    flush_lines(0, true);
    flush_lines(1, true);
  };
  if (!options.follow) {
    for (const auto& c : containers) stream_one(c);
    return;
  }
  // No signal handler here: following changes nothing, so Ctrl-C may simply end the process.
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::string first_error;
  for (const auto& c : containers)
    threads.emplace_back([&, c] {
      try {
        stream_one(c);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) first_error = e.what();
      }
    });
  for (auto& t : threads) t.join();
  if (!first_error.empty()) throw EnvError(first_error);
}

}  // namespace slipway::apply
