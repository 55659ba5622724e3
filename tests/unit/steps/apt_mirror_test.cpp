// The apt_mirror step on the recording fakes: Ubuntu 22.04's one-line sources.list, Ubuntu 24.04's
// stub plus ubuntu.sources, Debian 12's debian.sources, third-party repositories left alone,
// deb-src on and off, suites, idempotence.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_host.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::FakeHost;

const char* const kList = "/etc/apt/sources.list";
const char* const kUbuntuSources = "/etc/apt/sources.list.d/ubuntu.sources";
const char* const kDebianSources = "/etc/apt/sources.list.d/debian.sources";
const char* const kAliyun = "https://mirrors.aliyun.com/ubuntu/";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

Value scalar(const std::string& s) { return Value::make_scalar(s, {"recipe.yaml", 3, 5}); }

Value list(const std::vector<std::string>& items) {
  Value v;
  v.kind = Value::Kind::List;
  v.loc = {"recipe.yaml", 4, 5};
  for (const auto& i : items) v.list.push_back(scalar(i));
  return v;
}

std::unique_ptr<Step> make_step(std::vector<std::pair<std::string, Value>> fields) {
  Value body;
  body.kind = Value::Kind::Map;
  body.loc = {"recipe.yaml", 2, 3};
  body.map = std::move(fields);
  return steps::apt_mirror_type().factory(StepSpec("apt-mirror", "apt_mirror", body));
}

std::unique_ptr<Step> aliyun(std::vector<std::pair<std::string, Value>> more = {}) {
  more.insert(more.begin(), {"mirror", scalar(kAliyun)});
  return make_step(std::move(more));
}

/// Plans, applies with backups, and proves the step converged: a second plan is empty and a second
/// apply writes nothing. Returns the first plan.
StepPlan converge(FakeHost& h, Step& step) {
  Context ctx = h.context("/var/lib/aiprov/backups/run1");
  StepPlan plan = step.plan(ctx);
  step.apply(ctx, plan);
  StepPlan again = step.plan(ctx);
  EXPECT_TRUE(again.converged()) << (again.changes.empty() ? "" : again.changes[0].detail);
  std::size_t writes = h.fs.log().size();
  step.apply(ctx, again);
  EXPECT_EQ(h.fs.log().size(), writes);
  return plan;
}

std::string content(FakeHost& h, const std::string& path) { return h.fs.read(path).value_or("<absent>"); }

TEST(AptMirror, Ubuntu2204SwapsArchiveLinesOnly) {
  FakeHost h;
  const std::string original = fixture("ubuntu-22.04-sources.list");
  h.fs.add_file(kList, original, 0644, 0, 0);
  auto step = aliyun();

  Context plan_ctx = h.context();
  StepPlan plan = step->plan(plan_ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Update);
  EXPECT_EQ(c.target, kList);
  EXPECT_EQ(c.reason, "archive -> https://mirrors.aliyun.com/ubuntu/");
  EXPECT_EQ(c.provides, (std::vector<std::string>{"path:/etc/apt/sources.list", "apt:sources"}));
  EXPECT_NE(c.detail.find("-deb http://archive.ubuntu.com/ubuntu/ jammy main restricted\n"), std::string::npos);
  EXPECT_NE(c.detail.find("+deb https://mirrors.aliyun.com/ubuntu/ jammy main restricted\n"), std::string::npos);
  EXPECT_EQ(c.detail.find("security.ubuntu.com/ubuntu/ jammy-security main restricted\n+"), std::string::npos);
  EXPECT_TRUE(h.fs.log().empty());  // planning changes nothing

  converge(h, *step);
  const std::string after = content(h, kList);
  EXPECT_EQ(after, replace_all(original, "http://archive.ubuntu.com/ubuntu/", kAliyun));
  EXPECT_NE(after.find("\ndeb https://mirrors.aliyun.com/ubuntu/ jammy-backports main restricted universe multiverse\n"),
            std::string::npos);
  EXPECT_NE(after.find("\n# deb-src https://mirrors.aliyun.com/ubuntu/ jammy universe\n"), std::string::npos);
  EXPECT_NE(after.find("\ndeb http://security.ubuntu.com/ubuntu/ jammy-security main restricted\n"), std::string::npos);
  EXPECT_EQ(h.fs.log(), (std::vector<std::string>{
                            "backup /etc/apt/sources.list -> /var/lib/aiprov/backups/run1/etc/apt/sources.list",
                            "write /etc/apt/sources.list"}));
  EXPECT_EQ(content(h, "/var/lib/aiprov/backups/run1/etc/apt/sources.list"), original);
}

