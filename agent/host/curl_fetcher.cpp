// CurlFetcher: the Fetcher seam with libcurl. The body goes straight to a file descriptor; a resumed
// download appends from resume_from (a server that ignores ranges makes it start over).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include <curl/curl.h>

#include "aiprov/version.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

/// libcurl hands the body over in pieces of at most 16 KiB (CURL_MAX_WRITE_SIZE); writing each one
/// is 65,536 write calls per GiB. The body is gathered into kWriteChunk and written in large pieces.
/// Writeback is left to the kernel: asking it to start early (sync_file_range every 32 MiB) made a
/// 1 GiB download on loopback about 0.5 s slower here, the disk competing with the transfer.
constexpr std::size_t kWriteChunk = 1u << 20;

struct Transfer {
  int fd = -1;
  int write_errno = 0;
  std::uint64_t resume_from = 0;
  const FetchRequest* req = nullptr;
  std::string pending;              ///< received, not yet written

  /// Writes what is pending; false (and write_errno set) on an error.
  bool flush() {
    std::size_t done = 0;
    while (done < pending.size()) {
      ssize_t n = ::write(fd, pending.data() + done, pending.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_errno = errno;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    pending.clear();
    return true;
  }
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t total = size * count;
  t->pending.append(data, total);
  if (t->pending.size() >= kWriteChunk && !t->flush()) return 0;  // CURLE_WRITE_ERROR
  return total;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  std::uint64_t total = dltotal > 0 ? t->resume_from + static_cast<std::uint64_t>(dltotal) : 0;
  t->req->on_progress(t->resume_from + static_cast<std::uint64_t>(dlnow), total);
  return 0;
}

bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

class CurlFetcher : public Fetcher {
 public:
  CurlFetcher() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  FetchResult fetch(const FetchRequest& req) override {
    FetchResult result = attempt(req, req.resume_from);
    if (!result.ok && req.resume_from > 0 && m_last_code == CURLE_RANGE_ERROR) {
      result = attempt(req, 0);  // the server cannot resume: download it whole
    }
    return result;
  }

 private:
  FetchResult attempt(const FetchRequest& req, std::uint64_t resume_from) {
    FetchResult result;
    m_last_code = CURLE_OK;
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (resume_from > 0 ? 0 : O_TRUNC);
    int fd = ::open(req.dest_host_path.c_str(), flags, 0644);
    if (fd < 0) {
      result.error = req.url + ": cannot open " + req.dest_host_path + ": " + std::strerror(errno);
      return result;
    }
    struct stat st {};
    if (resume_from > 0 && (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < resume_from ||
                            ::ftruncate(fd, static_cast<off_t>(resume_from)) != 0 ||
                            ::lseek(fd, 0, SEEK_END) < 0)) {
      ::close(fd);
      result.error = req.url + ": cannot resume " + req.dest_host_path + " at byte " +
                     std::to_string(resume_from);
      return result;
    }

    Transfer t{fd, 0, resume_from, &req, {}};
    t.pending.reserve(kWriteChunk + CURL_MAX_WRITE_SIZE);
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      ::close(fd);
      result.error = req.url + ": cannot initialise libcurl";
      return result;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    std::string agent = std::string("aiprov/") + kVersion;
    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    // The system's trust store by default; CURL_CA_BUNDLE names another bundle, as for the curl
    // command line (a mirror with a private CA). Certificates are checked either way.
    if (const char* bundle = std::getenv("CURL_CA_BUNDLE"); bundle != nullptr && *bundle != '\0')
      curl_easy_setopt(curl, CURLOPT_CAINFO, bundle);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(req.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stall_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(resume_from));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    if (req.on_progress) {
      curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    }
    CURLcode code = curl_easy_perform(curl);
    m_last_code = code;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.http_status);
    curl_easy_cleanup(curl);
    // What arrived before an error is kept too: the next attempt resumes after it.
    if (!t.flush() && code == CURLE_OK) code = CURLE_WRITE_ERROR;

    if (::fstat(fd, &st) == 0) result.bytes = static_cast<std::uint64_t>(st.st_size);
    ::close(fd);

    if (code == CURLE_OK) {
      result.ok = true;
    } else if (code == CURLE_HTTP_RETURNED_ERROR) {
      result.error = req.url + ": HTTP " + std::to_string(result.http_status);
      result.transient = result.http_status >= 500 || result.http_status == 408 || result.http_status == 429;
    } else if (code == CURLE_WRITE_ERROR && t.write_errno != 0) {
      result.error = req.url + ": cannot write " + req.dest_host_path + ": " + std::strerror(t.write_errno);
    } else {
      result.error = req.url + ": " + (errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code));
      result.transient = is_transient(code);
    }
    return result;
  }

  CURLcode m_last_code = CURLE_OK;
};

}  // namespace

std::unique_ptr<Fetcher> make_curl_fetcher() { return std::make_unique<CurlFetcher>(); }

}  // namespace aiprov
