// Step type `download` on the fakes: schema, plan reasons, convergence, the cache, an interrupted
// earlier run, refused bodies, clear errors and the unverified mode.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steps/sha256.hpp"
#include "steps/verified_fetch.hpp"
#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kUrl = "https://vendor.example/cuda/cuda_12.4.1_550.54.15_linux.run";
const std::string kBody = "#!/bin/sh\necho installing the CUDA toolkit\n";

std::string digest(const std::string& data) {
  steps::Sha256 sha;
  sha.update(data);
  return sha.hex();
}

std::string cache_of(const std::string& body) { return "/var/cache/aiprov/downloads/" + digest(body); }

std::unique_ptr<Step> download(const std::string& extra = "", const std::string& sha = digest(kBody)) {
  return make_step(steps::download_type(),
                   "url: " + kUrl + "\ndest: /opt/installers/cuda.run\nsha256: " + sha + "\n" + extra);
}

/// Records the resume offset of every request.
class RecordingFetcher : public FakeFetcher {
 public:
  using FakeFetcher::FakeFetcher;
  FetchResult fetch(const FetchRequest& req) override {
    resumes.push_back(req.resume_from);
    return FakeFetcher::fetch(req);
  }
  std::vector<std::uint64_t> resumes;
};

class DownloadStep : public ::testing::Test {
 protected:
  DownloadStep() { m_fetch.serve(kUrl, kBody); }
  Context context() { return Context{m_host, m_fake.facts, "/var/lib/aiprov/backups/run1", {}, {}}; }
  StepPlan plan(Step& step) {
    Context ctx = context();
    return step.plan(ctx);
  }
  void apply(Step& step) {
    Context ctx = context();
    step.apply(ctx, step.plan(ctx));
  }

  FakeHost m_fake;
  RecordingFetcher m_fetch{&m_fake.fs};
  Host m_host{m_fake.fs, m_fake.proc, m_fetch};
};

TEST(DownloadSchema, RejectsBadFields) {
  const auto type = steps::download_type();
  struct Case {
    std::string yaml;
    std::string error;
  } cases[] = {
      {"url: https://h/x\ndest: /x\nsha256: abc\n", "step 'x': sha256 must be 64 hex digits or 'none', found 'abc'"},
      {"url: https://h/x\ndest: /x\nsha256: " + std::string(63, 'a') + "g\n", "sha256 must be 64 hex digits"},
      {"url: https://h/x\ndest: opt/x\nsha256: none\n", "step 'x': dest must be an absolute file path, found 'opt/x'"},
      {"url: https://h/x\ndest: /opt/\nsha256: none\n", "dest must be an absolute file path"},
      {"url: h/x\ndest: /x\nsha256: none\n", "step 'x': url must be absolute (scheme://host/path), found 'h/x'"},
  };
  for (const auto& c : cases) EXPECT_THAT(build_error(type, c.yaml), HasSubstr(c.error)) << c.yaml;
  EXPECT_EQ(build_error(type, "url: https://h/x\ndest: /x\nsha256: " + std::string(64, 'A') + "\n"), "");
}

TEST_F(DownloadStep, AbsentFileIsDownloadedThenConverged) {
  auto step = download("mode: \"0755\"\n");
  StepPlan p = plan(*step);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Change::Action::Create);
  EXPECT_EQ(p.changes[0].target, "download " + kUrl + " -> /opt/installers/cuda.run");
  EXPECT_EQ(p.changes[0].reason, "absent");
  EXPECT_THAT(p.changes[0].provides, ElementsAre("path:/opt/installers/cuda.run"));
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_TRUE(m_fake.fs.log().empty());  // planning changes nothing

  apply(*step);
  EXPECT_EQ(m_fake.fs.read("/opt/installers/cuda.run"), kBody);
  EXPECT_EQ(m_fake.fs.stat("/opt/installers/cuda.run")->mode, 0755u);
  EXPECT_EQ(m_fake.fs.read(cache_of(kBody)), kBody);
  EXPECT_FALSE(m_fake.fs.exists(cache_of(kBody) + ".part"));
  EXPECT_TRUE(plan(*step).converged());
  EXPECT_EQ(m_fetch.requests().size(), 1u);
}

TEST_F(DownloadStep, ConvergedWhenDigestAndModeMatch) {
  m_fake.fs.add_file("/opt/installers/cuda.run", kBody, 0755);
  auto step = download("mode: \"0755\"\n");
  EXPECT_TRUE(plan(*step).converged());
  apply(*step);
  EXPECT_TRUE(m_fetch.requests().empty());
  EXPECT_TRUE(m_fake.fs.log().empty());
}

TEST_F(DownloadStep, WrongModeIsFixedWithoutFetching) {
  m_fake.fs.add_file("/opt/installers/cuda.run", kBody, 0644);
  auto step = download("mode: \"0755\"\n");
  StepPlan p = plan(*step);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].target, "/opt/installers/cuda.run");
  EXPECT_EQ(p.changes[0].reason, "mode 0644 -> 0755");
  apply(*step);
  EXPECT_THAT(m_fake.fs.log(), ElementsAre("chmod /opt/installers/cuda.run 0755"));
  EXPECT_TRUE(m_fetch.requests().empty());
}

