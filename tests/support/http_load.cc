#include "support/http_load.h"

#include <curl/curl.h>

namespace slipway::testsupport {
namespace {

size_t append_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

HttpLoad::HttpLoad(Options o) : o_(std::move(o)) {
  for (int i = 0; i < o_.threads; ++i) threads_.emplace_back([this] { run(); });
}

void HttpLoad::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<std::string> HttpLoad::failures() {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

std::string HttpLoad::failures_text() {
  std::string s;
  for (const auto& f : failures()) s += f + "\n";
  return s;
}

void HttpLoad::run() {
  CURL* c = curl_easy_init();
  std::string body;
  curl_slist* headers = curl_slist_append(nullptr, ("Host: " + o_.host).c_str());
  curl_easy_setopt(c, CURLOPT_URL, o_.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, o_.timeout_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  while (!stop_) {
    body.clear();
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK && status == 200 && o_.accept(body)) {
      ++ok_;
      if (o_.pause.count() > 0) std::this_thread::sleep_for(o_.pause);
      continue;
    }
    ++failed_;
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_.size() < 10)
      failures_.push_back(std::string(curl_easy_strerror(rc)) + " status " + std::to_string(status) + " body " +
                          body.substr(0, 80));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
}

}  // namespace slipway::testsupport
