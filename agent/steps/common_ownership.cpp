#include "steps/common_ownership.hpp"

#include <cstdio>

#include "host/accounts.hpp"

namespace aiprov::steps {
namespace {

/// The name of a uid/gid in the root's files, or the number when it has none.
std::string user_name(const FileSystem& fs, uid_t uid) {
  if (auto text = fs.read("/etc/passwd"))
    for (const auto& u : parse_passwd_file(*text))
      if (u.uid == uid) return u.name;
  return std::to_string(uid);
}

std::string group_name(const FileSystem& fs, gid_t gid) {
  if (auto text = fs.read("/etc/group"))
    for (const auto& g : parse_group_file(*text))
      if (g.gid == gid) return g.name;
  return std::to_string(gid);
}

}  // namespace

Ownership Ownership::from_spec(const StepSpec& spec) {
  Ownership o;
  o.mode = spec.mode("mode");
  o.owner = spec.opt_str("owner");
  o.group = spec.opt_str("group");
  return o;
}

ResolvedOwnership resolve_ownership(const Context& ctx, const std::string& step_id, const Ownership& want) {
  ResolvedOwnership r;
  const FileSystem& fs = ctx.host.fs;
  if (want.owner) {
    r.uid = resolve_uid(fs, *want.owner);
    if (!r.uid) {
      std::string by = ctx.pending_by("user:" + *want.owner);
      if (by.empty()) step_fail(step_id, "owner '" + *want.owner + "' does not exist");
      r.depends_on = "user '" + *want.owner + "' is created by step '" + by + "'";
    }
  }
  if (want.group) {
    r.gid = resolve_gid(fs, *want.group);
    if (!r.gid) {
      std::string by = ctx.pending_by("group:" + *want.group);
      if (by.empty()) step_fail(step_id, "group '" + *want.group + "' does not exist");
      if (r.depends_on.empty()) r.depends_on = "group '" + *want.group + "' is created by step '" + by + "'";
    }
  }
  return r;
}

std::vector<std::string> metadata_reasons(const FileSystem& fs, const FileStat& current, const Ownership& want,
                                          const ResolvedOwnership& ids) {
  std::vector<std::string> reasons;
  if (want.mode && (current.mode & 07777u) != *want.mode)
    reasons.push_back("mode " + mode_text(current.mode) + " -> " + mode_text(*want.mode));
  if (want.owner && (!ids.uid || current.uid != *ids.uid))
    reasons.push_back("owner " + user_name(fs, current.uid) + " -> " + *want.owner);
  if (want.group && (!ids.gid || current.gid != *ids.gid))
    reasons.push_back("group " + group_name(fs, current.gid) + " -> " + *want.group);
  return reasons;
}

void apply_metadata(FileSystem& fs, const std::string& path, const FileStat& current, const Ownership& want,
                    const ResolvedOwnership& ids) {
  uid_t uid = ids.uid.value_or(current.uid);
  gid_t gid = ids.gid.value_or(current.gid);
  if (uid != current.uid || gid != current.gid) fs.chown(path, uid, gid);
  // chown() may clear setuid/setgid bits: compare with the mode as it is now.
  if (want.mode) {
    auto now = fs.stat(path);
    unsigned mode = now ? now->mode : current.mode;
    if ((mode & 07777u) != *want.mode) fs.chmod(path, *want.mode);
  }
}

std::string mode_text(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::vector<std::string> missing_parents(const FileSystem& fs, const std::string& path) {
  std::vector<std::string> missing;
  for (std::string p = parent_path(path); p != "/" && !fs.stat(p); p = parent_path(p))
    missing.insert(missing.begin(), p);
  return missing;
}

void create_parents(FileSystem& fs, const std::string& path) {
  for (const auto& dir : missing_parents(fs, path)) fs.mkdir(dir, 0755);
}

void step_fail(const std::string& step_id, const std::string& message) {
  throw StepError("step '" + step_id + "': " + message);
}

}  // namespace aiprov::steps
