#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "steps/deb_file.hpp"
#include "steps/dpkg_status.hpp"
#include "steps/sha256.hpp"
#include "unit/steps/step_fixture.hpp"

namespace aiprov::steps {
namespace {

using testing::apply_and_expect_converged;
using testing::build_error;
using testing::FakeHost;
using testing::FakeProcessRunner;
using testing::make_step;
using testing::step_error;

/// One ar member: a 60-byte header, the data, a '\n' pad to an even offset.
std::string ar_member(const std::string& name, const std::string& data) {
  char header[61];
  std::snprintf(header, sizeof header, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name.c_str(), "0", "0", "0", "100644",
                data.size());
  return std::string(header, 60) + data + (data.size() % 2 ? "\n" : "");
}

/// A .deb-shaped archive (the control and data members hold placeholder bytes).
std::string fake_deb(const std::string& control = "control.tar.xz") {
  return "!<arch>\n" + ar_member("debian-binary", "2.0\n") + ar_member(control, "xz-bytes") +
         ar_member("data.tar.xz", "data-bytes!");
}

std::string sha256(const std::string& data) {
  Sha256 s;
  s.update(data);
  return s.hex();
}

TEST(DebFile, ArMembersAndPadding) {
  auto members = debfile::ar_members(fake_deb());
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].name, "debian-binary");
  EXPECT_EQ(members[0].offset, 68u);
  EXPECT_EQ(members[0].size, 4u);
  EXPECT_EQ(members[1].name, "control.tar.xz");
  EXPECT_EQ(members[1].offset, 132u);
  EXPECT_EQ(members[2].offset, 132u + 8 + 60);
  EXPECT_EQ(members[2].size, 11u);
}

TEST(DebFile, CheckDebHeader) {
  struct Case {
    std::string data, result;
  };
  std::vector<Case> cases = {
      {fake_deb(), "control.tar.xz"},
      {fake_deb("control.tar.zst"), "control.tar.zst"},
      {fake_deb("control.tar.gz/"), "control.tar.gz"},  // GNU ar's trailing '/'
      {fake_deb("data.tar.xz"), "not a Debian package (second ar member is 'data.tar.xz', not control.tar.*)"},
      {"!<arch>\n" + ar_member("debian-binary", "3.0\n"), "unsupported Debian package format version '3.0'"},
      {"!<arch>\n" + ar_member("foo", "x"), "not a Debian package (the first ar member is not debian-binary)"},
      {"!<arch>\n" + ar_member("debian-binary", "2.0\n"), "truncated Debian package (no control member)"},
      {"PK\x03\x04 a zip file", "not an ar archive (no \"!<arch>\" magic)"},
      {"!<arch>\n" + std::string(58, ' ') + "xx", "malformed ar member header at byte 8"},
  };
  for (const auto& c : cases) {
    std::string got;
    try {
      got = debfile::check_deb_header(c.data);
    } catch (const debfile::DebFileError& e) {
      got = e.what();
    }
    EXPECT_EQ(got, c.result);
  }
}