TEST(AptMirror, Ubuntu2204SecurityMirrorSwapsSecurityLinesToo) {
  FakeHost h;
  const std::string original = fixture("ubuntu-22.04-sources.list");
  h.fs.add_file(kList, original, 0640, 0, 4);
  auto step = aliyun({{"security_mirror", scalar("https://mirrors.aliyun.com/ubuntu")}});
  StepPlan plan = converge(h, *step);
  EXPECT_EQ(plan.changes.at(0).reason,
            "archive -> https://mirrors.aliyun.com/ubuntu/; security -> https://mirrors.aliyun.com/ubuntu/");
  std::string expected = replace_all(original, "http://archive.ubuntu.com/ubuntu/", kAliyun);
  expected = replace_all(expected, "http://security.ubuntu.com/ubuntu/", kAliyun);
  EXPECT_EQ(content(h, kList), expected);
  EXPECT_NE(content(h, kList).find("\ndeb https://mirrors.aliyun.com/ubuntu/ jammy-security multiverse\n"),
            std::string::npos);
  const auto* node = h.fs.node(kList);  // owner and mode kept
  EXPECT_EQ(node->stat.mode, 0640u);
  EXPECT_EQ(node->stat.gid, 4u);
}

TEST(AptMirror, MirrorWithoutSlashIsNormalised) {
  FakeHost h;
  h.fs.add_file(kList, "deb http://archive.ubuntu.com/ubuntu jammy main\n");
  auto step = make_step({{"mirror", scalar("https://mirrors.aliyun.com/ubuntu")}});
  converge(h, *step);
  EXPECT_EQ(content(h, kList), "deb https://mirrors.aliyun.com/ubuntu/ jammy main\n");
}

TEST(AptMirror, Ubuntu2404RewritesUbuntuSourcesAndLeavesTheStub) {
  FakeHost h;
  const std::string stub = fixture("ubuntu-24.04-sources.list");
  const std::string sources = fixture("ubuntu-24.04-ubuntu.sources");
  h.fs.add_file(kList, stub);
  h.fs.add_file(kUbuntuSources, sources);
  auto step = aliyun();
  StepPlan plan = converge(h, *step);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].target, kUbuntuSources);
  EXPECT_EQ(plan.changes[0].provides, (std::vector<std::string>{"path:" + std::string(kUbuntuSources), "apt:sources"}));
  EXPECT_EQ(content(h, kList), stub);
  EXPECT_EQ(content(h, kUbuntuSources),
            "\n"
            "Types: deb\n"
            "URIs: https://mirrors.aliyun.com/ubuntu/\n"
            "Suites: noble noble-updates noble-backports\n"
            "Components: main restricted universe multiverse\n"
            "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
            "\n"
            "Types: deb\n"
            "URIs: http://security.ubuntu.com/ubuntu/\n"
            "Suites: noble-security\n"
            "Components: main restricted universe multiverse\n"
            "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n");
}

