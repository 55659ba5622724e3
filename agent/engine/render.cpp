#include <sstream>

#include "aiprov/engine.hpp"

namespace aiprov {

namespace {

struct Palette {
  bool on;
  std::string paint(const char* code, const std::string& s) const {
    return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
  std::string green(const std::string& s) const { return paint("32", s); }
  std::string yellow(const std::string& s) const { return paint("33", s); }
  std::string red(const std::string& s) const { return paint("31", s); }
  std::string cyan(const std::string& s) const { return paint("36", s); }
  std::string dim(const std::string& s) const { return paint("2", s); }
  std::string bold(const std::string& s) const { return paint("1", s); }
};

const char* action_name(Change::Action a) {
  switch (a) {
    case Change::Action::Create: return "create";
    case Change::Action::Update: return "update";
    case Change::Action::Remove: return "remove";
    case Change::Action::Run: return "run";
  }
  return "?";
}

std::string colored_symbol(const Palette& p, Change::Action a) {
  switch (a) {
    case Change::Action::Create: return p.green("+");
    case Change::Action::Update: return p.yellow("~");
    case Change::Action::Remove: return p.red("-");
    case Change::Action::Run: return p.cyan("!");
  }
  return "?";
}

void render_detail(std::ostringstream& out, const Palette& p, const std::string& detail) {
  std::istringstream in(detail);
  std::string line;
  while (std::getline(in, line)) {
    std::string shown = line;
    if (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0) shown = p.bold(line);
    else if (!line.empty() && line[0] == '+') shown = p.green(line);
    else if (!line.empty() && line[0] == '-') shown = p.red(line);
    else if (line.rfind("@@", 0) == 0) shown = p.cyan(line);
    out << "        " << shown << "\n";
  }
}

const char* status_name(PlannedStep::Status s) {
  switch (s) {
    case PlannedStep::Status::Converged: return "converged";
    case PlannedStep::Status::Changes: return "changes";
    case PlannedStep::Status::Skipped: return "skipped";
    case PlannedStep::Status::Filtered: return "filtered";
  }
  return "?";
}

}  // namespace

std::string render_plan(const Plan& plan, const RenderOptions& options) {
  Palette p{options.color};
  std::ostringstream out;
  out << p.bold("aiprov plan: " + (plan.recipe_name.empty() ? plan.recipe_path : plan.recipe_name)) << " ("
      << plan.recipe_path << "), root " << plan.root << "\n";
  if (!plan.overridden_facts.empty()) {
    out << "facts overridden:";
    for (const auto& f : plan.overridden_facts) out << " " << f;
    out << "\n";
  }
  out << "\n";
  int creates = 0, updates = 0, removes = 0, runs = 0, converged = 0, skipped = 0, deferred = 0;
  for (const auto& s : plan.steps) {
    const std::string name = s.decl->id + " (" + s.decl->type + (s.handler ? ", handler" : "") + ")";
    switch (s.status) {
      case PlannedStep::Status::Converged:
        ++converged;
        if (options.verbose) out << "  " << p.dim("= " + name + ": converged") << "\n";
        continue;
      case PlannedStep::Status::Skipped:
      case PlannedStep::Status::Filtered:
        ++skipped;
        if (options.verbose) out << "  " << p.dim("  " + name + ": skipped, " + s.why) << "\n";
        continue;
      case PlannedStep::Status::Changes:
        break;
    }
    out << "  " << p.bold(name);
    if (s.handler && !s.notified_by.empty()) {
      out << "  runs when notified by";
      for (const auto& n : s.notified_by) out << " " << n;
    }
    out << "\n";
    if (!s.plan.depends_on.empty()) {
      ++deferred;
      out << "    " << p.yellow("?") << " depends on an earlier change: " << s.plan.depends_on
          << "; planned again when it runs\n";
    }
    for (const auto& c : s.plan.changes) {
      switch (c.action) {
        case Change::Action::Create: ++creates; break;
        case Change::Action::Update: ++updates; break;
        case Change::Action::Remove: ++removes; break;
        case Change::Action::Run: ++runs; break;
      }
      out << "    " << colored_symbol(p, c.action) << " " << c.target;
      if (!c.reason.empty()) out << p.dim("  (" + c.reason + ")");
      out << "\n";
      if (!c.detail.empty()) render_detail(out, p, c.detail);
    }
    for (const auto& w : s.plan.warnings) out << "    " << p.yellow("warning: ") << w << "\n";
  }
  if (plan.pending_count() == 0) {
    out << p.green("No changes.") << " " << converged << " step(s) converged";
    if (skipped) out << ", " << skipped << " skipped";
    out << ".\n";
  } else {
    out << "\n" << p.bold("Plan:") << " " << creates << " to create, " << updates << " to change, " << removes
        << " to remove, " << runs << " to run";
    if (deferred) out << ", " << deferred << " decided at apply time";
    out << "; " << converged << " converged, " << skipped << " skipped.\n";
  }
  return out.str();
}

nlohmann::json plan_to_json(const Plan& plan) {
  nlohmann::json j;
  j["recipe"] = plan.recipe_path;
  j["name"] = plan.recipe_name;
  j["root"] = plan.root;
  j["overridden_facts"] = plan.overridden_facts;
  j["pending"] = plan.pending_count();
  j["steps"] = nlohmann::json::array();
  for (const auto& s : plan.steps) {
    nlohmann::json js{{"id", s.decl->id},
                      {"type", s.decl->type},
                      {"status", status_name(s.status)},
                      {"handler", s.handler}};
    if (!s.why.empty()) js["why"] = s.why;
    if (!s.plan.depends_on.empty()) js["depends_on"] = s.plan.depends_on;
    if (!s.notified_by.empty()) js["notified_by"] = s.notified_by;
    js["changes"] = nlohmann::json::array();
    for (const auto& c : s.plan.changes) {
      nlohmann::json jc{{"action", action_name(c.action)}, {"target", c.target}, {"reason", c.reason}};
      if (!c.detail.empty()) jc["detail"] = c.detail;
      js["changes"].push_back(jc);
    }
    if (!s.plan.warnings.empty()) js["warnings"] = s.plan.warnings;
    j["steps"].push_back(js);
  }
  return j;
}

}  // namespace aiprov
