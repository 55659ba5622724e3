#pragma once
/// FakeFetcher: the Fetcher of the unit tests (see fake_host.hpp).

#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/host.hpp"
#include "fakes/virtual_file_system.hpp"

namespace aiprov::testing {

/// A Fetcher that serves registered bodies. A destination under the VFS's host paths ("/virtual/...")
/// is written into the VFS (not logged there); any other destination is a real file. Resuming
/// (resume_from > 0) appends the body from that offset. Unknown URLs answer HTTP 404.
class FakeFetcher : public Fetcher {
 public:
  explicit FakeFetcher(VirtualFileSystem* vfs = nullptr) : m_vfs(vfs) {}

  void serve(const std::string& url, std::string body) { m_bodies[url] = std::move(body); }
  /// Makes `url` fail with `error` (transient or not) and the given HTTP status (0: no response).
  void fail(const std::string& url, std::string error, bool transient = false, long http_status = 0) {
    FetchResult r;
    r.http_status = http_status;
    r.transient = transient;
    r.error = std::move(error);
    m_errors[url] = std::move(r);
  }

  FetchResult fetch(const FetchRequest& req) override {
    m_requests.push_back(req.url);
    if (auto e = m_errors.find(req.url); e != m_errors.end()) return e->second;
    auto b = m_bodies.find(req.url);
    FetchResult r;
    if (b == m_bodies.end()) {
      r.http_status = 404;
      r.error = req.url + ": HTTP 404";
      return r;
    }
    std::string part = req.resume_from < b->second.size() ? b->second.substr(req.resume_from) : std::string();
    std::string prefix = "/virtual/";
    if (m_vfs && req.dest_host_path.compare(0, prefix.size(), prefix) == 0) {
      std::string logical = req.dest_host_path.substr(prefix.size() - 1);
      std::string old = req.resume_from > 0 ? m_vfs->read(logical).value_or("") : "";
      m_vfs->put(logical, old + part);
    } else {
      std::ofstream out(req.dest_host_path, req.resume_from > 0 ? std::ios::binary | std::ios::app
                                                                : std::ios::binary | std::ios::trunc);
      out << part;
      if (!out) {
        r.error = "cannot write " + req.dest_host_path;
        return r;
      }
    }
    if (req.on_progress) req.on_progress(b->second.size(), b->second.size());
    r.ok = true;
    r.http_status = req.resume_from > 0 ? 206 : 200;
    r.bytes = b->second.size();
    return r;
  }

  /// Every URL requested, in order.
  const std::vector<std::string>& requests() const { return m_requests; }

 private:
  VirtualFileSystem* m_vfs;
  std::map<std::string, std::string> m_bodies;
  std::map<std::string, FetchResult> m_errors;
  std::vector<std::string> m_requests;
};

}  // namespace aiprov::testing