TEST(AptMirror, Ubuntu2404SecurityMirrorAndSources) {
  FakeHost h;
  const std::string sources = fixture("ubuntu-24.04-ubuntu.sources");
  h.fs.add_file(kList, fixture("ubuntu-24.04-sources.list"));
  h.fs.add_file(kUbuntuSources, sources);
  auto step = aliyun({{"security_mirror", scalar(kAliyun)}, {"enable_source", scalar("true")}});
  converge(h, *step);
  std::string expected = replace_all(sources, "http://archive.ubuntu.com/ubuntu/", kAliyun);
  expected = replace_all(expected, "http://security.ubuntu.com/ubuntu/", kAliyun);
  expected = replace_all(expected, "Types: deb\n", "Types: deb deb-src\n");
  EXPECT_EQ(content(h, kUbuntuSources), expected);

  auto off = aliyun({{"security_mirror", scalar(kAliyun)}, {"enable_source", scalar("false")}});
  StepPlan plan = converge(h, *off);
  EXPECT_EQ(plan.changes.at(0).reason, "deb-src disabled");
  EXPECT_EQ(content(h, kUbuntuSources), replace_all(expected, "Types: deb deb-src\n", "Types: deb\n"));
}

const char* const kDebian12 =
    "Types: deb\n"
    "# http://snapshot.debian.org/archive/debian/20240612T000000Z\n"
    "URIs: http://deb.debian.org/debian\n"
    "Suites: bookworm bookworm-updates\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    "\n"
    "Types: deb\n"
    "# http://snapshot.debian.org/archive/debian-security/20240612T000000Z\n"
    "URIs: http://deb.debian.org/debian-security\n"
    "Suites: bookworm-security\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n";

TEST(AptMirror, Debian12DebianSources) {
  FakeHost h;
  h.fs.add_dir("/etc/apt/sources.list.d");
  h.fs.add_file(kDebianSources, kDebian12);
  auto step = make_step({{"mirror", scalar("https://mirrors.tuna.tsinghua.edu.cn/debian")},
                         {"security_mirror", scalar("https://mirrors.tuna.tsinghua.edu.cn/debian-security/")}});
  converge(h, *step);
  std::string expected = replace_all(kDebian12, "URIs: http://deb.debian.org/debian\n",
                                     "URIs: https://mirrors.tuna.tsinghua.edu.cn/debian/\n");
  expected = replace_all(expected, "URIs: http://deb.debian.org/debian-security\n",
                         "URIs: https://mirrors.tuna.tsinghua.edu.cn/debian-security/\n");
  EXPECT_EQ(content(h, kDebianSources), expected);
}

TEST(AptMirror, ThirdPartyRepositoriesAreLeftAlone) {
  FakeHost h;
  const std::string cuda = fixture("cuda-ubuntu2204-12-2-local.list");
  const std::string docker =
      "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable\n";
  const std::string ppa = "deb https://ppa.launchpadcontent.net/graphics-drivers/ppa/ubuntu/ jammy main\n";
  const std::string ros =
      "Types: deb\nURIs: http://packages.ros.org/ros2/ubuntu\nSuites: jammy\nComponents: main\n";
  h.fs.add_file(kList, "deb http://archive.ubuntu.com/ubuntu/ jammy main\n" + ppa);
  h.fs.add_file("/etc/apt/sources.list.d/cuda-ubuntu2204-12-2-local.list", cuda);
  h.fs.add_file("/etc/apt/sources.list.d/docker.list", docker);
  h.fs.add_file("/etc/apt/sources.list.d/ros2.sources", ros);
  h.fs.add_file("/etc/apt/sources.list.d/old.list.save", "deb http://archive.ubuntu.com/ubuntu/ jammy main\n");
  auto step = aliyun({{"security_mirror", scalar(kAliyun)}, {"enable_source", scalar("true")}});
  StepPlan plan = converge(h, *step);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].target, kList);
  EXPECT_EQ(content(h, kList),
            "deb https://mirrors.aliyun.com/ubuntu/ jammy main\n"
            "deb-src https://mirrors.aliyun.com/ubuntu/ jammy main\n" +
                ppa);
  EXPECT_EQ(content(h, "/etc/apt/sources.list.d/cuda-ubuntu2204-12-2-local.list"), cuda);
  EXPECT_EQ(content(h, "/etc/apt/sources.list.d/docker.list"), docker);
  EXPECT_EQ(content(h, "/etc/apt/sources.list.d/ros2.sources"), ros);
  EXPECT_EQ(content(h, "/etc/apt/sources.list.d/old.list.save"), "deb http://archive.ubuntu.com/ubuntu/ jammy main\n");
}

