#include <algorithm>
#include <map>

#include "aiprov/engine.hpp"

namespace aiprov {

int Plan::pending_count() const {
  int n = 0;
  for (const auto& s : steps)
    if (s.status == PlannedStep::Status::Changes) ++n;
  return n;
}

namespace {

PlannedStep plan_one(const StepDecl& decl, Context& ctx) {
  PlannedStep ps;
  ps.decl = &decl;
  try {
    ps.plan = decl.step->plan(ctx);
  } catch (const StepError&) {
    throw;
  } catch (const std::exception& e) {
    throw StepError("step '" + decl.id + "' (" + decl.type + "): " + e.what());
  }
  ps.status = ps.plan.converged() ? PlannedStep::Status::Converged : PlannedStep::Status::Changes;
  for (const auto& c : ps.plan.changes)
    for (const auto& key : c.provides) ctx.pending.emplace(key, decl.id);
  return ps;
}

}  // namespace

Plan make_plan(const Recipe& recipe, Context& ctx, const Selection& selection) {
  Plan plan;
  plan.recipe_name = recipe.name;
  plan.recipe_path = recipe.path;
  plan.root = ctx.host.fs.root();
  if (ctx.facts.contains("overridden"))
    for (const auto& n : ctx.facts["overridden"]) {
      std::string name = n.get<std::string>();
      const nlohmann::json* v = lookup_fact(ctx.facts, name);
      plan.overridden_facts.push_back(name + "=" + (!v ? "" : v->is_string() ? v->get<std::string>() : v->dump()));
    }

  ctx.pending.clear();
  std::map<std::string, std::vector<std::string>> notified;  // handler id -> notifying steps
  for (const auto& decl : recipe.steps) {
    if (!selection.selected(decl)) {
      PlannedStep ps;
      ps.decl = &decl;
      ps.status = PlannedStep::Status::Filtered;
      ps.why = "not selected by --only/--skip";
      plan.steps.push_back(std::move(ps));
      continue;
    }
    if (!eval_when(decl, recipe, ctx.facts)) {
      PlannedStep ps;
      ps.decl = &decl;
      ps.status = PlannedStep::Status::Skipped;
      ps.why = "when: " + decl.when->text() + " is false";
      plan.steps.push_back(std::move(ps));
      continue;
    }
    PlannedStep ps = plan_one(decl, ctx);
    if (ps.status == PlannedStep::Status::Changes)
      for (const auto& h : decl.notify) notified[h].push_back(decl.id);
    plan.steps.push_back(std::move(ps));
  }
  // Handlers run only when notified; they are planned after the steps, in their declared order.
  for (const auto& h : recipe.handlers) {
    auto it = notified.find(h.id);
    if (it == notified.end()) continue;
    PlannedStep ps = plan_one(h, ctx);
    ps.handler = true;
    ps.notified_by = it->second;
    plan.steps.push_back(std::move(ps));
  }
  return plan;
}

}  // namespace aiprov
