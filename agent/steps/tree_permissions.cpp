/// Step type `tree_permissions`: the group, owner and chmod-style symbolic mode of a whole tree (a
/// shared Anaconda install, a team data directory), in one walk, changing only the entries that
/// differ. Unlike the usual `chmod 770 -R`, `X` makes executable only directories and files that
/// already have an execute bit. Symbolic links are left alone entirely: no chmod (it would follow
/// the link) and no lchown either; the walk never follows them. Each change is made relative to the
/// directory the walk holds open (FileSystem::walk_change), never by path: in a group-writable tree
/// a member could otherwise swap a directory for a link to /etc between the walk and the change.

#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "host/accounts.hpp"
#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"
#include "steps/symbolic_mode.hpp"

namespace aiprov::steps {
namespace {

constexpr std::size_t kDetailLines = 20;
constexpr std::size_t kProgressEvery = 50000;

/// "1234567" -> "1,234,567".
std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

/// What one entry needs.
struct EntryDiff {
  bool owner = false;
  bool group = false;
  unsigned from_mode = 0;
  unsigned to_mode = 0;
  bool mode() const { return from_mode != to_mode; }
  bool any() const { return owner || group || mode(); }
};

/// Names of uids and gids in the root's files, read once when first asked.
class AccountNames {
 public:
  explicit AccountNames(const FileSystem& fs) : m_fs(fs) {}
  std::string user(uid_t uid) {
    if (!m_loaded) load();
    auto it = m_users.find(uid);
    return it == m_users.end() ? std::to_string(uid) : it->second;
  }
  std::string group(gid_t gid) {
    if (!m_loaded) load();
    auto it = m_groups.find(gid);
    return it == m_groups.end() ? std::to_string(gid) : it->second;
  }

 private:
  void load() {
    m_loaded = true;
    if (auto text = m_fs.read("/etc/passwd"))
      for (const auto& u : parse_passwd_file(*text)) m_users.emplace(u.uid, u.name);
    if (auto text = m_fs.read("/etc/group"))
      for (const auto& g : parse_group_file(*text)) m_groups.emplace(g.gid, g.name);
  }
  const FileSystem& m_fs;
  bool m_loaded = false;
  std::map<uid_t, std::string> m_users;
  std::map<gid_t, std::string> m_groups;
};

/// Counts of a planning walk and the first few entries' changes.
struct Tally {
  std::size_t entries = 0, symlinks = 0, changed = 0, owner = 0, group = 0, mode = 0;
  std::vector<std::string> detail;
};

class TreePermissionsStep : public Step {
 public:
  TreePermissionsStep(std::string id, std::string path, SymbolicMode mode, Ownership own, bool setgid_dirs)
      : m_id(std::move(id)), m_path(std::move(path)), m_mode(std::move(mode)), m_own(std::move(own)),
        m_setgid_dirs(setgid_dirs) {}

  /// The permission bits the rule gives an entry whose bits are `mode`.
  unsigned wanted_mode(unsigned mode, bool is_dir) const {
    unsigned m = m_mode.apply(mode, is_dir);
    return is_dir && m_setgid_dirs ? m | S_ISGID : m;
  }

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    const FileSystem& fs = ctx.host.fs;
    std::string by = pending_at_or_under(ctx);
    auto st = fs.stat(m_path);
    if (!st) {
      if (by.empty()) step_fail(m_id, "path " + m_path + " does not exist");
      plan.depends_on = m_path + " is created by step '" + by + "'";
      return plan;
    }
    check_top(*st);
    ResolvedOwnership ids = resolve_ownership(ctx, m_id, m_own);
    plan.depends_on = ids.depends_on;
    if (plan.depends_on.empty() && !by.empty())
      plan.depends_on = m_path + " or entries under it are changed by step '" + by + "'";