TEST(DebFile, HeaderOfAPackageBuiltByDpkgDeb) {
  auto dir = std::filesystem::temp_directory_path() / ("aiprov-debfile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "pkg/DEBIAN");
  std::ofstream(dir / "pkg/DEBIAN/control") << "Package: aiprov-test\nVersion: 1.2-3\nArchitecture: all\n"
                                               "Maintainer: T <t@example.invalid>\nDescription: test\n";
  std::string cmd = "dpkg-deb --root-owner-group --build " + (dir / "pkg").string() + " " + (dir / "t.deb").string() +
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir / "t.deb", std::ios::binary);
  std::string head(debfile::kHeadSize, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  EXPECT_EQ(debfile::check_deb_header(head).substr(0, 11), "control.tar");
  std::filesystem::remove_all(dir);
}

TEST(DebFile, ParseControlFields) {
  auto f = debfile::parse_control_fields("Package: cuda-repo-x\nVersion: 12.4.0-1\nDescription: a\n more\n\tlines\n");
  EXPECT_EQ(f["Package"], "cuda-repo-x");
  EXPECT_EQ(f["Version"], "12.4.0-1");
  EXPECT_EQ(f["Description"], "a\nmore\nlines");
}

constexpr const char* kPackage = "cuda-repo-ubuntu2204-12-4-local";
constexpr const char* kVersion = "12.4.0-550.54.14-1";
constexpr const char* kUrl =
    "https://developer.download.nvidia.com/compute/cuda/12.4.0/local_installers/"
    "cuda-repo-ubuntu2204-12-4-local_12.4.0-550.54.14-1_amd64.deb";
constexpr const char* kKeyringSrc = "/var/cuda-repo-ubuntu2204-12-4-local/cuda-9A1C2C2E-keyring.gpg";
constexpr const char* kKeyringDest = "/usr/share/keyrings/cuda-9A1C2C2E-keyring.gpg";
const std::string kKeyBytes = "binary keyring bytes";

std::string status_stanza(const std::string& package, const std::string& version,
                          const std::string& status = "install ok installed") {
  return "Package: " + package + "\nStatus: " + status + "\nArchitecture: amd64\nVersion: " + version + "\n\n";
}

class DebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dpkg::forget_installed_packages();
    m_dir = std::filesystem::temp_directory_path() / ("aiprov-deb-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
    m_deb = fake_deb();
    std::ofstream(m_dir / "local.deb", std::ios::binary) << m_deb;
    host.fs.add_file("/var/lib/dpkg/status", status_stanza("bash", "5.1-6"));
    host.fs.add_dir("/usr/share/keyrings");
    host.fetch.serve(kUrl, m_deb);
    answer_fields(kPackage, kVersion);
    // dpkg -i: records the package as installed (replacing an older version's stanza) and unpacks the
    // keyring, as NVIDIA's package does.
    host.proc.on_program("dpkg", FakeProcessRunner::result(0, "Setting up " + std::string(kPackage) + " ...\n"),
                         [this](const Command&) {
                           host.fs.put("/var/lib/dpkg/status",
                                       status_stanza("bash", "5.1-6") + status_stanza(kPackage, kVersion));
                           host.fs.add_file(kKeyringSrc, kKeyBytes);
                         });
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void answer_fields(const std::string& package, const std::string& version) {
    host.proc.on_program("dpkg-deb", FakeProcessRunner::result(0, "Package: " + package + "\nVersion: " + version + "\n"));
  }

  std::unique_ptr<Step> step(const std::string& yaml) {
    return make_step(deb_type(), yaml, (m_dir / "recipe.yaml").string());
  }
  std::string url_fields() const {
    return std::string("url: ") + kUrl + "\nsha256: " + sha256(m_deb) + "\n";
  }

  std::filesystem::path m_dir;
  std::string m_deb;
  FakeHost host;
};

TEST_F(DebTest, UrlIsVerifiedInstalledAndItsKeyringCopied) {
  auto s = step(url_fields() + "package: " + kPackage + "\nversion: " + kVersion +
                "\nkeyring_glob: /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg\nkeyring_dest: /usr/share/keyrings/\n");
  EXPECT_TRUE(s->uses_apt());
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 2u);
  const std::string cached = "/var/cache/aiprov/downloads/" + sha256(m_deb);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Run);
  EXPECT_EQ(plan.changes[0].target, std::string("install ") + kPackage + " " + kVersion +
                                        " from cuda-repo-ubuntu2204-12-4-local_12.4.0-550.54.14-1_amd64.deb");
  EXPECT_EQ(plan.changes[0].reason, std::string("not installed; downloaded from ") + kUrl + " and checked against sha256 " +
                                        sha256(m_deb) + " before installing");
  EXPECT_EQ(plan.changes[0].detail, "dpkg -i " + cached + "\n");
  EXPECT_EQ(plan.changes[0].provides, (std::vector<std::string>{std::string("package:") + kPackage, "apt:sources"}));
  EXPECT_EQ(plan.changes[1].target, "/usr/share/keyrings/cuda-*-keyring.gpg");
  EXPECT_TRUE(host.fetch.requests().empty());
  EXPECT_TRUE(host.proc.commands().empty());

  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fetch.requests(), std::vector<std::string>{kUrl});
  EXPECT_EQ(host.proc.command_lines(),
            (std::vector<std::string>{"dpkg-deb -f " + cached + " Package Version", "dpkg -i " + cached}));
  EXPECT_EQ(host.proc.commands()[1].env.at("DEBIAN_FRONTEND"), "noninteractive");
  EXPECT_EQ(host.fs.read(kKeyringDest), kKeyBytes);
  EXPECT_EQ(host.fs.stat(kKeyringDest)->mode, 0644u);
}

