#pragma once
/// Rebooting a live host in the middle of a run, and going on after it: the systemd unit
/// aiprov-resume.service that runs `aiprov resume` at the next boot, `systemctl reboot`, and the boot id
/// that tells whether the host rebooted since a checkpoint was written.

#include <string>

#include "aiprov/host.hpp"

namespace aiprov::cli {

inline constexpr const char* kResumeUnit = "aiprov-resume.service";
/// Where `apply` writes the unit when no package installed one (/usr/lib or /lib/systemd/system).
inline constexpr const char* kResumeUnitPath = "/etc/systemd/system/aiprov-resume.service";

/// The unit's text with ExecStart=`binary` resume. packaging/systemd/aiprov-resume.service is exactly
/// resume_unit_text("/usr/bin/aiprov") (a unit test keeps them equal).
std::string resume_unit_text(const std::string& binary);

/// Makes aiprov-resume.service start at the next boot: writes kResumeUnitPath (ExecStart: `binary`)
/// unless a packaged unit exists, runs `systemctl daemon-reload` when it wrote it, then
/// `systemctl enable aiprov-resume.service`. Throws StepError naming the command and its output.
void enable_resume_unit(Host& host, const std::string& binary);

/// `systemctl disable aiprov-resume.service`. Throws StepError naming the command and its output.
void disable_resume_unit(Host& host);

/// `systemctl reboot`. Throws StepError naming the command and its output.
void reboot_host(Host& host);

/// This boot's id (/proc/sys/kernel/random/boot_id, without its newline); "" when unreadable.
std::string current_boot_id();

/// The running binary (/proc/self/exe resolved); "/usr/bin/aiprov" when it cannot be resolved.
std::string self_exe();

}  // namespace aiprov::cli