    Tally t;
    AccountNames names(fs);
    fs.walk(m_path, [&](const WalkEntry& e) {
      if (++t.entries % kProgressEvery == 0) report(ctx, "checked", t.entries, t.changed);
      if (e.stat.is_symlink()) {
        ++t.symlinks;
        return true;
      }
      EntryDiff d = diff(e.stat, ids);
      if (!d.any()) return true;
      ++t.changed;
      t.owner += d.owner;
      t.group += d.group;
      t.mode += d.mode();
      if (t.detail.size() < kDetailLines) t.detail.push_back(describe(e, d, names));
      return true;
    });
    if (t.changed == 0) return plan;
    plan.changes.push_back({Change::Action::Update, m_path, summary(t), detail(t), {"path:" + m_path}});
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    FileSystem& fs = ctx.host.fs;
    auto st = fs.stat(m_path);
    if (!st) step_fail(m_id, "path " + m_path + " does not exist");
    check_top(*st);
    ResolvedOwnership ids = resolve_for_apply(ctx, m_id, m_own);
    std::size_t seen = 0, changed = 0;
    try {
      // Changes go through the directory the walk holds open, not the entry's path: a group member
      // who swaps a directory for a symbolic link while the walk is below it cannot redirect them.
      fs.walk_change(m_path, [&](const WalkEntry& e, EntryChanger& change) {
        if (++seen % kProgressEvery == 0) report(ctx, "walked", seen, changed);
        if (e.stat.is_symlink()) return true;
        EntryDiff d = diff(e.stat, ids);
        if (!d.any()) return true;
        ++changed;
        unsigned now = d.from_mode;
        // chown before chmod: chown clears setuid/setgid of executables; look again when it may have.
        if (d.owner || d.group) {
          change.chown(ids.uid.value_or(e.stat.uid), ids.gid.value_or(e.stat.gid));
          if (now & (S_ISUID | S_ISGID))
            if (auto again = change.stat()) now = again->mode & 07777u;
        }
        if (now != d.to_mode) change.chmod(d.to_mode);
        return true;
      });
    } catch (const HostError& e) {
      step_fail(m_id, std::string(e.what()) + " (after changing " + with_commas(changed) + " entries)");
    }
  }

 private:
  EntryDiff diff(const FileStat& st, const ResolvedOwnership& ids) const {
    EntryDiff d;
    d.owner = m_own.owner && (!ids.uid || st.uid != *ids.uid);
    d.group = m_own.group && (!ids.gid || st.gid != *ids.gid);
    d.from_mode = st.mode & 07777u;
    d.to_mode = wanted_mode(d.from_mode, st.is_dir());
    return d;
  }

  /// "/srv/x/a: group root -> anaconda, mode 0644 -> 0660".
  std::string describe(const WalkEntry& e, const EntryDiff& d, AccountNames& names) const {
    std::vector<std::string> parts;
    if (d.owner) parts.push_back("owner " + names.user(e.stat.uid) + " -> " + *m_own.owner);
    if (d.group) parts.push_back("group " + names.group(e.stat.gid) + " -> " + *m_own.group);
    if (d.mode()) parts.push_back("mode " + mode_text(d.from_mode) + " -> " + mode_text(d.to_mode));
    std::string line = e.path + (e.stat.is_dir() ? "/" : "") + ":";
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : " ") + parts[i];
    return line;
  }

  /// "1,234 of 500,000 entries: 1,200 group, 34 mode; 3 symbolic links left alone".
  static std::string summary(const Tally& t) {
    std::string s = with_commas(t.changed) + " of " + with_commas(t.entries) + " entries:";
    std::string sep = " ";
    for (auto [n, what] : {std::pair{t.owner, "owner"}, {t.group, "group"}, {t.mode, "mode"}}) {
      if (n == 0) continue;
      s += sep + with_commas(n) + " " + what;
      sep = ", ";
    }
    if (t.symlinks) s += "; " + with_commas(t.symlinks) + " symbolic link" + (t.symlinks == 1 ? "" : "s") + " left alone";
    return s;
  }