TEST(AptMirror, OptionsInBracketsAreKept) {
  FakeHost h;
  h.fs.add_file(kList,
                "deb [arch=amd64 signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] "
                "http://archive.ubuntu.com/ubuntu jammy main universe # the archive\n");
  converge(h, *aliyun());
  EXPECT_EQ(content(h, kList),
            "deb [arch=amd64 signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] "
            "https://mirrors.aliyun.com/ubuntu/ jammy main universe # the archive\n");
}

TEST(AptMirror, NoArchiveEntryIsAStepError) {
  const std::vector<std::pair<std::string, std::string>> trees = {
      {"/etc/apt/sources.list.d/cuda-ubuntu2204-12-2-local.list", fixture("cuda-ubuntu2204-12-2-local.list")},
      {kList, fixture("ubuntu-24.04-sources.list")},
      {kList, "# deb http://archive.ubuntu.com/ubuntu/ jammy main\n"},  // commented out only
  };
  for (const auto& [path, text] : trees) {
    SCOPED_TRACE(path);
    FakeHost h;
    h.fs.add_file(path, text);
    Context ctx = h.context();
    try {
      aliyun()->plan(ctx);
      ADD_FAILURE() << "no StepError";
    } catch (const StepError& e) {
      EXPECT_STREQ(e.what(),
                   "step 'apt-mirror': no distribution archive entry found in /etc/apt/sources.list or sources.list.d");
    }
  }
}

TEST(AptMirror, EnableSourceOnAndOffOneLine) {
  FakeHost h;
  const std::string original = fixture("ubuntu-22.04-sources.list");
  h.fs.add_file(kList, original);
  const std::string swapped = replace_all(original, "http://archive.ubuntu.com/ubuntu/", kAliyun);

  StepPlan on = converge(h, *aliyun({{"enable_source", scalar("true")}}));
  EXPECT_EQ(on.changes.at(0).reason, "archive -> https://mirrors.aliyun.com/ubuntu/; deb-src enabled");
  EXPECT_EQ(content(h, kList), replace_all(swapped, "# deb-src ", "deb-src "));
  EXPECT_NE(content(h, kList).find("\ndeb-src http://security.ubuntu.com/ubuntu/ jammy-security universe\n"),
            std::string::npos);

  converge(h, *aliyun({{"enable_source", scalar("false")}}));
  EXPECT_EQ(content(h, kList), swapped);

  // Absent: deb-src lines stay as they are, enabled or not.
  h.fs.put(kList, "deb http://archive.ubuntu.com/ubuntu/ jammy main\ndeb-src http://archive.ubuntu.com/ubuntu/ jammy main\n");
  converge(h, *aliyun());
  EXPECT_EQ(content(h, kList),
            "deb https://mirrors.aliyun.com/ubuntu/ jammy main\ndeb-src https://mirrors.aliyun.com/ubuntu/ jammy main\n");
}

