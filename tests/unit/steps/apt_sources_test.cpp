// Parsers of APT source lists (one-line and deb822) and the classification of entries, on real
// captures from tests/fixtures/real/ and hand-written cases.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "steps/apt_sources.hpp"

namespace aiprov::apt {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// --- one-line format ---------------------------------------------------------------------------

struct LineCase {
  std::string line;
  bool is_entry;
  bool enabled;
  std::string type;
  std::string options;
  std::string uri;
  std::string suite;
  std::vector<std::string> components;
};

TEST(AptSourceLine, ParsesEntriesCommentsAndOddities) {
  const std::vector<LineCase> cases = {
      {"deb http://archive.ubuntu.com/ubuntu/ jammy main restricted", true, true, "deb", "",
       "http://archive.ubuntu.com/ubuntu/", "jammy", {"main", "restricted"}},
      {"# deb-src http://archive.ubuntu.com/ubuntu/ jammy main restricted", true, false, "deb-src", "",
       "http://archive.ubuntu.com/ubuntu/", "jammy", {"main", "restricted"}},
      {"#deb http://archive.ubuntu.com/ubuntu/ jammy-proposed main", true, false, "deb", "",
       "http://archive.ubuntu.com/ubuntu/", "jammy-proposed", {"main"}},
      {"## Major bug fix updates produced after the final release of the", false, false, "", "", "", "", {}},
      {"# deb-src is not enabled by default", false, false, "", "", "", "", {}},
      {"", false, false, "", "", "", "", {}},
      {"   ", false, false, "", "", "", "", {}},
      {"deb [arch=amd64 signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable",
       true, true, "deb", "arch=amd64 signed-by=/usr/share/keyrings/docker.gpg",
       "https://download.docker.com/linux/ubuntu", "jammy", {"stable"}},
      {"deb [ arch=amd64 ] http://archive.ubuntu.com/ubuntu jammy main universe # mine", true, true, "deb",
       "arch=amd64", "http://archive.ubuntu.com/ubuntu", "jammy", {"main", "universe"}},
      {"deb [signed-by=/usr/share/keyrings/cuda-F73B257B-keyring.gpg] file:///var/cuda-repo-ubuntu2204-12-2-local /",
       true, true, "deb", "signed-by=/usr/share/keyrings/cuda-F73B257B-keyring.gpg",
       "file:///var/cuda-repo-ubuntu2204-12-2-local", "/", {}},
      {"deb cdrom:[Ubuntu 22.04 LTS _Jammy Jellyfish_ - Release amd64 (20220419)]/ jammy main restricted", true, true,
       "deb", "", "cdrom:[Ubuntu 22.04 LTS _Jammy Jellyfish_ - Release amd64 (20220419)]/", "jammy",
       {"main", "restricted"}},
      {"\tdeb\thttp://deb.debian.org/debian\tbookworm\tmain\tcontrib", true, true, "deb", "",
       "http://deb.debian.org/debian", "bookworm", {"main", "contrib"}},
      {"deb http://archive.ubuntu.com/ubuntu jammy", false, false, "", "", "", "", {}},  // no component
      {"deb http://example.com/repo flat/ main", false, false, "", "", "", "", {}},     // flat with component
      {"deb-src", false, false, "", "", "", "", {}},
      {"debian http://deb.debian.org/debian bookworm main", false, false, "", "", "", "", {}},
      {"deb [arch=amd64 http://x/ubuntu jammy main", false, false, "", "", "", "", {}},  // unclosed options
      {"deb jammy main", false, false, "", "", "", "", {}},                               // no URI
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    SourceLine line = parse_source_line(c.line);
    EXPECT_EQ(line.text, c.line);
    ASSERT_EQ(line.entry.has_value(), c.is_entry);
    if (!c.is_entry) continue;
    EXPECT_EQ(line.entry->enabled, c.enabled);
    EXPECT_EQ(line.entry->type, c.type);
    EXPECT_EQ(line.entry->options, c.options);
    EXPECT_EQ(line.entry->uri, c.uri);
    EXPECT_EQ(line.entry->suite, c.suite);
    EXPECT_EQ(line.entry->components, c.components);
  }
}

TEST(AptSourceLine, RoundTripsEveryTextByteForByte) {
  const std::vector<std::string> texts = {
      fixture("ubuntu-22.04-sources.list"), fixture("ubuntu-24.04-sources.list"),
      fixture("cuda-ubuntu2204-12-2-local.list"), "", "\n", "\n\n", "deb http://x/ubuntu jammy main",
      "# only a comment\r\ndeb http://x/ubuntu jammy main\r\n", "  deb   http://x/ubuntu  jammy   main  # c\n\n"};
  for (const auto& text : texts) EXPECT_EQ(render(parse_sources_list(text)), text);
}

TEST(AptSourceLine, Ubuntu2204CaptureHasTenEntriesAndTenCommentedSources) {
  SourcesList list = parse_sources_list(fixture("ubuntu-22.04-sources.list"));
  int deb = 0, commented_src = 0, other = 0;
  for (const auto& line : list.lines) {
    if (!line.entry) continue;
    if (line.entry->type == "deb" && line.entry->enabled) ++deb;
    else if (line.entry->type == "deb-src" && !line.entry->enabled) ++commented_src;
    else ++other;
  }
  EXPECT_EQ(deb, 10);
  EXPECT_EQ(commented_src, 10);
  EXPECT_EQ(other, 0);
  EXPECT_TRUE(list.final_newline);
}

TEST(AptSourceLine, Ubuntu2404StubHasNoEntries) {
  for (const auto& line : parse_sources_list(fixture("ubuntu-24.04-sources.list")).lines)
    EXPECT_FALSE(line.entry) << line.text;
}

struct EditCase {
  std::string before;
  std::string after;
};

TEST(AptSourceLine, EditsReplaceOneFieldInPlace) {
  const std::string docker = "deb [arch=amd64 signed-by=/k.gpg]  http://archive.ubuntu.com/ubuntu  jammy main # c";
  const std::vector<EditCase> uri_cases = {
      {docker, "deb [arch=amd64 signed-by=/k.gpg]  https://m/ubuntu/  jammy main # c"},
      {"# deb-src http://a/ubuntu jammy main", "# deb-src https://m/ubuntu/ jammy main"},
  };
  for (const auto& c : uri_cases) EXPECT_EQ(with_uri(parse_source_line(c.before), "https://m/ubuntu/").text, c.after);

  EXPECT_EQ(with_suite(parse_source_line(docker), "jammy-proposed").text,
            "deb [arch=amd64 signed-by=/k.gpg]  http://archive.ubuntu.com/ubuntu  jammy-proposed main # c");
  EXPECT_EQ(with_type(parse_source_line(docker), "deb-src").text,
            "deb-src [arch=amd64 signed-by=/k.gpg]  http://archive.ubuntu.com/ubuntu  jammy main # c");

  const std::vector<EditCase> enable_cases = {
      {"# deb-src http://a/ubuntu jammy main", "deb-src http://a/ubuntu jammy main"},
      {"##deb-src http://a/ubuntu jammy main", "deb-src http://a/ubuntu jammy main"},
      {"deb-src http://a/ubuntu jammy main", "deb-src http://a/ubuntu jammy main"},
  };
  for (const auto& c : enable_cases) {
    SourceLine line = with_enabled(parse_source_line(c.before), true);
    EXPECT_EQ(line.text, c.after);
    EXPECT_TRUE(line.entry->enabled);
  }
  SourceLine off = with_enabled(parse_source_line("deb-src http://a/ubuntu jammy main"), false);
  EXPECT_EQ(off.text, "# deb-src http://a/ubuntu jammy main");
  EXPECT_FALSE(off.entry->enabled);
  EXPECT_EQ(with_enabled(off, false).text, off.text);
}

// --- deb822 ------------------------------------------------------------------------------------

TEST(AptDeb822, ParsesUbuntu2404Capture) {
  const std::string text = fixture("ubuntu-24.04-ubuntu.sources");
  Deb822File file = parse_deb822(text);
  EXPECT_EQ(render(file), text);
  std::vector<const Deb822Block*> stanzas;
  for (const auto& b : file.blocks)
    if (b.is_stanza()) stanzas.push_back(&b);
  ASSERT_EQ(stanzas.size(), 2u);
  EXPECT_EQ(stanzas[0]->get("URIs"), "http://archive.ubuntu.com/ubuntu/");
  EXPECT_EQ(stanzas[0]->words("Suites"), (std::vector<std::string>{"noble", "noble-updates", "noble-backports"}));
  EXPECT_EQ(stanzas[0]->words("components").size(), 4u);  // field names are case-insensitive
  EXPECT_EQ(stanzas[1]->get("Suites"), "noble-security");
  EXPECT_EQ(stanzas[1]->get("Signed-By"), "/usr/share/keyrings/ubuntu-archive-keyring.gpg");
  EXPECT_FALSE(stanzas[1]->get("Enabled").has_value());
}

const char* const kEmbeddedKey =
    "# a local repository\n"
    "Types: deb\n"
    "URIs:\thttp://archive.ubuntu.com/ubuntu/\n"
    "Suites: jammy\n"
    "Components: main\n"
    "Signed-By:\n"
    " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
    " .\n"
    " mQINBFufwdoBEADv/Gxytx/ZdJP3hxKk\n"
    " =AbCd\n"
    " -----END PGP PUBLIC KEY BLOCK-----\n"
    "# trailing comment\n"
    "Enabled: yes\n";

TEST(AptDeb822, EmbeddedKeyIsOneFieldAndSurvivesASet) {
  Deb822File file = parse_deb822(kEmbeddedKey);
  ASSERT_EQ(file.blocks.size(), 1u);
  Deb822Block& b = file.blocks[0];
  ASSERT_NE(b.find("Signed-By"), nullptr);
  EXPECT_EQ(b.find("Signed-By")->end - b.find("Signed-By")->begin, 6u);
  EXPECT_EQ(*b.get("Signed-By"),
            "\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFufwdoBEADv/Gxytx/ZdJP3hxKk\n=AbCd\n"
            "-----END PGP PUBLIC KEY BLOCK-----");
  EXPECT_EQ(b.get("Enabled"), "yes");

  b.set("uris", "https://m/ubuntu/");  // the name as written and the tab after ':' are kept
  b.set("Types", "deb deb-src");
  std::string expected = kEmbeddedKey;
  expected.replace(expected.find("URIs:\thttp://archive.ubuntu.com/ubuntu/"), 39, "URIs:\thttps://m/ubuntu/");
  expected.replace(expected.find("Types: deb"), 10, "Types: deb deb-src");
  EXPECT_EQ(render(file), expected);
}

TEST(AptDeb822, SetReplacesContinuationLinesAndAppendsMissingFields) {
  Deb822File file = parse_deb822("Types: deb\nURIs: http://a/ubuntu/\n http://b/ubuntu/\nSuites: jammy\n");
  Deb822Block& b = file.blocks[0];
  EXPECT_EQ(b.words("URIs"), (std::vector<std::string>{"http://a/ubuntu/", "http://b/ubuntu/"}));
  b.set("URIs", "https://m/ubuntu/");
  b.set("Enabled", "no");
  EXPECT_EQ(render(file), "Types: deb\nURIs: https://m/ubuntu/\nSuites: jammy\nEnabled: no\n");
}

TEST(AptDeb822, RoundTripsOddTexts) {
  const std::vector<std::string> texts = {
      "", "\n", "# only comments\n\n# more\n", "Types: deb\nURIs: http://a/\nSuites: x\nComponents: main",
      "\n\n\nTypes: deb\n  \nTypes: deb-src\n\n", kEmbeddedKey};
  for (const auto& text : texts) EXPECT_EQ(render(parse_deb822(text)), text);
}

TEST(AptDeb822, BlankLinesSeparateStanzas) {
  Deb822File file = parse_deb822("Types: deb\n\n\n# c\nTypes: deb-src\n");
  int stanzas = 0;
  for (const auto& b : file.blocks) stanzas += b.is_stanza();
  EXPECT_EQ(stanzas, 2);
  EXPECT_EQ(file.blocks.size(), 3u);  // stanza, blank run, stanza (comment included)
}

// --- classification ----------------------------------------------------------------------------

struct ClassifyCase {
  std::string uri;
  std::string suite;
  std::vector<std::string> components;
  bool distribution_file;
  Origin expected;
};

TEST(AptClassify, ArchiveSecurityAndThirdParty) {
  const std::vector<std::string> main = {"main"};
  const std::vector<ClassifyCase> cases = {
      {"http://archive.ubuntu.com/ubuntu/", "jammy", main, false, Origin::Archive},
      {"https://archive.ubuntu.com/ubuntu", "jammy-updates", main, false, Origin::Archive},
      {"http://de.archive.ubuntu.com/ubuntu/", "noble-backports", main, false, Origin::Archive},
      {"http://us-east-1.ec2.archive.ubuntu.com/ubuntu/", "jammy-proposed", main, false, Origin::Archive},
      {"http://ports.ubuntu.com/ubuntu-ports/", "noble", main, false, Origin::Archive},
      {"http://security.ubuntu.com/ubuntu/", "jammy-security", main, false, Origin::Security},
      {"http://archive.ubuntu.com/ubuntu/", "noble-security", main, false, Origin::Security},
      {"http://deb.debian.org/debian", "bookworm-updates", main, false, Origin::Archive},
      {"http://deb.debian.org/debian-security", "bookworm-security", main, false, Origin::Security},
      {"http://ftp.de.debian.org/debian/", "bookworm", main, false, Origin::Archive},
      // Someone's earlier mirror: recognised in the distribution's own files only.
      {"https://mirrors.tuna.tsinghua.edu.cn/ubuntu/", "jammy", {"main", "restricted"}, true, Origin::Archive},
      {"https://mirrors.tuna.tsinghua.edu.cn/ubuntu/", "jammy", {"main", "restricted"}, false, Origin::Other},
      {"https://mirrors.aliyun.com/ubuntu/", "jammy", {"main"}, false, Origin::Archive},  // own mirror
      {"https://mirrors.aliyun.com/ubuntu", "jammy-security", {"main"}, false, Origin::Security},
      // Third parties.
      {"https://download.docker.com/linux/ubuntu", "jammy", {"stable"}, true, Origin::Other},
      {"https://ppa.launchpadcontent.net/graphics-drivers/ppa/ubuntu", "jammy", main, true, Origin::Other},
      {"http://packages.ros.org/ros2/ubuntu", "jammy", main, false, Origin::Other},
      {"file:///var/cuda-repo-ubuntu2204-12-2-local", "/", {}, true, Origin::Other},
      {"https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/", "/", {}, true, Origin::Other},
      {"cdrom:[Ubuntu 22.04 LTS]/", "jammy", main, true, Origin::Other},
      {"http://archive.canonical.com/ubuntu", "jammy", {"partner"}, true, Origin::Other},
      {"http://archive.ubuntu.com/ubuntu/", "jammy-foo", main, false, Origin::Other},
      {"http://archive.ubuntu.com/ubuntu/", "Jammy", main, false, Origin::Other},
      {"http://archive.ubuntu.com/other/", "jammy", main, false, Origin::Other},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri + " " + c.suite);
    ClassifyContext ctx;
    ctx.distribution_file = c.distribution_file;
    ctx.own_uris = {"https://mirrors.aliyun.com/ubuntu/"};
    EXPECT_EQ(classify(c.uri, c.suite, c.components, ctx), c.expected);
  }
}

TEST(AptClassify, DistributionFilesAndUriHelpers) {
  EXPECT_TRUE(is_distribution_file("/etc/apt/sources.list"));
  EXPECT_TRUE(is_distribution_file("/etc/apt/sources.list.d/ubuntu.sources"));
  EXPECT_TRUE(is_distribution_file("/etc/apt/sources.list.d/debian.sources"));
  EXPECT_FALSE(is_distribution_file("/etc/apt/sources.list.d/cuda.list"));
  EXPECT_EQ(with_trailing_slash("https://m/ubuntu"), "https://m/ubuntu/");
  EXPECT_EQ(with_trailing_slash("https://m/ubuntu//"), "https://m/ubuntu/");
  EXPECT_TRUE(same_uri("HTTP://Archive.Ubuntu.com/ubuntu", "http://archive.ubuntu.com/ubuntu/"));
  EXPECT_FALSE(same_uri("http://archive.ubuntu.com/ubuntu", "https://archive.ubuntu.com/ubuntu"));
  EXPECT_FALSE(same_uri("http://m:8080/ubuntu", "http://m/ubuntu"));
  EXPECT_EQ(split_words(" a\tb \n c "), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace aiprov::apt