TEST_F(DebTest, ChecksumMismatchInstallsNothingAndKeepsNothing) {
  const std::string wrong(64, 'a');
  auto s = step(std::string("url: ") + kUrl + "\nsha256: " + wrong + "\npackage: p\nversion: \"1\"\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  std::string err = step_error([&] { s->apply(ctx, plan); });
  EXPECT_NE(err.find(kUrl), std::string::npos) << err;
  EXPECT_NE(err.find("expected sha256 " + wrong + ", got " + sha256(m_deb)), std::string::npos) << err;
  EXPECT_TRUE(host.proc.commands().empty());
  EXPECT_TRUE(host.fs.list_dir("/var/cache/aiprov/downloads").empty());
}

TEST_F(DebTest, LocalFileWithoutFieldsIsCopiedIntoTheRootAndReadThere) {
  auto s = step("path: local.deb\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].target, "install local.deb");
  EXPECT_NE(plan.changes[0].reason.find("give package and version in the recipe to see them in the plan"),
            std::string::npos);
  EXPECT_NE(plan.changes[0].reason.find("is copied to /var/cache/aiprov/debs/local.deb first"), std::string::npos);
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.read("/var/cache/aiprov/debs/local.deb"), m_deb);
  EXPECT_EQ(host.proc.command_lines(),
            (std::vector<std::string>{"dpkg-deb -f /var/cache/aiprov/debs/local.deb Package Version",
                                      "dpkg -i /var/cache/aiprov/debs/local.deb",
                                      "dpkg-deb -f /var/cache/aiprov/debs/local.deb Package Version"}));
}

TEST_F(DebTest, InstalledAtTheVersionWithKeyringInPlaceIsConverged) {
  host.fs.put("/var/lib/dpkg/status", status_stanza(kPackage, kVersion));
  host.fs.add_file(kKeyringSrc, kKeyBytes);
  host.fs.add_file(kKeyringDest, kKeyBytes);
  auto s = step(url_fields() + "package: " + kPackage + "\nversion: " + kVersion +
                "\nkeyring_glob: /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg\nkeyring_dest: " + kKeyringDest + "\n");
  Context ctx = host.context();
  EXPECT_TRUE(s->plan(ctx).converged());
  EXPECT_TRUE(host.proc.commands().empty());
  // The keyring copy alone is missing: only it is planned and applied.
  host.fs.remove(kKeyringDest);
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, std::string("copy of ") + kKeyringSrc + " (shipped by " + kPackage + ")");
  apply_and_expect_converged(*s, host);
  EXPECT_TRUE(host.proc.commands().empty());
  EXPECT_TRUE(host.fetch.requests().empty());
}