TEST(AptMirror, SuitesRemovedAndAddedOneLine) {
  FakeHost h;
  const std::string original = fixture("ubuntu-22.04-sources.list");
  h.fs.add_file(kList, original);
  converge(h, *aliyun({{"suites", list({"jammy", "jammy-updates", "jammy-security"})}}));
  const std::string after = content(h, kList);
  EXPECT_EQ(after.find("jammy-backports"), std::string::npos);
  EXPECT_NE(after.find("\ndeb http://security.ubuntu.com/ubuntu/ jammy-security multiverse\n"), std::string::npos);
  EXPECT_NE(after.find("\ndeb https://mirrors.aliyun.com/ubuntu/ jammy-updates multiverse\n"), std::string::npos);

  converge(h, *aliyun({{"suites", list({"jammy", "jammy-updates", "jammy-proposed"})}}));
  const std::string added =
      "# deb-src https://mirrors.aliyun.com/ubuntu/ jammy-updates multiverse\n"
      "deb https://mirrors.aliyun.com/ubuntu/ jammy-proposed main restricted\n"
      "# deb-src https://mirrors.aliyun.com/ubuntu/ jammy-proposed main restricted\n"
      "deb https://mirrors.aliyun.com/ubuntu/ jammy-proposed universe\n"
      "# deb-src https://mirrors.aliyun.com/ubuntu/ jammy-proposed universe\n"
      "deb https://mirrors.aliyun.com/ubuntu/ jammy-proposed multiverse\n"
      "# deb-src https://mirrors.aliyun.com/ubuntu/ jammy-proposed multiverse\n"
      "\n"
      "## N.B. software from this repository may not have been tested as\n";
  EXPECT_NE(content(h, kList).find(added), std::string::npos) << content(h, kList);
}

TEST(AptMirror, SuitesDeb822) {
  FakeHost h;
  const std::string sources = fixture("ubuntu-24.04-ubuntu.sources");
  h.fs.add_file(kUbuntuSources, sources);
  converge(h, *aliyun({{"suites", list({"noble", "noble-updates", "noble-proposed"})}}));
  std::string expected = replace_all(sources, "http://archive.ubuntu.com/ubuntu/", kAliyun);
  expected = replace_all(expected, "Suites: noble noble-updates noble-backports\n",
                         "Suites: noble noble-updates noble-proposed\n");
  EXPECT_EQ(content(h, kUbuntuSources), expected);
}

TEST(AptMirror, SuitesDeb822OneStanzaPerSuite) {
  FakeHost h;
  h.fs.add_file(kUbuntuSources,
                "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble\nComponents: main\n\n"
                "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble-updates\nComponents: main\n\n"
                "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble-backports\nComponents: main\n\n"
                "Types: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\nComponents: main\n");
  StepPlan plan = converge(h, *aliyun({{"suites", list({"noble-proposed", "noble", "noble-updates"})}}));
  EXPECT_EQ(plan.changes.at(0).reason,
            "suite noble-backports removed; suite noble-proposed added; archive -> https://mirrors.aliyun.com/ubuntu/");
  EXPECT_EQ(content(h, kUbuntuSources),
            "Types: deb\nURIs: https://mirrors.aliyun.com/ubuntu/\nSuites: noble noble-proposed\nComponents: main\n\n"
            "Types: deb\nURIs: https://mirrors.aliyun.com/ubuntu/\nSuites: noble-updates\nComponents: main\n\n"
            "Types: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\nComponents: main\n");
}

TEST(AptMirror, EnableSourceFalseDisablesASourceOnlyStanza) {
  FakeHost h;
  const std::string text =
      "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble\nComponents: main\n\n"
      "Types: deb-src\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble\nComponents: main\n";
  h.fs.add_file(kUbuntuSources, text);
  converge(h, *aliyun({{"enable_source", scalar("false")}}));
  EXPECT_EQ(content(h, kUbuntuSources),
            "Types: deb\nURIs: https://mirrors.aliyun.com/ubuntu/\nSuites: noble\nComponents: main\n\n"
            "Types: deb-src\nURIs: https://mirrors.aliyun.com/ubuntu/\nSuites: noble\nComponents: main\nEnabled: no\n");
}

const char* const kMixed =
    "Types: deb\n"
    "URIs: http://archive.ubuntu.com/ubuntu/\n"
    "Suites: noble noble-updates noble-security\n"
    "Components: main universe\n"
    "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n";

