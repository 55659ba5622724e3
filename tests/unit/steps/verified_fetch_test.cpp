// The reusable verified fetch: retries and backoff, resume, digests, the cache, installation on the
// local disk, progress reporting; and one run against a loopback HTTP server with the real
// CurlFetcher whose first response is cut mid-body.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/loopback_http.hpp"
#include "fakes/fake_host.hpp"
#include "host/real.hpp"
#include "steps/progress_bar.hpp"
#include "steps/sha256.hpp"
#include "steps/verified_fetch.hpp"

namespace aiprov::testing {
namespace {

using steps::ProgressBar;
using steps::RetryPolicy;
using steps::VerifiedFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

const std::string kUrl = "https://vendor.example/files/blob.bin";

std::string digest(const std::string& data) {
  steps::Sha256 sha;
  sha.update(data);
  return sha.hex();
}

std::string random_body(std::size_t size, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t word = gen();
    std::memcpy(s.data() + i, &word, std::min<std::size_t>(8, size - i));
  }
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A FakeFetcher that can cut a transfer: the next `times` fetches of a URL deliver `bytes` more bytes
/// of its body (appended from resume_from) and then fail as a broken connection. Records resume_from.
class CuttingFetcher : public FakeFetcher {
 public:
  explicit CuttingFetcher(VirtualFileSystem* vfs = nullptr) : FakeFetcher(vfs), m_vfs(vfs) {}

  void cut(const std::string& url, std::string body, int times, std::size_t bytes) {
    serve(url, body);
    m_cuts[url] = Cut{std::move(body), times, bytes};
  }

  FetchResult fetch(const FetchRequest& req) override {
    m_resumes.push_back(req.resume_from);
    auto it = m_cuts.find(req.url);
    if (it == m_cuts.end() || it->second.times == 0) return FakeFetcher::fetch(req);
    --it->second.times;
    std::string chunk = it->second.body.substr(req.resume_from, it->second.bytes);
    const std::string prefix = "/virtual/";
    if (m_vfs && req.dest_host_path.rfind(prefix, 0) == 0) {
      std::string logical = req.dest_host_path.substr(prefix.size() - 1);
      std::string old = req.resume_from > 0 ? m_vfs->read(logical).value_or("") : "";
      m_vfs->put(logical, old.substr(0, req.resume_from) + chunk);
    } else {
      std::ofstream(req.dest_host_path, std::ios::binary | (req.resume_from > 0 ? std::ios::app : std::ios::trunc))
          << chunk;
    }
    FetchResult r;
    r.http_status = req.resume_from > 0 ? 206 : 200;
    r.transient = true;
    r.error = req.url + ": transfer closed with outstanding read data remaining";
    return r;
  }

  const std::vector<std::uint64_t>& resumes() const { return m_resumes; }

 private:
  struct Cut {
    std::string body;
    int times = 0;
    std::size_t bytes = 0;
  };
  VirtualFileSystem* m_vfs;
  std::map<std::string, Cut> m_cuts;
  std::vector<std::uint64_t> m_resumes;
};

/// The fakes, with a cutting fetcher in place of the plain one and a recorded backoff.
struct Rig {
  FakeHost fake;
  CuttingFetcher fetch{&fake.fs};
  Host host{fake.fs, fake.proc, fetch};
  Context ctx{host, fake.facts, "/var/lib/aiprov/backups/run1", {}, {}};
  std::vector<milliseconds> sleeps;
  RetryPolicy retry{5, milliseconds(1000), [this](milliseconds d) { sleeps.push_back(d); }};
};

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StepError& e) {
    return e.what();
  }
  return "";
}

TEST(VerifiedFetch, TransientFailuresAreRetriedWithDoublingDelays) {
  Rig rig;
  rig.fetch.fail(kUrl, kUrl + ": Connection timed out", /*transient=*/true);
  std::string err = error_of([&] { steps::fetch_to_cache(rig.ctx, "x", kUrl, digest("b"), rig.retry); });
  EXPECT_EQ(err, "step 'x': download of " + kUrl + " failed: " + kUrl +
                     ": Connection timed out (gave up after 5 attempts)");
  EXPECT_EQ(rig.fetch.requests().size(), 5u);
  EXPECT_THAT(rig.sleeps, ElementsAre(milliseconds(1000), milliseconds(2000), milliseconds(4000), milliseconds(8000)));
}

