#include "steps/common_file.hpp"

#include "steps/diff.hpp"

namespace aiprov::steps {

std::optional<std::string> read_regular(const Context& ctx, const std::string& step_id, const std::string& path) {
  auto st = ctx.host.fs.stat(path);
  if (!st) return std::nullopt;
  if (!st->is_regular()) step_fail(step_id, path + " exists and is not a regular file");
  auto content = ctx.host.fs.read(path);
  if (!content) step_fail(step_id, "cannot read " + path);
  return content;
}

StepPlan plan_file_content(const Context& ctx, const std::string& step_id, const std::string& path,
                           const std::optional<std::string>& current, const std::string& desired,
                           const Ownership& own) {
  StepPlan plan;
  ResolvedOwnership ids = resolve_ownership(ctx, step_id, own);
  plan.depends_on = ids.depends_on;
  const std::string provides = "path:" + path;

  if (!current) {
    Change c;
    c.action = Change::Action::Create;
    c.target = path;
    c.reason = "file is absent";
    std::vector<std::string> missing = missing_parents(ctx.host.fs, path);
    if (!missing.empty()) {
      std::string by;
      for (auto it = missing.rbegin(); it != missing.rend() && by.empty(); ++it) {
        by = ctx.pending_by("path:" + *it);
        if (!by.empty()) c.reason += "; parent " + *it + " is created by step '" + by + "'";
      }
      if (by.empty()) c.reason += "; missing parent " + missing.front() + " will be created (0755)";
    }
    if (own.mode) c.reason += "; mode " + mode_text(*own.mode);
    if (own.owner) c.reason += "; owner " + *own.owner;
    if (own.group) c.reason += "; group " + *own.group;
    c.detail = unified_diff("", desired, path, false);
    c.provides = {provides};
    plan.changes.push_back(std::move(c));
    return plan;
  }

  if (*current != desired) {
    Change c;
    c.action = Change::Action::Update;
    c.target = path;
    c.reason = "content differs";
    c.detail = unified_diff(*current, desired, path);
    c.provides = {provides};
    plan.changes.push_back(std::move(c));
  }
  auto st = ctx.host.fs.stat(path);
  for (auto& reason : metadata_reasons(ctx.host.fs, *st, own, ids)) {
    Change c;
    c.action = Change::Action::Update;
    c.target = path;
    c.reason = std::move(reason);
    c.provides = {provides};
    plan.changes.push_back(std::move(c));
  }
  return plan;
}

ResolvedOwnership resolve_for_apply(const Context& ctx, const std::string& step_id, const Ownership& own) {
  ResolvedOwnership ids = resolve_ownership(ctx, step_id, own);
  if (own.owner && !ids.uid) step_fail(step_id, "owner '" + *own.owner + "' does not exist");
  if (own.group && !ids.gid) step_fail(step_id, "group '" + *own.group + "' does not exist");
  return ids;
}

void apply_file_content(Context& ctx, const std::string& step_id, const std::string& path,
                        const std::string& desired, const Ownership& own) {
  FileSystem& fs = ctx.host.fs;
  ResolvedOwnership ids = resolve_for_apply(ctx, step_id, own);
  std::optional<std::string> current = read_regular(ctx, step_id, path);
  if (!current || *current != desired) {
    if (!current) create_parents(fs, path);
    WriteOptions opts;
    opts.mode = own.mode;
    opts.uid = ids.uid;
    opts.gid = ids.gid;
    opts.backup_to = ctx.backup_path(path);
    fs.write_atomic(path, desired, opts);
    return;
  }
  apply_metadata(fs, path, *fs.stat(path), own, ids);
}

}  // namespace aiprov::steps