TEST(AptMirror, MixedStanzaIsSplitWhenSecurityStaysOrGoesElsewhere) {
  FakeHost h;
  h.fs.add_file(kUbuntuSources, kMixed);
  converge(h, *aliyun());
  EXPECT_EQ(content(h, kUbuntuSources),
            "Types: deb\n"
            "URIs: https://mirrors.aliyun.com/ubuntu/\n"
            "Suites: noble noble-updates\n"
            "Components: main universe\n"
            "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
            "\n"
            "Types: deb\n"
            "URIs: http://archive.ubuntu.com/ubuntu/\n"
            "Suites: noble-security\n"
            "Components: main universe\n"
            "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n");
}

TEST(AptMirror, MixedStanzaStaysWholeWhenBothGoToTheMirror) {
  FakeHost h;
  h.fs.add_file(kUbuntuSources, kMixed);
  StepPlan plan = converge(h, *aliyun({{"security_mirror", scalar(kAliyun)}}));
  EXPECT_EQ(plan.changes.at(0).reason,
            "archive -> https://mirrors.aliyun.com/ubuntu/; security -> https://mirrors.aliyun.com/ubuntu/");
  EXPECT_EQ(content(h, kUbuntuSources), replace_all(kMixed, "http://archive.ubuntu.com/ubuntu/", kAliyun));
}

TEST(AptMirror, ApplyRefusesAFileChangedSincePlanned) {
  FakeHost h;
  h.fs.add_file(kList, "deb http://archive.ubuntu.com/ubuntu/ jammy main\n");
  auto step = aliyun();
  Context ctx = h.context();
  StepPlan plan = step->plan(ctx);
  h.fs.put(kList, "deb http://archive.ubuntu.com/ubuntu/ jammy main universe\n");
  EXPECT_THROW(step->apply(ctx, plan), StepError);
  EXPECT_TRUE(h.fs.log().empty());
}

TEST(AptMirror, SymlinkedListIsWarnedAboutAndLeftAlone) {
  FakeHost h;
  h.fs.add_file(kList, "deb http://archive.ubuntu.com/ubuntu/ jammy main\n");
  h.fs.add_symlink("/etc/apt/sources.list.d/extra.list", "/srv/extra.list");
  Context ctx = h.context();
  StepPlan plan = aliyun()->plan(ctx);
  EXPECT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.warnings,
            (std::vector<std::string>{"/etc/apt/sources.list.d/extra.list is not a regular file; left as it is"}));
}

struct BadField {
  std::vector<std::pair<std::string, Value>> fields;
  std::string message;
};

TEST(AptMirror, FactoryRejectsBadValuesAtTheirPosition) {
  const std::vector<BadField> cases = {
      {{{"mirror", scalar("mirrors.aliyun.com/ubuntu")}},
       "recipe.yaml:3:5: step 'apt-mirror': mirror must be a URI such as https://mirrors.aliyun.com/ubuntu/, "
       "found 'mirrors.aliyun.com/ubuntu'"},
      {{{"mirror", scalar(kAliyun)}, {"security_mirror", scalar("https://")}},
       "recipe.yaml:3:5: step 'apt-mirror': security_mirror must be a URI such as "
       "https://mirrors.aliyun.com/ubuntu/, found 'https://'"},
      {{{"mirror", scalar(kAliyun)}, {"suites", list({"jammy", "jammy updates"})}},
       "recipe.yaml:4:5: step 'apt-mirror': invalid suite name 'jammy updates'"},
  };
  for (const auto& c : cases) {
    try {
      make_step(c.fields);
      ADD_FAILURE() << "accepted: " << c.message;
    } catch (const RecipeError& e) {
      EXPECT_EQ(std::string(e.what()), c.message);
    }
  }
}

TEST(AptMirror, TypeDescribesItsFields) {
  StepType t = steps::apt_mirror_type();
  EXPECT_EQ(t.name, "apt_mirror");
  std::vector<std::string> names;
  for (const auto& f : t.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"mirror", "security_mirror", "enable_source", "suites"}));
  EXPECT_TRUE(t.fields[0].required);
  EXPECT_EQ(t.fields[3].type, FieldType::StringList);
  EXPECT_NE(t.example.find("type: apt_mirror"), std::string::npos);
}

}  // namespace
}  // namespace aiprov
