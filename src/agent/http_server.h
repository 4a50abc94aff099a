// A small HTTP server for the agent's status page, JSON API and metrics, on civetweb
// (Debian's libcivetweb1: a C library of ~240 KiB that links only libc, used here without TLS,
// files, CGI or scripting; see docs/agent.md for why it replaced libmicrohttpd, whose Debian
// build loads GnuTLS and eight more libraries into the idle agent).
//
// Requests carry no body the handlers need (GET, and POST without one); everything is answered
// from memory. Limits: 4 worker threads, 32 queued connections, 10 s request timeout, 32 KiB
// request size, no keep-alive.
#pragma once

#include <functional>
#include <string>

struct mg_context;

namespace slipway::agent {

struct HttpRequest {
  std::string method;         // GET, POST, ...
  std::string path;           // "/api/status" (no query)
  std::string authorization;  // the Authorization header, "" when absent
  std::string remote;         // the peer's address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Listens on `address` ("127.0.0.1", "::1", "0.0.0.0") and `port` (0: any free port, see
  // port()). Throws EnvError naming the address when it cannot listen (port taken, no such
  // address).
  HttpServer(const std::string& address, int port, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  const std::string& address() const { return address_; }
  // "http://127.0.0.1:8477" ("http://[::1]:8477" for IPv6).
  std::string url() const;

  // Used by the civetweb callback.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  std::string address_;
  int port_ = 0;
  HttpHandler handler_;
  mg_context* context_ = nullptr;
};

// Parses "ADDRESS:PORT" ("127.0.0.1:8477", "[::1]:0", ":8477" = 127.0.0.1). UserError on
// anything else.
std::pair<std::string, int> parse_listen(const std::string& text);

}  // namespace slipway::agent