TEST(VerifiedFetch, NonTransientFailureIsNotRetried) {
  Rig rig;
  std::string err = error_of([&] { steps::fetch_to_cache(rig.ctx, "x", kUrl, digest("b"), rig.retry); });
  EXPECT_EQ(err, "step 'x': download of " + kUrl + " failed: " + kUrl + ": HTTP 404");
  EXPECT_EQ(rig.fetch.requests().size(), 1u);
  EXPECT_TRUE(rig.sleeps.empty());
}

TEST(VerifiedFetch, ACutTransferResumesFromThePartialFile) {
  Rig rig;
  std::string body = random_body(1000, 1);
  rig.fetch.cut(kUrl, body, 2, 300);
  std::string cache = steps::fetch_to_cache(rig.ctx, "x", kUrl, digest(body), rig.retry);
  EXPECT_EQ(cache, "/var/cache/aiprov/downloads/" + digest(body));
  EXPECT_EQ(rig.fake.fs.read(cache), body);
  EXPECT_FALSE(rig.fake.fs.exists(cache + ".part"));
  EXPECT_THAT(rig.fetch.resumes(), ElementsAre(0u, 300u, 600u));
  EXPECT_THAT(rig.sleeps, ElementsAre(milliseconds(1000), milliseconds(2000)));
  EXPECT_EQ(rig.fake.fs.stat("/var/cache/aiprov/downloads")->mode, 0700u);
}

TEST(VerifiedFetch, ABodyWithTheWrongDigestIsDeletedAndNamed) {
  Rig rig;
  rig.fetch.serve(kUrl, "tampered");
  std::string want = digest("original");
  std::string err = error_of([&] { steps::fetch_to_cache(rig.ctx, "x", kUrl, want, rig.retry); });
  EXPECT_EQ(err, "step 'x': download of " + kUrl + " failed: checksum mismatch: expected sha256 " + want +
                     ", got " + digest("tampered") + " (the download was deleted)");
  EXPECT_FALSE(rig.fake.fs.exists(steps::download_cache_path(want)));
  EXPECT_FALSE(rig.fake.fs.exists(steps::download_cache_path(want) + ".part"));
  // The next run starts from scratch instead of resuming the bad body.
  rig.fetch.serve(kUrl, "original");
  steps::fetch_to_cache(rig.ctx, "x", kUrl, want, rig.retry);
  EXPECT_THAT(rig.fetch.resumes(), ElementsAre(0u, 0u));
}

TEST(VerifiedFetch, AResumedBodyThatDoesNotMatchIsFetchedAgainWhole) {
  // A .part torn by a crash: the right length so far, the wrong bytes (never written back).
  Rig rig;
  std::string body = random_body(1000, 3);
  std::string want = digest(body);
  rig.fake.fs.add_file(steps::download_cache_path(want) + ".part", std::string(400, '\0'));
  rig.fetch.serve(kUrl, body);
  std::string cache = steps::fetch_to_cache(rig.ctx, "x", kUrl, want, rig.retry);
  EXPECT_EQ(rig.fake.fs.read(cache), body);
  EXPECT_THAT(rig.fetch.resumes(), ElementsAre(400u, 0u));
  EXPECT_FALSE(rig.fake.fs.exists(cache + ".part"));
}

TEST(VerifiedFetch, AResumedBodyIsFetchedAgainOnlyOnce) {
  Rig rig;
  std::string want = digest("original");
  rig.fake.fs.add_file(steps::download_cache_path(want) + ".part", "orig");
  rig.fetch.serve(kUrl, "tampered!");
  std::string err = error_of([&] { steps::fetch_to_cache(rig.ctx, "x", kUrl, want, rig.retry); });
  EXPECT_EQ(err, "step 'x': download of " + kUrl + " failed: checksum mismatch: expected sha256 " + want +
                     ", got " + digest("tampered!") + " (the download was deleted)");
  EXPECT_THAT(rig.fetch.resumes(), ElementsAre(4u, 0u));
  EXPECT_FALSE(rig.fake.fs.exists(steps::download_cache_path(want) + ".part"));
}

TEST(VerifiedFetch, ADamagedCacheEntryIsFetchedAgain) {
  Rig rig;
  std::string want = digest("good");
  rig.fake.fs.add_file(steps::download_cache_path(want), "rotten");
  rig.fetch.serve(kUrl, "good");
  steps::fetch_to_cache(rig.ctx, "x", kUrl, want, rig.retry);
  EXPECT_EQ(rig.fake.fs.read(steps::download_cache_path(want)), "good");
  EXPECT_EQ(rig.fetch.requests().size(), 1u);
}