TEST_F(DownloadStep, DifferentContentIsReplacedAndBackedUp) {
  m_fake.fs.add_file("/opt/installers/cuda.run", "an older installer", 0700, 1000, 1000);
  auto step = download();
  StepPlan p = plan(*step);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Change::Action::Update);
  EXPECT_EQ(p.changes[0].reason, "checksum differs");
  apply(*step);
  EXPECT_EQ(m_fake.fs.read("/opt/installers/cuda.run"), kBody);
  auto st = m_fake.fs.stat("/opt/installers/cuda.run");
  EXPECT_EQ(st->mode, 0700u);  // kept: the step does not ask for a mode
  EXPECT_EQ(st->uid, 1000u);
  EXPECT_EQ(m_fake.fs.read("/var/lib/aiprov/backups/run1/opt/installers/cuda.run"), "an older installer");
}

TEST_F(DownloadStep, DeletedDestIsRestoredFromTheCacheWithoutFetching) {
  auto step = download();
  apply(*step);
  m_fake.fs.remove("/opt/installers/cuda.run");
  StepPlan p = plan(*step);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].reason, "absent; cached: copy from " + cache_of(kBody));
  apply(*step);
  EXPECT_EQ(m_fake.fs.read("/opt/installers/cuda.run"), kBody);
  EXPECT_EQ(m_fetch.requests().size(), 1u);  // only the first run fetched
}

TEST_F(DownloadStep, AnInterruptedEarlierRunIsResumed) {
  m_fake.fs.add_file(cache_of(kBody) + ".part", kBody.substr(0, 10));
  auto step = download();
  apply(*step);
  EXPECT_THAT(m_fetch.resumes, ElementsAre(10u));
  EXPECT_EQ(m_fake.fs.read("/opt/installers/cuda.run"), kBody);
}

TEST_F(DownloadStep, CorruptedBodyLeavesNoDestAndNoPart) {
  m_fetch.serve(kUrl, "#!/bin/sh\nrm -rf --no-preserve-root /\n");
  auto step = download();
  std::string err = step_error([&] { apply(*step); });
  EXPECT_EQ(err, "step 'x': download of " + kUrl + " failed: checksum mismatch: expected sha256 " + digest(kBody) +
                     ", got " + digest("#!/bin/sh\nrm -rf --no-preserve-root /\n") + " (the download was deleted)");
  EXPECT_FALSE(m_fake.fs.exists("/opt/installers/cuda.run"));
  EXPECT_FALSE(m_fake.fs.exists(cache_of(kBody)));
  EXPECT_FALSE(m_fake.fs.exists(cache_of(kBody) + ".part"));
}

TEST_F(DownloadStep, NotFoundIsAClearErrorAtOnce) {
  auto step = make_step(steps::download_type(),
                        "url: https://vendor.example/gone.run\ndest: /opt/gone.run\nsha256: " + digest("x") + "\n");
  EXPECT_EQ(step_error([&] { apply(*step); }),
            "step 'x': download of https://vendor.example/gone.run failed: https://vendor.example/gone.run: HTTP 404");
  EXPECT_EQ(m_fetch.requests().size(), 1u);
  EXPECT_FALSE(m_fake.fs.exists("/opt/gone.run"));
}

TEST_F(DownloadStep, UnverifiedDownloadWarnsAndTrustsAnExistingFile) {
  auto step = download("", "none");
  StepPlan p = plan(*step);
  EXPECT_THAT(p.warnings, ElementsAre("unverified download: " + kUrl));
  ASSERT_EQ(p.changes.size(), 1u);
  apply(*step);
  EXPECT_EQ(m_fake.fs.read("/opt/installers/cuda.run"), kBody);
  EXPECT_TRUE(m_fake.fs.list_dir("/var/cache/aiprov/downloads").empty());  // nothing cached, no .part left

  m_fake.fs.put("/opt/installers/cuda.run", "anything at all");
  p = plan(*step);
  EXPECT_TRUE(p.converged());
  EXPECT_THAT(p.warnings, ElementsAre("unverified download: " + kUrl));
}

TEST_F(DownloadStep, OwnerMustExist) {
  auto step = download("owner: nobody-here\n");
  EXPECT_EQ(step_error([&] { plan(*step); }), "step 'x': owner 'nobody-here' does not exist");
}

TEST_F(DownloadStep, ADirectoryAtDestIsAnError) {
  m_fake.fs.add_dir("/opt/installers/cuda.run");
  auto step = download();
  EXPECT_EQ(step_error([&] { plan(*step); }), "step 'x': /opt/installers/cuda.run exists and is not a regular file");
}

}  // namespace
}  // namespace aiprov::testing
