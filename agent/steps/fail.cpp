/// Step type `fail`: stops the plan with a message. It has no changes to make; planning it throws
/// StepError "step '<id>': <message>", so neither plan nor apply goes past it and nothing on the host
/// changes. Written with a `when:` that recognises a situation the recipe cannot go on from, such as
/// an installer whose checksum nobody gave:
///
///   - id: anaconda-checksum
///     type: fail
///     when: anaconda_installer_sha256 == ""
///     message: set anaconda_installer_sha256 to the SHA-256 published for ${anaconda_installer_url}

#include <memory>
#include <string>
#include <utility>

#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class FailStep : public Step {
 public:
  FailStep(std::string id, std::string message) : m_id(std::move(id)), m_message(std::move(message)) {}

  StepPlan plan(Context&) const override { step_fail(m_id, m_message); }

  /// Never reached: plan always throws, and apply is only given a plan this step returned.
  void apply(Context&, const StepPlan&) override { step_fail(m_id, m_message); }

 private:
  std::string m_id;
  std::string m_message;
};

std::unique_ptr<Step> make_fail(const StepSpec& spec) {
  std::string message = spec.str("message");
  if (message.find_first_not_of(" \t\r\n") == std::string::npos)
    spec.fail("message", "step '" + spec.id() + "': message must not be empty");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return std::make_unique<FailStep>(spec.id(), std::move(message));
}

}  // namespace

StepType fail_type() {
  StepType t;
  t.name = "fail";
  t.summary = "Stops the plan with a message (used with `when`, e.g. a checksum nobody set)";
  t.fields = {
      {"message", FieldType::String, true, "what is wrong and what to do: the plan fails with this text"},
  };
  t.example =
      "- id: ubuntu-only\n"
      "  type: fail\n"
      "  when: facts.os.id != \"ubuntu\"\n"
      "  message: this recipe is written for Ubuntu 22.04 and 24.04\n";
  t.factory = make_fail;
  return t;
}

}  // namespace aiprov::steps
