// Step type `fail`: planning it stops with the recipe's message; it never changes anything.

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

TEST(FailStepTest, PlanStopsWithTheMessage) {
  FakeHost host;
  auto step = make_step(steps::fail_type(),
                        "id: anaconda-checksum\nmessage: set anaconda_installer_sha256 to the installer's SHA-256\n");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { step->plan(ctx); }),
            "step 'anaconda-checksum': set anaconda_installer_sha256 to the installer's SHA-256");
  EXPECT_TRUE(host.proc.commands().empty());
  EXPECT_TRUE(host.fs.log().empty()) << "a fail step touches nothing";
}

TEST(FailStepTest, TrailingNewlineOfABlockScalarIsDropped) {
  FakeHost host;
  auto step = make_step(steps::fail_type(), "message: |\n  first line\n  second line\n");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { step->plan(ctx); }), "step 'x': first line\nsecond line");
}

TEST(FailStepTest, EmptyMessageIsARecipeError) {
  EXPECT_EQ(build_error(steps::fail_type(), "message: \"  \"\n"), "step 'x': message must not be empty");
  EXPECT_EQ(build_error(steps::fail_type(), "message: why\n"), "");
}

}  // namespace
}  // namespace aiprov::testing
