// A constant HTTP load for engine tests that switch what serves a URL (the edge, deploy):
// `threads` clients, each on its own keep-alive connection, ask for `url` with a Host header
// until stopped. A request counts as failed unless it gets 200 and a body that `accept` takes.
// Never retried, not even a GET that failed on a reused keep-alive connection (which a browser
// would send again): these tests must prove that a client which never retries sees no failure.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace slipway::testsupport {

class HttpLoad {
 public:
  struct Options {
    std::string url, host;
    int threads = 4;
    std::function<bool(const std::string& body)> accept;
    std::chrono::milliseconds pause{0};  // between a client's requests (0: back to back)
    long timeout_s = 30;                 // per request
  };
  explicit HttpLoad(Options o);
  ~HttpLoad() { stop(); }
  HttpLoad(const HttpLoad&) = delete;
  HttpLoad& operator=(const HttpLoad&) = delete;

  void stop();
  long ok() const { return ok_; }
  long failed() const { return failed_; }
  std::vector<std::string> failures();  // the first ten: curl's error, status and body start
  std::string failures_text();          // the same, one per line

 private:
  void run();

  Options o_;
  std::atomic<bool> stop_{false};
  std::atomic<long> ok_{0}, failed_{0};
  std::mutex mu_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

}  // namespace slipway::testsupport
