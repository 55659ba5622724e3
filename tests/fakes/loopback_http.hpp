#pragma once
/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests of the real Fetcher: one request
/// per connection, answered by a handler that returns the whole response bytes (a test may return
/// fewer body bytes than Content-Length announces, to cut a connection). Records every request.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace aiprov::testing {

class LoopbackHttpServer {
 public:
  /// request: the request head; index: 0 for the first request served.
  using Handler = std::function<std::string(const std::string& request, std::size_t index)>;

  explicit LoopbackHttpServer(Handler handler) : m_handler(std::move(handler)) {
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(m_listen, 16);
    socklen_t len = sizeof addr;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~LoopbackHttpServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listen);
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }
  std::vector<std::string> requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

  /// The path of a request head ("GET /file HTTP/1.1" -> "/file").
  static std::string path_of(const std::string& request) { return request.substr(4, request.find(' ', 4) - 4); }
  /// The start of a "Range: bytes=N-" header, or 0.
  static std::size_t range_start(const std::string& request) {
    auto r = request.find("Range: bytes=");
    return r == std::string::npos ? 0 : std::stoul(request.substr(r + 13));
  }
  /// A 200 (from == 0) or 206 response for body[from..], announcing the full remainder but carrying at
  /// most `limit` body bytes.
  static std::string body_response(const std::string& body, std::size_t from, std::size_t limit = std::string::npos) {
    std::string head = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) +
                                      "-" + std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n"
                                : "HTTP/1.1 200 OK\r\n";
    head += "Content-Length: " + std::to_string(body.size() - from) + "\r\nConnection: close\r\n\r\n";
    return head + body.substr(from, limit);
  }

 private:
  void serve() {
    while (!m_stop) {
      pollfd p{m_listen, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      handle(conn);
      ::close(conn);
    }
  }

  void handle(int conn) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t index;
    {
      std::lock_guard lock(m_mutex);
      index = m_requests.size();
      m_requests.push_back(request);
    }
    std::string response = m_handler(request, index);
    std::string_view rest = response;
    while (!rest.empty()) {
      ssize_t n = ::send(conn, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  Handler m_handler;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  std::mutex m_mutex;
  std::vector<std::string> m_requests;
};

}  // namespace aiprov::testing