TEST(VerifiedFetch, UnsatisfiableRangeStartsOver) {
  Rig rig;
  std::string want = digest("good");
  rig.fake.fs.add_file(steps::download_cache_path(want) + ".part", "longer than the body");
  struct RangeRefuser : CuttingFetcher {
    using CuttingFetcher::CuttingFetcher;
    FetchResult fetch(const FetchRequest& req) override {
      if (req.resume_from == 0) return CuttingFetcher::fetch(req);
      FetchResult r;
      r.http_status = 416;
      r.error = req.url + ": HTTP 416";
      return r;
    }
  } fetcher(&rig.fake.fs);
  fetcher.serve(kUrl, "good");
  Host host{rig.fake.fs, rig.fake.proc, fetcher};
  Context ctx{host, rig.fake.facts, "", {}, {}};
  steps::fetch_to_cache(ctx, "x", kUrl, want, rig.retry);
  EXPECT_EQ(rig.fake.fs.read(steps::download_cache_path(want)), "good");
  EXPECT_TRUE(rig.sleeps.empty());
}

// --- on the local disk ------------------------------------------------------------------------------

class DiskRoot : public ::testing::Test {
 protected:
  DiskRoot() {
    char tmpl[] = "/tmp/aiprov-vfetch-XXXXXX";
    m_root = ::mkdtemp(tmpl);
    m_fs = make_real_filesystem(m_root);
  }
  ~DiskRoot() override { std::filesystem::remove_all(m_root); }

  Context context(Fetcher& fetcher) {
    m_host = std::make_unique<Host>(Host{*m_fs, m_proc, fetcher});
    return Context{*m_host, m_facts, "/var/lib/aiprov/backups/run1", {}, {}};
  }

  std::string m_root;
  std::unique_ptr<FileSystem> m_fs;
  FakeProcessRunner m_proc;
  nlohmann::json m_facts = nlohmann::json::object();
  std::unique_ptr<Host> m_host;
  std::vector<milliseconds> m_sleeps;
  RetryPolicy m_retry{5, milliseconds(1000), [this](milliseconds d) { m_sleeps.push_back(d); }};
};

TEST_F(DiskRoot, InstallsAVerifiedFileWithModeAndKeepsABackup) {
  std::string body = random_body(3 << 20, 2);
  CuttingFetcher fetcher;
  fetcher.cut(kUrl, body, 1, 1 << 20);
  Context ctx = context(fetcher);
  std::filesystem::create_directories(m_root + "/opt/tools");
  std::ofstream(m_root + "/opt/tools/blob.bin") << "old version";
  VerifiedFile file{kUrl, "/opt/tools/blob.bin", digest(body), {}};
  file.own.mode = 0750;

  StepPlan plan = steps::plan_verified_file(ctx, "x", file);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "checksum differs");
  steps::apply_verified_file(ctx, "x", file, m_retry);

  EXPECT_EQ(slurp(m_root + "/opt/tools/blob.bin"), body);
  EXPECT_EQ(slurp(m_root + "/var/cache/aiprov/downloads/" + digest(body)), body);
  EXPECT_FALSE(std::filesystem::exists(m_root + "/var/cache/aiprov/downloads/" + digest(body) + ".part"));
  EXPECT_EQ(slurp(m_root + "/var/lib/aiprov/backups/run1/opt/tools/blob.bin"), "old version");
  EXPECT_EQ(m_fs->stat("/opt/tools/blob.bin")->mode, 0750u);
  EXPECT_THAT(fetcher.resumes(), ElementsAre(0u, 1u << 20));
  for (const auto& name : m_fs->list_dir("/opt/tools")) EXPECT_EQ(name, "blob.bin");  // no temporary left
  EXPECT_TRUE(steps::plan_verified_file(ctx, "x", file).converged());

  // Dest and its cache entry share one inode: no copy of a big body, stored once.
  struct stat d {}, c {};
  ::stat((m_root + "/opt/tools/blob.bin").c_str(), &d);
  ::stat((m_root + "/var/cache/aiprov/downloads/" + digest(body)).c_str(), &c);
  EXPECT_EQ(d.st_ino, c.st_ino);

  // Deleted: restored from the cache without fetching.
  std::filesystem::remove(m_root + "/opt/tools/blob.bin");
  plan = steps::plan_verified_file(ctx, "x", file);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "absent; cached: copy from /var/cache/aiprov/downloads/" + digest(body));
  steps::apply_verified_file(ctx, "x", file, m_retry);
  EXPECT_EQ(slurp(m_root + "/opt/tools/blob.bin"), body);
  EXPECT_EQ(fetcher.resumes().size(), 2u);

  // Edited in place (same size, new mtime/ctime): the remembered digest no longer applies, and the
  // cache entry that shared the inode is found damaged and fetched again.
  std::string other = body;
  other[0] = static_cast<char>(other[0] ^ 1);
  std::ofstream(m_root + "/opt/tools/blob.bin", std::ios::binary | std::ios::in | std::ios::out) << other;
  plan = steps::plan_verified_file(ctx, "x", file);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "checksum differs");
  steps::apply_verified_file(ctx, "x", file, m_retry);
  EXPECT_EQ(slurp(m_root + "/opt/tools/blob.bin"), body);
  EXPECT_EQ(slurp(m_root + "/var/lib/aiprov/backups/run1/opt/tools/blob.bin"), other);
  EXPECT_EQ(fetcher.resumes().size(), 3u);
  EXPECT_TRUE(steps::plan_verified_file(ctx, "x", file).converged());
}

