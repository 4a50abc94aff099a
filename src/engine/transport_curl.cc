// The libcurl backend of engine/transport.h: Transport's constructor and send(), with ssh://
// through engine/ssh_dial.h, linked into slipway and the tests.
//
// Two backends send the engine's requests, chosen when a program is linked, because a library
// that is loaded costs memory even when unused: this one, and plain HTTP/1.1 on the socket
// (engine/http1.h) in the lean agent program slipway-agent, whose src/agent_program/transport.cc
// defines Transport's constructor and send() itself; so the linker never takes this file's
// object from libslipway_engine.a there, and libcurl is not loaded. A program links exactly one
// (two would be a duplicate-symbol error at link time, not a silent choice).
#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>

#include "engine/http1.h"
#include "engine/ssh_dial.h"
#include "engine/transport.h"
#include "util/error.h"
#include "util/ssh_target.h"
#include "util/text.h"

namespace slipway::engine {
namespace {


void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  const ChunkSink* sink = nullptr;
  Response* response = nullptr;
  size_t body_offset = 0;
  bool stopped_by_sink = false;
  std::exception_ptr error;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->sink && *t->sink && status < 300) {
    try {
      if (!(*t->sink)(data, len)) {
        t->stopped_by_sink = true;
        return 0;
      }
    } catch (...) {
      t->error = std::current_exception();
      return 0;
    }
  } else {
    t->response->body.append(data, len);
  }
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (e.g. after 100 Continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos)
    t->response->headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  return len;
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t cap = size * n;
  if (t->request->reader) {
    try {
      return t->request->reader(buffer, cap);
    } catch (...) {
      t->error = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  const std::string& body = t->request->body;
  size_t left = body.size() - t->body_offset;
  size_t k = std::min(left, cap);
  std::memcpy(buffer, body.data() + t->body_offset, k);
  t->body_offset += k;
  return k;
}

// ssh (or the remote docker) ended before an HTTP answer: what it said on stderr is the reason
// (connection refused, host key, permission denied, docker not found).
EnvError ssh_unreachable(const Endpoint& e, const std::string& ssh_said, const std::string& curl_message) {
  return EnvError("cannot reach the container engine at " + e.address + " through ssh: " +
                  (ssh_said.empty() ? curl_message : ssh_said) +
                  " (check the address, that your key is accepted: ssh -o BatchMode=yes HOST true, and that the "
                  "server has the docker CLI)");
}

}  // namespace

Transport::Transport(Endpoint endpoint, long connect_timeout_seconds)
    : endpoint_(std::move(endpoint)), connect_timeout_(connect_timeout_seconds) {
  global_init();
  // Requests and upgrades connect to the local relay as to any engine socket.
  if (SshTarget::is_ssh(endpoint_.address)) endpoint_.socket_path = ssh_relay(endpoint_.address).socket_path();
}

Response Transport::send(const Request& request, const ChunkSink& sink) const {
  CURL* curl = curl_easy_init();
  if (!curl) throw EnvError("cannot initialise libcurl");
  Response response;
  Transfer t;
  t.curl = curl;
  t.request = &request;
  t.sink = &sink;
  t.response = &response;
  char errbuf[CURL_ERROR_SIZE] = {0};

  std::string url = endpoint_.base_url + request.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!endpoint_.socket_path.empty()) curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, endpoint_.socket_path.c_str());
  const SshConnections* ssh = SshTarget::is_ssh(endpoint_.address) ? &ssh_relay(endpoint_.address) : nullptr;
  if (ssh) ssh->share_with(curl);  // one ssh login serves many requests (keep-alive)
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_timeout_);
  if (request.timeout_seconds > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  // Engines stream progress as it happens; never wait for a full buffer.
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 64L * 1024);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // curl would otherwise wait a second for "100 Continue" on every large body.
  headers = curl_slist_append(headers, "Expect:");

  const bool has_body = request.reader || !request.body.empty();
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    if (request.reader) {
      headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    } else {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(has_body ? request.body.size() : 0));
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  std::string message = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (t.error) std::rethrow_exception(t.error);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.stopped_by_sink)) return response;
  if (ssh && status == 0) throw ssh_unreachable(endpoint_, ssh->last_error(), message);
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      (rc == CURLE_OPERATION_TIMEDOUT && status == 0)) {
    std::string reason =
        endpoint_.socket_path.empty() ? message : socket_reason(endpoint_.socket_path, message.c_str());
    throw EnvError("cannot reach the container engine at " + endpoint_.address + ": " + reason +
                   " (is dockerd running? set DOCKER_HOST or -H)");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw EnvError("the container engine at " + endpoint_.address + " did not answer " + request.method + " " +
                   request.target + " within " + std::to_string(request.timeout_seconds) + " s");
  throw EnvError("talking to the container engine at " + endpoint_.address + " (" + request.method + " " +
                 request.target + "): " + message);
}

}  // namespace slipway::engine
