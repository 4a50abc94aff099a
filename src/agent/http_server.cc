#include "agent/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>

#include <cstring>
#include <mutex>

#include "util/error.h"
#include "util/parse.h"

namespace slipway::agent {

namespace {

// What civetweb said when it could not start (it reports through the log callback only).
std::mutex start_error_mutex;
std::string start_error;

int on_log(const mg_connection*, const char* message) {
  std::lock_guard lock(start_error_mutex);
  start_error = message ? message : "";
  return 1;  // handled: civetweb prints nothing itself
}

int on_request(mg_connection* connection, void* cls) {
  const auto* server = static_cast<const HttpServer*>(cls);
  const mg_request_info* info = mg_get_request_info(connection);
  HttpRequest request;
  request.method = info && info->request_method ? info->request_method : "";
  request.path = info && info->local_uri ? info->local_uri : "/";
  const char* auth = mg_get_header(connection, "Authorization");
  request.authorization = auth ? auth : "";
  request.remote = info ? info->remote_addr : "";
  HttpResponse r;
  try {
    r = server->handle(request);
  } catch (const std::exception& e) {
    r = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
  }
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + mg_get_response_code_text(connection, r.status) +
                     "\r\nContent-Type: " + r.content_type + "\r\nContent-Length: " + std::to_string(r.body.size()) +
                     "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                     // The page has no scripts and no external assets; say so to the browser as well.
                     "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                     "form-action 'none'\r\n" +
                     std::string(r.status == 401 ? "WWW-Authenticate: Bearer\r\n" : "") + "Connection: close\r\n\r\n";
  mg_write(connection, head.data(), head.size());
  if (request.method != "HEAD") mg_write(connection, r.body.data(), r.body.size());
  return r.status;
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
  in_addr a4;
  in6_addr a6;
  std::string listening;
  if (inet_pton(AF_INET, address.c_str(), &a4) == 1) {
    listening = address + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, address.c_str(), &a6) == 1) {
    // Debian's civetweb 1.15 is built without IPv6 (mg_check_feature(8) is 0 there).
    if (!mg_check_feature(8))
      throw UserError("cannot listen on " + address +
                      ": this build's HTTP server (civetweb) has no IPv6; listen on 127.0.0.1 (the default) and "
                      "reach the page through the stack's edge");
    listening = "[" + address + "]:" + std::to_string(port);
  } else {
    throw UserError("cannot listen on " + address + ": not an IP address (e.g. 127.0.0.1)");
  }
  // No TLS, no files, no CGI or Lua: only the handler below answers. A few worker threads
  // serve one connection each (the page is rendered from memory in milliseconds); up to 32
  // more wait in the queue; a client that sends nothing for 10 s is dropped; no keep-alive,
  // so an idle browser tab holds no thread.
  mg_init_library(0);
  const char* options[] = {"listening_ports", listening.c_str(), "num_threads", "4", "connection_queue", "32",
                           "request_timeout_ms", "10000", "enable_keep_alive", "no", "max_request_size", "32768",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = on_log;
  {
    std::lock_guard lock(start_error_mutex);
    start_error.clear();
  }
  context_ = mg_start(&callbacks, this, options);
  if (!context_) {
    mg_exit_library();
    std::lock_guard lock(start_error_mutex);
    throw EnvError("cannot listen on " + address + ":" + std::to_string(port) +
                   (start_error.empty() ? "" : " (" + start_error + ")") +
                   " (is the port taken? choose another with --listen ADDRESS:PORT)");
  }
  mg_set_request_handler(context_, "/", on_request, this);
  mg_server_port ports[4];
  int n = mg_get_server_ports(context_, 4, ports);
  port_ = n > 0 ? ports[0].port : port;
}

HttpServer::~HttpServer() {
  if (context_) {
    mg_stop(context_);
    mg_exit_library();
  }
}

std::string HttpServer::url() const {
  std::string host = address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "http://" + host + ":" + std::to_string(port_);
}

HttpResponse HttpServer::handle(const HttpRequest& request) const { return handler_(request); }

}  // namespace slipway::agent
