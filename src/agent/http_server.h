// A small HTTP server for the agent's status page, JSON API and metrics, on libmicrohttpd
// (Debian's libmicrohttpd12: a C library of ~250 KiB with one polling thread, bounded
// connections and per-connection memory, and years of exposure as an embedded server; see
// docs/agent.md for why it was chosen over civetweb, cpp-httplib and Boost.Beast).
//
// Requests carry no body the handlers need (GET, and POST without one); everything is answered
// from memory. Limits: 32 connections, 10 s idle timeout, 32 KiB per connection.
#pragma once

#include <functional>
#include <string>

struct MHD_Daemon;

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

  // Used by the libmicrohttpd callback.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  std::string address_;
  int port_ = 0;
  HttpHandler handler_;
  MHD_Daemon* daemon_ = nullptr;
};

// Parses "ADDRESS:PORT" ("127.0.0.1:8477", "[::1]:0", ":8477" = 127.0.0.1). UserError on
// anything else.
std::pair<std::string, int> parse_listen(const std::string& text);

}  // namespace slipway::agent
