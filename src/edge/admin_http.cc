#include "edge/admin_http.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cctype>
#include <cstring>
#include <mutex>

#include "util/error.h"
#include "util/text.h"

namespace slipway::edge {
namespace {

struct Transfer {
  AdminResponse* response;
  const std::string* body;
  size_t offset = 0;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->response->body.append(data, size * n);
  return size * n;
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t k = std::min(size * n, t->body->size() - t->offset);
  std::memcpy(buffer, t->body->data() + t->offset, k);
  t->offset += k;
  return k;
}

// Headers and trailers alike (libcurl hands both to this callback).
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = trim(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t->response->headers[name] = trim(line.substr(colon + 1));
  }
  return size * n;
}

std::string socket_problem(const std::string& path, const char* curl_message) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "no such socket";
  if (!S_ISSOCK(st.st_mode)) return "not a socket";
  return curl_message;
}

}  // namespace

std::string path_segment(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

AdminHttp::AdminHttp(std::string socket_path, long connect_timeout_seconds)
    : socket_path_(std::move(socket_path)), connect_timeout_(connect_timeout_seconds) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

AdminResponse AdminHttp::send(const AdminRequest& request) const {
  CURL* curl = curl_easy_init();
  if (!curl) throw EnvError("cannot initialise libcurl");
  AdminResponse response;
  Transfer t{&response, &request.body};
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::string url = "http://localhost" + request.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_timeout_);
  if (request.timeout_seconds > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);

  // Caddy's admin API accepts only an empty Host on a unix socket; "Host;" sends exactly that.
  curl_slist* headers = curl_slist_append(nullptr, "Host;");
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  std::string message = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (rc == CURLE_OK) return response;
  std::string where = "the edge's admin API at unix://" + socket_path_;
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw EnvError(where + " did not answer " + request.method + " " + request.path + " within " +
                   std::to_string(request.timeout_seconds) + " s");
  if (rc == CURLE_COULDNT_CONNECT)
    throw EnvError("cannot reach " + where + ": " + socket_problem(socket_path_, message.c_str()) +
                   " (is the edge container running? see `docker ps --filter label=io.slipway.role=edge`)");
  throw EnvError("talking to " + where + " (" + request.method + " " + request.path + "): " + message);
}

}  // namespace slipway::edge
