#include "agent/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>

#include "util/error.h"
#include "util/parse.h"

namespace slipway::agent {

namespace {

int marker;  // *con_cls after the first call of a request: headers seen

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                      const char*, size_t* upload_data_size, void** con_cls) {
  if (*con_cls == nullptr) {  // first call: only the headers are known
    *con_cls = &marker;
    return MHD_YES;
  }
  if (*upload_data_size) {  // a body: not used by any route, consumed and ignored
    *upload_data_size = 0;
    return MHD_YES;
  }
  const auto* server = static_cast<const HttpServer*>(cls);
  HttpRequest request;
  request.method = method ? method : "";
  request.path = url ? url : "/";
  const char* auth = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  request.authorization = auth ? auth : "";
  HttpResponse r;
  try {
    r = server->handle(request);
  } catch (const std::exception& e) {
    r = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
  }
  MHD_Response* response =
      MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
  // The page has no scripts and no external assets; say so to the browser as well.
  MHD_add_response_header(response, "Content-Security-Policy",
                          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'");
  if (r.status == 401) MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  MHD_Result ret = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  return ret;
}

}  // namespace

std::pair<std::string, int> parse_listen(const std::string& text) {
  auto bad = [&] {
    throw UserError("--listen " + text + ": expected ADDRESS:PORT, e.g. 127.0.0.1:8477 or [::1]:8477 (port 0: any)");
  };
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) bad();
  }
  if (host.empty()) host = "127.0.0.1";
  auto p = parse_int(port, 0, 65535);
  if (!p) bad();
  in6_addr a6;
  in_addr a4;
  if (inet_pton(AF_INET, host.c_str(), &a4) != 1 && inet_pton(AF_INET6, host.c_str(), &a6) != 1) bad();
  return {host, static_cast<int>(*p)};
}

HttpServer::HttpServer(const std::string& address, int port, HttpHandler handler)
    : address_(address), handler_(std::move(handler)) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* sa = nullptr;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
  if (inet_pton(AF_INET, address.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    sa = reinterpret_cast<const sockaddr*>(&v4);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    sa = reinterpret_cast<const sockaddr*>(&v6);
    flags |= MHD_USE_IPv6;
  } else {
    throw UserError("cannot listen on " + address + ": not an IP address (e.g. 127.0.0.1)");
  }
  daemon_ = MHD_start_daemon(flags, static_cast<uint16_t>(port), nullptr, nullptr, &on_request, this,
                             MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT,
                             10u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(32 * 1024), MHD_OPTION_END);
  if (!daemon_)
    throw EnvError("cannot listen on " + address + ":" + std::to_string(port) +
                   " (is the port taken? choose another with --listen ADDRESS:PORT)");
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info ? info->port : port;
}

HttpServer::~HttpServer() {
  if (daemon_) MHD_stop_daemon(daemon_);
}

std::string HttpServer::url() const {
  std::string host = address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "http://" + host + ":" + std::to_string(port_);
}

HttpResponse HttpServer::handle(const HttpRequest& request) const { return handler_(request); }

}  // namespace slipway::agent