TEST_F(DebTest, OlderVersionInstalledIsUpgraded) {
  host.fs.put("/var/lib/dpkg/status", status_stanza(kPackage, "12.3.0-1"));
  auto s = step(url_fields() + "package: " + kPackage + "\nversion: " + kVersion + "\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason.substr(0, plan.changes[0].reason.find(';')), "installed version is 12.3.0-1");
  apply_and_expect_converged(*s, host);
}

TEST_F(DebTest, RecipeFieldsThatDisagreeWithTheDebAreRefused) {
  auto s = step(url_fields() + "package: " + kPackage + "\nversion: 13.0-1\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  EXPECT_EQ(step_error([&] { s->apply(ctx, plan); }),
            std::string("step 'x': cuda-repo-ubuntu2204-12-4-local_12.4.0-550.54.14-1_amd64.deb holds ") + kPackage +
                " " + kVersion + ", but the recipe says " + kPackage + " 13.0-1");
  EXPECT_EQ(host.proc.command_lines().size(), 1u);  // dpkg-deb only, no dpkg -i
}

TEST_F(DebTest, FailingDpkgIsAStepErrorWithItsOutput) {
  host.proc.on_program("dpkg", FakeProcessRunner::result(1, "dpkg: error processing archive (--install):\n broken\n"));
  auto s = step("path: local.deb\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  std::string err = step_error([&] { s->apply(ctx, plan); });
  EXPECT_NE(err.find("command `dpkg -i /var/cache/aiprov/debs/local.deb` exited 1"), std::string::npos) << err;
  EXPECT_NE(err.find("broken"), std::string::npos);
}

TEST_F(DebTest, KeyringGlobMustMatchExactlyOneFile) {
  host.fs.put("/var/lib/dpkg/status", status_stanza(kPackage, kVersion));
  auto s = step(url_fields() + "package: " + kPackage + "\nversion: " + kVersion +
                "\nkeyring_glob: /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg\nkeyring_dest: /usr/share/keyrings/\n");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { s->plan(ctx); }),
            std::string("step 'x': keyring_glob /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg matches no file "
                        "although ") + kPackage + " is installed");
  host.fs.add_file(kKeyringSrc, kKeyBytes);
  host.fs.add_file("/var/cuda-repo-ubuntu2204-12-4-local/cuda-00000000-keyring.gpg", "other");
  host.fs.add_file("/var/cuda-repo-ubuntu2204-12-4-local/.cuda-hidden-keyring.gpg", "hidden");
  EXPECT_NE(step_error([&] { s->plan(ctx); }).find("matches 2 files"), std::string::npos);
}

TEST_F(DebTest, NotADebIsRefusedWhilePlanning) {
  std::ofstream(m_dir / "bad.deb") << "<html>404</html>";
  auto s = step("path: bad.deb\n");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { s->plan(ctx); }),
            "step 'x': " + (m_dir / "bad.deb").string() + ": not an ar archive (no \"!<arch>\" magic)");
  auto local_sum = step("path: local.deb\nsha256: " + std::string(64, 'b') + "\n");
  EXPECT_NE(step_error([&] { local_sum->plan(ctx); }).find("checksum mismatch: expected sha256 " + std::string(64, 'b')),
            std::string::npos);
}

TEST(DebSchema, FactoryRefusesBadFields) {
  const StepType t = deb_type();
  const std::string sum = "sha256: " + std::string(64, 'A') + "\n";
  struct Case {
    std::string yaml, error;
  };
  std::vector<Case> cases = {
      {"package: p\n", "step 'x': exactly one of 'path' or 'url' is required"},
      {"path: a.deb\nurl: https://h/a.deb\n" + sum, "step 'x': exactly one of 'path' or 'url' is required"},
      {"url: https://h/a.deb\n", "step 'x': a url needs its sha256, checked before anything is installed"},
      {"url: https://h/a.deb\nsha256: abc\n", "step 'x': sha256 must be 64 hex digits, found 'abc'"},
      {"path: a.deb\nkeyring_glob: /var/x/*.gpg\n", "step 'x': keyring_glob and keyring_dest go together"},
      {"path: a.deb\nkeyring_glob: x/*.gpg\nkeyring_dest: /usr/share/keyrings/\n",
       "step 'x': keyring_glob must be an absolute file pattern, found 'x/*.gpg'"},
      {"url: https://h/a.deb\n" + sum, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(build_error(t, c.yaml), c.error) << c.yaml;
}

}  // namespace
}  // namespace aiprov::steps
