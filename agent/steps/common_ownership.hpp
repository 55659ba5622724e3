#pragma once
/// Private helpers of the step types: the mode/owner/group a step asks for, resolved against the
/// root tree's /etc/passwd and /etc/group (never the host's NSS), compared and applied.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "aiprov/step.hpp"

namespace aiprov::steps {

/// The metadata fields common to file, directory and ini (`mode`, `owner`, `group`); unset: leave
/// as it is (or the default for something new).
struct Ownership {
  std::optional<unsigned> mode;
  std::optional<std::string> owner;
  std::optional<std::string> group;

  /// Reads `mode`, `owner` and `group` from a step's fields.
  static Ownership from_spec(const StepSpec& spec);
};

/// Ownership resolved to ids. depends_on is set when the group does not exist yet but an earlier
/// step creates it ("group 'g' is created by step 'y'"); the gid is then unknown.
struct ResolvedOwnership {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string depends_on;
};

/// Resolves names or numeric ids in the root's account files. Throws StepError
/// "step 'x': owner 'bob' does not exist" / "step 'x': group 'g' does not exist" when unknown and no
/// earlier step creates it ("user:<name>" / "group:<name>" in ctx.pending).
ResolvedOwnership resolve_ownership(const Context& ctx, const std::string& step_id, const Ownership& want);

/// The differences between an existing path's metadata and the wanted one, one reason each:
/// "mode 0644 -> 0600", "owner root -> alice", "group root -> anaconda".
std::vector<std::string> metadata_reasons(const FileSystem& fs, const FileStat& current, const Ownership& want,
                                          const ResolvedOwnership& ids);

/// Brings an existing path's owner, group and mode to the wanted ones (chown before chmod, so that a
/// setgid bit survives). Does nothing for what is unset or already right.
void apply_metadata(FileSystem& fs, const std::string& path, const FileStat& current, const Ownership& want,
                    const ResolvedOwnership& ids);

/// "0644"-style text of a mode.
std::string mode_text(unsigned mode);

/// The parent of a logical path ("/" for "/x").
std::string parent_path(const std::string& path);

/// The nearest missing ancestors of `path` (outermost first); empty when the parent exists.
std::vector<std::string> missing_parents(const FileSystem& fs, const std::string& path);

/// Creates the missing ancestors of `path` as 0755 root:root directories.
void create_parents(FileSystem& fs, const std::string& path);

/// "step '<id>': <message>" as a StepError.
[[noreturn]] void step_fail(const std::string& step_id, const std::string& message);

}  // namespace aiprov::steps
