// Verification: runs a recipe's probes in order (read-only) and reports each verdict with its
// evidence, as text ("PASS id: summary", evidence of failures indented) or JSON.

#include <algorithm>
#include <chrono>
#include <sstream>

#include "aiprov/engine.hpp"

namespace aiprov {

namespace {

bool named(const ProbeDecl& decl, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (n == decl.id || std::find(decl.tags.begin(), decl.tags.end(), n) != decl.tags.end()) return true;
  return false;
}

/// The reason a probe is not run, or "" when it runs.
std::string skip_reason(const ProbeDecl& decl, const Recipe& recipe, const Context& ctx, const Selection& sel) {
  if (!sel.only.empty() && !named(decl, sel.only)) return "not selected by --only";
  if (named(decl, sel.skip)) return "not selected by --skip";
  if (!eval_when(decl, recipe, ctx.facts)) return "when: " + decl.when->text() + " is false";
  return "";
}

std::string paint(bool on, const char* code, const std::string& s) {
  return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
}

}  // namespace

bool VerifyReport::passed() const { return count(ProbeResult::Status::Fail) == 0; }

int VerifyReport::count(ProbeResult::Status s) const {
  return static_cast<int>(
      std::count_if(probes.begin(), probes.end(), [s](const ProbeOutcome& p) { return p.result.status == s; }));
}

nlohmann::json VerifyReport::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : probes) {
    nlohmann::json j = {{"id", p.id},
                        {"type", p.type},
                        {"status", probe_status_name(p.result.status)},
                        {"summary", p.result.summary},
                        {"evidence", p.result.evidence},
                        {"data", p.result.data},
                        {"seconds", p.seconds}};
    if (!p.description.empty()) j["description"] = p.description;
    if (!p.skip_reason.empty()) j["skip_reason"] = p.skip_reason;
    list.push_back(std::move(j));
  }
  return {{"passed", passed()},
          {"counts",
           {{"pass", count(ProbeResult::Status::Pass)},
            {"fail", count(ProbeResult::Status::Fail)},
            {"skip", count(ProbeResult::Status::Skip)}}},
          {"probes", std::move(list)}};
}

VerifyReport verify_recipe(const Recipe& recipe, Context& ctx, const Selection& selection) {
  VerifyReport report;
  for (const auto& decl : recipe.probes) {
    ProbeOutcome out;
    out.id = decl.id;
    out.type = decl.type;
    out.description = decl.description;
    out.skip_reason = skip_reason(decl, recipe, ctx, selection);
    if (!out.skip_reason.empty()) {
      out.result.status = ProbeResult::Status::Skip;
      out.result.summary = out.skip_reason;
      report.probes.push_back(std::move(out));
      continue;
    }
    auto started = std::chrono::steady_clock::now();
    try {
      out.result = decl.probe->run(ctx);
    } catch (const std::exception& e) {  // the contract says probes do not throw; a bug must not hide the rest
      out.result = ProbeResult{};
      out.result.status = ProbeResult::Status::Fail;
      out.result.summary = std::string("the probe failed to run: ") + e.what();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report.probes.push_back(std::move(out));
  }
  return report;
}

std::string render_verify(const VerifyReport& report, const RenderOptions& options) {
  std::ostringstream out;
  const bool c = options.color;
  for (const auto& p : report.probes) {
    const ProbeResult& r = p.result;
    switch (r.status) {
      case ProbeResult::Status::Pass: out << paint(c, "32", "PASS"); break;
      case ProbeResult::Status::Fail: out << paint(c, "31", "FAIL"); break;
      case ProbeResult::Status::Skip: out << paint(c, "33", "SKIP"); break;
    }
    out << " " << p.id << ": " << r.summary << "\n";
    const bool show = r.status == ProbeResult::Status::Fail || (options.verbose && !r.evidence.empty());
    if (!show) continue;
    std::istringstream lines(r.evidence);
    for (std::string line; std::getline(lines, line);) out << "      " << line << "\n";
  }
  out << "Verify: " << report.count(ProbeResult::Status::Pass) << " passed, "
      << report.count(ProbeResult::Status::Fail) << " failed, " << report.count(ProbeResult::Status::Skip)
      << " skipped.\n";
  return out.str();
}

}  // namespace aiprov