TEST_F(DiskRoot, TwoDestsWithOneDigestDoNotShareAnInode) {
  CuttingFetcher fetcher;
  fetcher.serve(kUrl, "shared body");
  Context ctx = context(fetcher);
  VerifiedFile a{kUrl, "/opt/a.bin", digest("shared body"), {}};
  VerifiedFile b{kUrl, "/opt/b.bin", digest("shared body"), {}};
  a.own.mode = 0755;
  b.own.mode = 0600;
  steps::apply_verified_file(ctx, "a", a, m_retry);
  steps::apply_verified_file(ctx, "b", b, m_retry);
  EXPECT_EQ(fetcher.resumes().size(), 1u);  // b came from the cache
  EXPECT_TRUE(steps::plan_verified_file(ctx, "a", a).converged());
  EXPECT_TRUE(steps::plan_verified_file(ctx, "b", b).converged());
  EXPECT_EQ(slurp(m_root + "/opt/b.bin"), "shared body");
}

TEST_F(DiskRoot, ACorruptBodyNeverReachesDest) {
  CuttingFetcher fetcher;
  fetcher.serve(kUrl, "evil");
  Context ctx = context(fetcher);
  VerifiedFile file{kUrl, "/opt/blob.bin", digest("good"), {}};
  EXPECT_THAT(error_of([&] { steps::apply_verified_file(ctx, "x", file, m_retry); }), HasSubstr("checksum mismatch"));
  EXPECT_FALSE(std::filesystem::exists(m_root + "/opt/blob.bin"));
  EXPECT_TRUE(m_fs->list_dir("/var/cache/aiprov/downloads").empty());
}

/// Serves /big with Range support; the first response announces the whole body but the connection is
/// closed after `cut_at` bytes.
class CuttingServer {
 public:
  CuttingServer(std::string body, std::size_t cut_at)
      : m_body(std::move(body)), m_cut_at(cut_at), m_http([this](const std::string& req, std::size_t index) {
          return LoopbackHttpServer::body_response(m_body, LoopbackHttpServer::range_start(req),
                                                   index == 0 ? m_cut_at : std::string::npos);
        }) {}
  std::string url() const { return m_http.url("/big"); }
  std::vector<std::string> requests() { return m_http.requests(); }

 private:
  std::string m_body;
  std::size_t m_cut_at;
  LoopbackHttpServer m_http;
};

TEST_F(DiskRoot, CurlResumesAConnectionCutMidBody) {
  std::string body = random_body(5 << 20, 3);
  CuttingServer server(body, 2 << 20);
  auto curl = make_curl_fetcher();
  Context ctx = context(*curl);
  VerifiedFile file{server.url(), "/srv/big.bin", digest(body), {}};
  steps::apply_verified_file(ctx, "x", file, m_retry);
  EXPECT_EQ(slurp(m_root + "/srv/big.bin"), body);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[1], HasSubstr("Range: bytes=" + std::to_string(2 << 20) + "-"));
  EXPECT_THAT(m_sleeps, ElementsAre(milliseconds(1000)));
  EXPECT_TRUE(steps::plan_verified_file(ctx, "x", file).converged());
}

