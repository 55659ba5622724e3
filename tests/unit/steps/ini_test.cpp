// Step type `ini` on the fake host (the editing rules themselves: ini_text_test.cpp).

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

const char* kPipStep =
    "path: /etc/pip.conf\n"
    "settings:\n"
    "  global.index-url: https://mirror.example/simple\n"
    "  install.trusted-host: mirror.example\n";

TEST(IniStepTest, ConvergedHostPlansNothing) {
  FakeHost host;
  host.fs.add_file("/etc/pip.conf",
                   "[global]\n# mirror\nindex-url = https://mirror.example/simple\n\n[install]\n"
                   "trusted-host = mirror.example\n");
  Context ctx = host.context();
  EXPECT_TRUE(make_step(steps::ini_type(), kPipStep)->plan(ctx).converged());
}

TEST(IniStepTest, ExistingFilePlansDiffAndApplyConverges) {
  FakeHost host;
  host.fs.add_file("/etc/pip.conf", "[global]\ntimeout = 60\nindex-url = https://pypi.org/simple\n");
  auto step = make_step(steps::ini_type(), kPipStep);
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Update);
  EXPECT_EQ(plan.changes[0].detail,
            "--- /etc/pip.conf\n+++ /etc/pip.conf\n@@ -1,3 +1,6 @@\n [global]\n timeout = 60\n"
            "-index-url = https://pypi.org/simple\n+index-url = https://mirror.example/simple\n+\n+[install]\n"
            "+trusted-host = mirror.example\n");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("backup /etc/pip.conf -> /var/lib/aiprov/backups/run1/etc/pip.conf",
                                         "write /etc/pip.conf"));
}

TEST(IniStepTest, MissingFileIsCreated) {
  FakeHost host;
  auto step = make_step(steps::ini_type(), std::string(kPipStep) + "mode: \"0644\"\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Create);
  apply_and_expect_converged(*step, host);
  EXPECT_EQ(host.fs.read("/etc/pip.conf"),
            "[global]\nindex-url = https://mirror.example/simple\n\n[install]\ntrusted-host = mirror.example\n");
}

TEST(IniStepTest, Errors) {
  EXPECT_EQ(build_error(steps::ini_type(), "path: /etc/pip.conf\nsettings:\n  index-url: x\n"),
            "step 'x': setting 'index-url' must be written 'section.key'");
  FakeHost host;
  host.fs.add_dir("/etc/pip.conf");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { make_step(steps::ini_type(), kPipStep)->plan(ctx); }),
            "step 'x': /etc/pip.conf exists and is not a regular file");
}

}  // namespace
}  // namespace aiprov::testing
