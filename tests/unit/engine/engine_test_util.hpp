#pragma once
/// A scriptable step for engine tests: changes until applied (or never, when told not to converge).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aiprov/engine.hpp"
#include "fakes/fake_host.hpp"

namespace aiprov::testing {

struct Script {
  std::map<std::string, bool> done;
  std::vector<std::string> events;
};

class ScriptedStep : public Step {
 public:
  ScriptedStep(std::string id, Script& script) : m_id(std::move(id)), m_script(script) {}
  ScriptedStep& provides(std::string key) { m_provides.push_back(std::move(key)); return *this; }
  ScriptedStep& apt() { m_uses_apt = true; return *this; }
  ScriptedStep& never_converges() { m_converges = false; return *this; }
  ScriptedStep& depends_on_pending(std::string key) { m_depends_key = std::move(key); return *this; }

  StepPlan plan(Context& ctx) const override {
    m_script.events.push_back("plan " + m_id);
    StepPlan p;
    if (m_script.done[m_id]) return p;
    Change c;
    c.action = Change::Action::Create;
    c.target = "/" + m_id;
    c.reason = "absent";
    c.provides = m_provides;
    p.changes.push_back(c);
    if (!m_depends_key.empty() && !ctx.pending_by(m_depends_key).empty())
      p.depends_on = "needs " + m_depends_key + " from step '" + ctx.pending_by(m_depends_key) + "'";
    return p;
  }
  void apply(Context&, const StepPlan&) override {
    m_script.events.push_back("apply " + m_id);
    if (m_converges) m_script.done[m_id] = true;
  }
  bool uses_apt() const override { return m_uses_apt; }

 private:
  std::string m_id;
  Script& m_script;
  std::vector<std::string> m_provides;
  bool m_uses_apt = false;
  bool m_converges = true;
  std::string m_depends_key;
};

/// Builds a Recipe of scripted steps in place.
struct RecipeBuilder {
  Recipe recipe;
  Script& script;
  explicit RecipeBuilder(Script& s) : script(s) { recipe.name = "t"; recipe.path = "t.yaml"; }
  ScriptedStep& step(const std::string& id, std::vector<std::string> tags = {}, bool handler = false) {
    StepDecl d;
    d.id = id;
    d.type = "scripted";
    d.tags = std::move(tags);
    auto s = std::make_unique<ScriptedStep>(id, script);
    ScriptedStep& ref = *s;
    d.step = std::move(s);
    (handler ? recipe.handlers : recipe.steps).push_back(std::move(d));
    return ref;
  }
  StepDecl& last() { return recipe.steps.back(); }
};

}  // namespace aiprov::testing
