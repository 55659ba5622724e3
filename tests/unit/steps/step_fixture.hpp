#pragma once
/// Shared helpers of the step unit tests: build a step from YAML text, plan/apply it on a FakeHost.

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aiprov/step.hpp"
#include "fakes/fake_host.hpp"
#include "recipe/yaml_value.hpp"
#include "steps/steps.hpp"

namespace aiprov::testing {

/// The recipe file the test steps are "written in" (file's `source` resolves beside it).
inline const std::string kRecipeFile = "/recipes/test.yaml";

/// Builds a step of `type` from the YAML map `yaml` (its fields; the id is "x" unless given).
inline std::unique_ptr<Step> make_step(const StepType& type, const std::string& yaml,
                                       const std::string& recipe_file = kRecipeFile) {
  Value body = recipe::parse_yaml(yaml, recipe_file).value;
  const Value* id = body.get("id");
  StepSpec spec(id ? id->scalar : "x", type.name, body);
  return type.factory(spec);
}

/// The message of the RecipeError that building the step throws ("" when it builds).
inline std::string build_error(const StepType& type, const std::string& yaml) {
  try {
    make_step(type, yaml);
  } catch (const RecipeError& e) {
    return e.message();
  }
  return "";
}

/// The message of the StepError that `fn` throws ("" when it does not).
template <typename Fn>
std::string step_error(Fn&& fn) {
  try {
    fn();
  } catch (const StepError& e) {
    return e.what();
  }
  return "";
}

/// Plans, applies and plans again; the second plan must be converged.
inline void apply_and_expect_converged(Step& step, FakeHost& host) {
  Context ctx = host.context("/var/lib/aiprov/backups/run1");
  StepPlan plan = step.plan(ctx);
  step.apply(ctx, plan);
  StepPlan again = step.plan(ctx);
  EXPECT_TRUE(again.converged()) << (again.changes.empty() ? again.depends_on : again.changes[0].reason);
}

}  // namespace aiprov::testing