  static std::string detail(const Tally& t) {
    std::string s;
    for (const auto& line : t.detail) s += line + "\n";
    if (t.changed > t.detail.size()) s += "... and " + with_commas(t.changed - t.detail.size()) + " more\n";
    return s;
  }

  void check_top(const FileStat& st) const {
    if (st.is_symlink())
      step_fail(m_id, "path " + m_path + " is a symbolic link; name the directory it points to");
  }

  /// The id of an earlier step whose planned change is at m_path or below it, or "".
  std::string pending_at_or_under(const Context& ctx) const {
    const std::string key = "path:" + m_path;
    const std::string prefix = m_path == "/" ? key : key + "/";
    if (auto it = ctx.pending.find(key); it != ctx.pending.end()) return it->second;
    auto it = ctx.pending.lower_bound(prefix);
    if (it != ctx.pending.end() && it->first.compare(0, prefix.size(), prefix) == 0) return it->second;
    return "";
  }

  void report(const Context& ctx, const char* verb, std::size_t entries, std::size_t changed) const {
    if (ctx.progress)
      ctx.progress(m_path + ": " + with_commas(entries) + " entries " + verb + ", " + with_commas(changed) +
                   " to change");
  }

  std::string m_id;
  std::string m_path;
  SymbolicMode m_mode;
  Ownership m_own;
  bool m_setgid_dirs;
};

std::unique_ptr<Step> make_tree_permissions(const StepSpec& spec) {
  std::string path = spec.absolute_path("path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string text = spec.str("mode");
  SymbolicMode::Error error;
  auto mode = SymbolicMode::parse(text, &error);
  if (!mode) spec.fail("mode", "step '" + spec.id() + "': mode '" + text + "': " + error.message);
  Ownership own;
  own.owner = spec.opt_str("owner");
  own.group = spec.opt_str("group");
  auto step = std::make_unique<TreePermissionsStep>(spec.id(), path, *mode, own, spec.boolean("setgid_dirs", false));
  // The rule must be stable, or every run would change the tree again ("u-x,g=X" is not).
  for (bool is_dir : {false, true})
    for (unsigned m = 0; m <= 07777u; ++m) {
      unsigned once = step->wanted_mode(m, is_dir), twice = step->wanted_mode(once, is_dir);
      if (once != twice)
        spec.fail("mode", "step '" + spec.id() + "': mode '" + text + "' is not stable: it turns a " +
                              (is_dir ? "directory" : "file") + " with mode " + mode_text(m) + " into " +
                              mode_text(once) + ", and that into " + mode_text(twice) + " on the next run");
    }
  return step;
}

}  // namespace

StepType tree_permissions_type() {
  StepType t;
  t.name = "tree_permissions";
  t.summary = "Group, owner and chmod-style symbolic mode of a whole tree, changing only what differs";
  t.fields = {
      {"path", FieldType::String, true, "absolute logical path of the tree's top (not a symbolic link)"},
      {"mode", FieldType::String, true,
       "symbolic mode as chmod's, e.g. u=rwX,g=rwX,o= (X: execute only for directories and files that "
       "already have it; no umask applies)"},
      {"group", FieldType::String, false, "group name or gid in the root's /etc/group"},
      {"owner", FieldType::String, false, "user name or uid in the root's /etc/passwd"},
      {"setgid_dirs", FieldType::Bool, false,
       "give every directory the setgid bit, so new files inherit the group (default false; false does "
       "not remove it: write g-s in mode for that)"},
  };
  t.example =
      "- id: anaconda-permissions\n"
      "  type: tree_permissions\n"
      "  path: /opt/anaconda3\n"
      "  group: anaconda\n"
      "  mode: \"u=rwX,g=rwX,o=rX\"\n"
      "  setgid_dirs: true\n";
  t.factory = make_tree_permissions;
  return t;
}

}  // namespace aiprov::steps
