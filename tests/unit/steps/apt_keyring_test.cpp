#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "unit/steps/gpg_keys.hpp"
#include "unit/steps/step_fixture.hpp"

namespace aiprov::steps {
namespace {

using testing::apply_and_expect_converged;
using testing::build_error;
using testing::FakeHost;
using testing::gpg_keys;
using testing::make_step;
using testing::step_error;

constexpr const char* kDest = "/usr/share/keyrings/test-keyring.gpg";
constexpr const char* kUrl = "https://example.invalid/keys/test.pub";

/// A recipe directory on the control machine holding the test keys as files.
class AptKeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("aiprov-keyring-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
    write("a.asc", gpg_keys().armored_a);
    write("a.gpg", gpg_keys().binary_a);
    write("both.asc", gpg_keys().armored_both);
    host.fs.add_dir("/usr/share/keyrings");
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void write(const std::string& name, const std::string& data) { std::ofstream(m_dir / name, std::ios::binary) << data; }

  std::unique_ptr<Step> step(const std::string& fields) {
    return make_step(apt_keyring_type(), "dest: " + std::string(kDest) + "\n" + fields, (m_dir / "recipe.yaml").string());
  }

  std::filesystem::path m_dir;
  FakeHost host;
};

TEST_F(AptKeyringTest, ArmouredSourceIsStoredBinaryAndConverges) {
  auto s = step("source: a.asc\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Create);
  EXPECT_EQ(c.target, kDest);
  EXPECT_EQ(c.detail.substr(0, c.detail.find('\n')), "keyring with keys " + gpg_keys().a.primary);
  EXPECT_NE(c.detail.find("  sub " + gpg_keys().a.subkeys.at(0)), std::string::npos);
  EXPECT_EQ(c.provides, std::vector<std::string>{std::string("path:") + kDest});
  EXPECT_TRUE(host.fs.log().empty());

  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.log(), std::vector<std::string>{std::string("write ") + kDest});
  EXPECT_EQ(host.fs.read(kDest), gpg_keys().binary_a);
  EXPECT_EQ(host.fs.stat(kDest)->mode, 0644u);
}

TEST_F(AptKeyringTest, FingerprintsWithSpacesAndLowerCaseAreAccepted) {
  std::string spaced;
  for (std::size_t i = 0; i < gpg_keys().a.primary.size(); ++i)
    spaced += std::string(i && i % 4 == 0 ? " " : "") + static_cast<char>(std::tolower(gpg_keys().a.primary[i]));
  auto s = step("source: a.gpg\nfingerprint: [\"" + spaced + "\"]\n");
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.read(kDest), gpg_keys().binary_a);
}

TEST_F(AptKeyringTest, WrongFingerprintIsRefusedAndNothingIsWritten) {
  const std::string wrong = "EB693B3035CD5710E231E123A4B469963BF863CC";
  auto s = step("source: a.asc\nfingerprint: [\"" + wrong + "\"]\n");
  Context ctx = host.context("/var/lib/aiprov/backups/run1");
  std::string expected = "step 'x': key fingerprint mismatch: expected " + wrong + ", found " + gpg_keys().a.primary;
  EXPECT_EQ(step_error([&] { s->plan(ctx); }).substr(0, expected.size()), expected);
  EXPECT_EQ(step_error([&] { s->apply(ctx, StepPlan{{Change{}}, {}, {}}); }).substr(0, expected.size()), expected);
  EXPECT_TRUE(host.fs.log().empty());
  EXPECT_FALSE(host.fs.exists(kDest));
}

TEST_F(AptKeyringTest, EveryPrimaryKeyMustBeListed) {
  auto s = step("source: both.asc\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  EXPECT_NE(step_error([&] { s->plan(ctx); }).find("key fingerprint mismatch"), std::string::npos);
  auto both = step("source: both.asc\nfingerprint: [\"" + gpg_keys().b.primary + "\", \"" + gpg_keys().a.primary + "\"]\n");
  apply_and_expect_converged(*both, host);
  EXPECT_EQ(host.fs.read(kDest), gpg_keys().binary_both);
}

TEST_F(AptKeyringTest, ASubkeyFingerprintIsExplained) {
  auto s = step("source: a.asc\nfingerprint: [\"" + gpg_keys().a.subkeys.at(0) + "\"]\n");
  Context ctx = host.context();
  EXPECT_NE(step_error([&] { s->plan(ctx); }).find(gpg_keys().a.subkeys.at(0) + " is a subkey of " + gpg_keys().a.primary),
            std::string::npos);
}

TEST_F(AptKeyringTest, CorruptedArmourIsRefused) {
  std::string bad = gpg_keys().armored_a;
  std::size_t eq = bad.find("\n=");
  bad[eq + 2] = bad[eq + 2] == 'A' ? 'B' : 'A';
  write("bad.asc", bad);
  auto s = step("source: bad.asc\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  std::string err = step_error([&] { s->plan(ctx); });
  EXPECT_NE(err.find("bad.asc: armour checksum mismatch"), std::string::npos) << err;
  EXPECT_TRUE(host.fs.log().empty());
}

TEST_F(AptKeyringTest, ExistingKeyringWithOtherContentIsUpdated) {
  host.fs.add_file(kDest, gpg_keys().binary_both);
  auto s = step("source: a.asc\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Update);
  EXPECT_NE(plan.changes[0].reason.find("content differs"), std::string::npos);
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.read(kDest), gpg_keys().binary_a);
  EXPECT_EQ(host.fs.read(std::string("/var/lib/aiprov/backups/run1") + kDest), gpg_keys().binary_both);
}

TEST_F(AptKeyringTest, WrongModeIsFixedWithoutRewriting) {
  host.fs.add_file(kDest, gpg_keys().binary_a, 0600);
  auto s = step("source: a.asc\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "mode 0600 uid 0 gid 0 -> mode 0644 root:root");
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.log(), (std::vector<std::string>{std::string("chown ") + kDest + " 0:0",
                                                     std::string("chmod ") + kDest + " 0644"}));
}

TEST_F(AptKeyringTest, UrlIsFetchedOnlyOnApplyAndVerified) {
  host.fetch.serve(kUrl, gpg_keys().armored_a);
  auto s = step(std::string("url: ") + kUrl + "\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].detail, "keyring with keys " + gpg_keys().a.primary + "\n");
  EXPECT_NE(plan.changes[0].reason.find(std::string("fetched from ") + kUrl), std::string::npos);
  EXPECT_TRUE(host.fetch.requests().empty());
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fetch.requests(), std::vector<std::string>{kUrl});
  EXPECT_EQ(host.fs.read(kDest), gpg_keys().binary_a);
  EXPECT_FALSE(host.fs.exists("/var/cache/aiprov/keyrings/test-keyring.gpg.part"));
}

TEST_F(AptKeyringTest, UrlServingAnotherKeyIsRefusedAndLeavesNothing) {
  host.fetch.serve(kUrl, gpg_keys().binary_both);
  auto s = step(std::string("url: ") + kUrl + "\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  std::string err = step_error([&] { s->apply(ctx, plan); });
  EXPECT_NE(err.find("key fingerprint mismatch"), std::string::npos);
  EXPECT_NE(err.find(std::string("(in ") + kUrl + ")"), std::string::npos);
  EXPECT_FALSE(host.fs.exists(kDest));
  EXPECT_FALSE(host.fs.exists("/var/cache/aiprov/keyrings/test-keyring.gpg.part"));
}

TEST_F(AptKeyringTest, UrlThatFailsIsAStepError) {
  auto s = step(std::string("url: ") + kUrl + "\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  EXPECT_EQ(step_error([&] { s->apply(ctx, plan); }),
            std::string("step 'x': cannot fetch ") + kUrl + ": " + kUrl + ": HTTP 404");
  EXPECT_FALSE(host.fs.exists(kDest));
}

TEST_F(AptKeyringTest, UrlKeyringWithTheListedKeysIsConverged) {
  host.fs.add_file(kDest, gpg_keys().binary_a);
  auto s = step(std::string("url: ") + kUrl + "\nfingerprint: [\"" + gpg_keys().a.primary + "\"]\n");
  Context ctx = host.context();
  EXPECT_TRUE(s->plan(ctx).converged());
  auto other = step(std::string("url: ") + kUrl + "\nfingerprint: [\"" + gpg_keys().b.primary + "\"]\n");
  StepPlan plan = other->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_NE(plan.changes[0].reason.find("keyring holds other keys"), std::string::npos);
}

TEST(AptKeyringSchema, FactoryRefusesBadFields) {
  const StepType t = apt_keyring_type();
  const std::string fpr = "fingerprint: [\"EB693B3035CD5710E231E123A4B469963BF863CC\"]\n";
  EXPECT_EQ(build_error(t, "dest: /etc/apt/keyrings/x.gpg\n" + fpr),
            "step 'x': exactly one of 'url' or 'source' is required");
  EXPECT_EQ(build_error(t, "dest: /etc/apt/keyrings/x.gpg\nurl: https://h/k\nsource: k.asc\n" + fpr),
            "step 'x': exactly one of 'url' or 'source' is required");
  EXPECT_NE(build_error(t, "dest: /etc/apt/keyrings/x.asc\nurl: https://h/k\n" + fpr).find("use a .gpg name"),
            std::string::npos);
  EXPECT_EQ(build_error(t, "dest: keyrings/x.gpg\nurl: https://h/k\n" + fpr),
            "step 'x': dest must be an absolute file path, found 'keyrings/x.gpg'");
  EXPECT_EQ(build_error(t, "dest: /etc/apt/keyrings/x.gpg\nurl: https://h/k\nfingerprint: [\"3BF863CC\"]\n"),
            "step 'x': '3BF863CC' is not a full key fingerprint (40 or 64 hex digits)");
  EXPECT_EQ(build_error(t, "dest: /etc/apt/keyrings/x.gpg\nurl: https://h/k\nfingerprint: []\n"),
            "step 'x': list at least one key fingerprint");
}

}  // namespace
}  // namespace aiprov::steps
