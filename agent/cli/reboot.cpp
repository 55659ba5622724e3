// aiprov-resume.service, systemctl, boot id.
#include "cli/reboot.hpp"

#include <unistd.h>

#include <climits>
#include <fstream>

#include "aiprov/engine.hpp"

namespace aiprov::cli {
namespace {

void systemctl(Host& host, std::vector<std::string> args) {
  Command cmd;
  cmd.argv = {"systemctl"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  ProcessResult r = host.proc.run(cmd);
  if (r.ok()) return;
  std::string argv;
  for (const auto& a : cmd.argv) argv += (argv.empty() ? "" : " ") + a;
  throw StepError("`" + argv + "` exited " + std::to_string(r.exit_code) + ":\n" + r.tail());
}

}  // namespace

std::string resume_unit_text(const std::string& binary) {
  return "# Goes on with an `aiprov apply` run that stopped for a reboot (a `reboot` step): `aiprov apply`\n"
         "# enables this unit and reboots; at boot it runs `aiprov resume`, which applies the rest of the recipe\n"
         "# from /var/lib/aiprov/checkpoint.json, logs to the journal (journalctl -u aiprov-resume) and\n"
         "# disables the unit again. Without a checkpoint it does nothing.\n"
         "[Unit]\n"
         "Description=aiprov: resume the run that stopped for a reboot\n"
         "Documentation=man:aiprov(1)\n"
         "ConditionPathExists=" + std::string(kCheckpointFile) + "\n"
         "Wants=network-online.target\n"
         "After=network-online.target\n"
         "\n"
         "[Service]\n"
         "Type=oneshot\n"
         "ExecStart=" + binary + " resume\n"
         "TimeoutStartSec=infinity\n"
         "StandardOutput=journal\n"
         "StandardError=journal\n"
         "\n"
         "[Install]\n"
         "WantedBy=multi-user.target\n";
}

void enable_resume_unit(Host& host, const std::string& binary) {
  const bool packaged = host.fs.stat(std::string("/usr/lib/systemd/system/") + kResumeUnit) ||
                        host.fs.stat(std::string("/lib/systemd/system/") + kResumeUnit);
  if (!packaged) {
    std::string text = resume_unit_text(binary);
    if (host.fs.read(kResumeUnitPath) != text) {
      make_dirs(host.fs, "/etc/systemd/system", 0755);
      WriteOptions opts;
      opts.mode = 0644;
      host.fs.write_atomic(kResumeUnitPath, text, opts);
      systemctl(host, {"daemon-reload"});
    }
  }
  systemctl(host, {"enable", kResumeUnit});
}

void disable_resume_unit(Host& host) { systemctl(host, {"disable", kResumeUnit}); }

void reboot_host(Host& host) { systemctl(host, {"reboot"}); }

std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/usr/bin/aiprov";
  std::string path(buf, static_cast<std::size_t>(n));
  const std::string deleted = " (deleted)";  // the binary was replaced while running: name the new one
  if (path.size() > deleted.size() && path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0)
    path.resize(path.size() - deleted.size());
  return path;
}

}  // namespace aiprov::cli
