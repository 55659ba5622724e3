// CurlFetcher against a small HTTP/1.1 server on loopback, run in a thread of the test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/loopback_http.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

using ::testing::HasSubstr;

/// Serves /file (with Range support), /norange (ignores Range), /redirect (-> /file), /error (503);
/// anything else is 404.
class TestServer {
 public:
  explicit TestServer(std::string body)
      : m_body(std::move(body)), m_http([this](const std::string& req, std::size_t) { return respond(req); }) {}
  std::string url(const std::string& path) const { return m_http.url(path); }
  std::vector<std::string> requests() { return m_http.requests(); }

 private:
  std::string respond(const std::string& request) const {
    using testing::LoopbackHttpServer;
    std::string path = LoopbackHttpServer::path_of(request);
    if (path == "/file") return LoopbackHttpServer::body_response(m_body, LoopbackHttpServer::range_start(request));
    if (path == "/norange") return LoopbackHttpServer::body_response(m_body, 0);
    if (path == "/redirect")
      return "HTTP/1.1 302 Found\r\nLocation: /file\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (path == "/error")
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
    return "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
  }

  std::string m_body;
  testing::LoopbackHttpServer m_http;
};

std::string make_body() {
  std::string body;
  for (int i = 0; body.size() < 300000; ++i) body += "line " + std::to_string(i) + "\n";
  return body;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CurlFetcherTest : public ::testing::Test {
 protected:
  CurlFetcherTest() : m_body(make_body()), m_server(m_body) {
    char tmpl[] = "/tmp/aiprov-fetch-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
    m_dest = m_dir + "/download.part";
  }
  ~CurlFetcherTest() override { std::filesystem::remove_all(m_dir); }

  FetchResult fetch(const std::string& url, std::uint64_t resume_from = 0) {
    FetchRequest req;
    req.url = url;
    req.dest_host_path = m_dest;
    req.resume_from = resume_from;
    req.connect_timeout = std::chrono::seconds(5);
    req.stall_timeout = std::chrono::seconds(10);
    req.on_progress = [this](std::uint64_t now, std::uint64_t total) {
      m_last_progress = now;
      m_last_total = total;
    };
    return make_curl_fetcher()->fetch(req);
  }

  std::string m_body;
  TestServer m_server;
  std::string m_dir;
  std::string m_dest;
  std::uint64_t m_last_progress = 0;
  std::uint64_t m_last_total = 0;
};

TEST_F(CurlFetcherTest, DownloadsTheWholeBody) {
  std::ofstream(m_dest) << "stale content that must go";
  auto r = fetch(m_server.url("/file"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.bytes, m_body.size());
  EXPECT_EQ(slurp(m_dest), m_body);
  EXPECT_EQ(m_last_progress, m_body.size());
  EXPECT_EQ(m_last_total, m_body.size());
}

TEST_F(CurlFetcherTest, FollowsRedirects) {
  auto r = fetch(m_server.url("/redirect"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(slurp(m_dest), m_body);
}

TEST_F(CurlFetcherTest, HttpErrorsNameTheUrl) {
  auto r = fetch(m_server.url("/missing"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.error, m_server.url("/missing") + ": HTTP 404");
  EXPECT_FALSE(r.transient);

  auto e = fetch(m_server.url("/error"));
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.error, m_server.url("/error") + ": HTTP 503");
  EXPECT_TRUE(e.transient);
}

TEST_F(CurlFetcherTest, ResumesByAppending) {
  std::ofstream(m_dest, std::ios::binary) << m_body.substr(0, 1000) << "junk past the resume point";
  auto r = fetch(m_server.url("/file"), 1000);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.http_status, 206);
  EXPECT_EQ(r.bytes, m_body.size());
  EXPECT_EQ(slurp(m_dest), m_body);
  EXPECT_EQ(m_last_progress, m_body.size());
  EXPECT_THAT(m_server.requests().back(), HasSubstr("Range: bytes=1000-"));
}

TEST_F(CurlFetcherTest, ServerWithoutRangesStartsOver) {
  std::ofstream(m_dest, std::ios::binary) << m_body.substr(0, 1000);
  auto r = fetch(m_server.url("/norange"), 1000);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(slurp(m_dest), m_body);
  EXPECT_EQ(m_server.requests().size(), 2u);  // the refused resume, then the whole file
}

TEST_F(CurlFetcherTest, ResumeBeyondTheFileFails) {
  std::ofstream(m_dest, std::ios::binary) << "short";
  auto r = fetch(m_server.url("/file"), 1000);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.error, HasSubstr(m_server.url("/file")));
}

TEST_F(CurlFetcherTest, UnreachablePortIsTransient) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);  // nothing listens there now
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/file";
  auto r = fetch(url);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.transient);
  EXPECT_THAT(r.error, HasSubstr(url + ": "));
}

TEST_F(CurlFetcherTest, UnwritableDestination) {
  FetchRequest req;
  req.url = m_server.url("/file");
  req.dest_host_path = m_dir + "/no/such/dir/file";
  auto r = make_curl_fetcher()->fetch(req);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.error, HasSubstr(req.dest_host_path));
}

}  // namespace
}  // namespace aiprov