TEST_F(DiskRoot, FollowingDigestHashesAFileWhileItGrows) {
  std::string path = m_root + "/growing";
  std::string body = random_body(4 << 20, 4);
  steps::FollowingDigest follow(path);
  {
    std::ofstream out(path, std::ios::binary);
    for (std::size_t at = 0; at < body.size(); at += 64 << 10) {
      out.write(body.data() + at, 64 << 10);
      out.flush();
    }
  }
  EXPECT_EQ(follow.finish(body.size()), digest(body));
}

TEST_F(DiskRoot, FollowingDigestRefusesAFileThatWasReplacedOrIsShort) {
  std::string path = m_root + "/replaced";
  std::ofstream(path) << "first";
  steps::FollowingDigest follow(path);
  std::this_thread::sleep_for(milliseconds(20));  // usually lets it read "first" (not required)
  std::filesystem::remove(path);
  std::ofstream(path) << "other";
  // Whatever it managed to read, it never vouches for content the file does not hold.
  auto got = follow.finish(5);
  EXPECT_TRUE(!got || *got == digest("other")) << *got;

  std::ofstream(path) << "short";
  steps::FollowingDigest short_one(path);
  EXPECT_EQ(short_one.finish(6), std::nullopt);
}

// --- progress -----------------------------------------------------------------------------------------

TEST(Progress, FormatsBytesAndDurations) {
  struct Case {
    std::uint64_t bytes;
    const char* text;
  } cases[] = {{0, "0 B"}, {1023, "1023 B"}, {1536, "1.5 KiB"}, {200ull << 20, "200.0 MiB"}, {1ull << 30, "1.00 GiB"}};
  for (const auto& c : cases) EXPECT_EQ(steps::format_bytes(c.bytes), c.text) << c.bytes;
  EXPECT_EQ(steps::format_duration(std::chrono::seconds(7)), "0:07");
  EXPECT_EQ(steps::format_duration(std::chrono::seconds(754)), "12:34");
  EXPECT_EQ(steps::format_duration(std::chrono::seconds(3723)), "1:02:03");
}

TEST(Progress, PlainLinesEveryTenPercentOrFiveSeconds) {
  std::vector<std::string> lines;
  ProgressBar bar("download u", false, [&](const std::string& l) { lines.push_back(l); });
  auto t0 = ProgressBar::Clock::time_point{};
  const std::uint64_t total = 100ull << 20;
  for (int ms = 0; ms <= 1000; ms += 10)  // 0..100% in one second, updated every 10 ms
    bar.update(total * static_cast<std::uint64_t>(ms) / 1000, total, t0 + milliseconds(ms));
  EXPECT_EQ(lines.size(), 10u);  // at 10%, 20%, ... 100%
  EXPECT_EQ(lines[4], "download u: 50.0 MiB of 100.0 MiB (50%), 100.0 MiB/s, 0:00 left");
  lines.clear();
  ProgressBar slow("download u", false, [&](const std::string& l) { lines.push_back(l); });
  for (int s = 0; s <= 12; ++s) slow.update(static_cast<std::uint64_t>(s) << 20, 0, t0 + std::chrono::seconds(s));
  EXPECT_EQ(lines.size(), 2u);  // unknown total: at 5 s and 10 s
  EXPECT_EQ(lines[0], "download u: 5.0 MiB, 1.0 MiB/s");
}

TEST(Progress, TerminalBarIsRedrawnAtMostTenTimesASecond) {
  std::FILE* tty = std::tmpfile();
  ProgressBar bar("dl", true, nullptr, tty);
  auto t0 = ProgressBar::Clock::time_point{};
  for (int ms = 0; ms < 1000; ms += 1) bar.update(static_cast<std::uint64_t>(ms + 1) * 1000, 1000000, t0 + milliseconds(ms));
  bar.finish(false, t0 + milliseconds(1000));
  std::rewind(tty);
  std::string out;
  for (int c; (c = std::fgetc(tty)) != EOF;) out += static_cast<char>(c);
  std::fclose(tty);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 11);  // ten in the second, one final
  EXPECT_THAT(out, HasSubstr("[##############################] dl: 976.6 KiB of 976.6 KiB (100%)"));
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace aiprov::testing
