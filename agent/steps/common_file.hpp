#pragma once
/// Private helpers of the step types that manage a regular file's whole content (file, ini): plan a
/// write as a unified diff plus metadata reasons, and carry it out atomically with a backup.

#include <optional>
#include <string>

#include "aiprov/step.hpp"
#include "steps/common_ownership.hpp"

namespace aiprov::steps {

/// The current content of `path`; nullopt when it does not exist. StepError when it exists but is not
/// a regular file (a directory or a symlink is never replaced by a file step).
std::optional<std::string> read_regular(const Context& ctx, const std::string& step_id, const std::string& path);

/// The plan for making `path` hold `desired` with `own`:
///  - absent: Create with a diff from /dev/null; the reason says when parents are missing and
///    whether an earlier step creates them (else apply creates them 0755 root:root);
///  - content differs: Update "content differs" with the diff;
///  - one Update per metadata difference ("mode 0644 -> 0600").
/// Every change provides "path:<path>". An owner/group an earlier step creates sets depends_on.
StepPlan plan_file_content(const Context& ctx, const std::string& step_id, const std::string& path,
                           const std::optional<std::string>& current, const std::string& desired,
                           const Ownership& own);

/// Writes `desired` when the file is absent or differs (parents created 0755, previous content backed
/// up to ctx.backup_path(path), owner/mode kept when not given), then fixes metadata.
void apply_file_content(Context& ctx, const std::string& step_id, const std::string& path,
                        const std::string& desired, const Ownership& own);

/// resolve_ownership for apply: an owner or group that still does not exist is a StepError.
ResolvedOwnership resolve_for_apply(const Context& ctx, const std::string& step_id, const Ownership& own);

}  // namespace aiprov::steps
