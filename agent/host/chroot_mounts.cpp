// The kernel file systems a chrooted command needs: proc, sysfs, /dev and /dev/pts under the root.

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov::detail {
namespace {

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += static_cast<char>(std::strtol(field.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

void ensure_dir(const std::string& path, unsigned mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return;
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    throw HostError("cannot create mount point " + path + ": " + std::strerror(errno));
  }
}

}  // namespace

bool is_mount_point(const std::string& host_path) {
  char resolved[PATH_MAX];
  if (::realpath(host_path.c_str(), resolved) == nullptr) return false;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (fields >> id >> parent >> devno >> root >> mount_point &&
        unescape_mountinfo(mount_point) == resolved) {
      return true;
    }
  }
  return false;
}

void ChrootMounts::ensure() {
  if (m_done) return;
  struct Spec {
    const char* target;  // under the root
    const char* source;
    const char* fstype;  // nullptr: bind mount
    unsigned long flags;
    unsigned dir_mode;
  };
  static const Spec kSpecs[] = {
      {"/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
      {"/sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555},
      {"/dev", "/dev", nullptr, MS_BIND, 0755},
      {"/dev/pts", "/dev/pts", nullptr, MS_BIND, 0755},
  };
  for (const Spec& spec : kSpecs) {
    std::string target = m_root + spec.target;
    if (spec.fstype == nullptr) {
      struct stat st {};
      if (::stat(spec.source, &st) != 0) continue;  // nothing to bind on this host
    }
    ensure_dir(target, spec.dir_mode);
    if (is_mount_point(target)) continue;
    if (::mount(spec.source, target.c_str(), spec.fstype, spec.flags, nullptr) != 0) {
      throw HostError("cannot mount " + std::string(spec.source) + " on " + target + ": " +
                      std::strerror(errno));
    }
    m_mounted.push_back(target);
  }
  m_done = true;
}

ChrootMounts::~ChrootMounts() {
  for (auto it = m_mounted.rbegin(); it != m_mounted.rend(); ++it) {
    if (::umount2(it->c_str(), MNT_DETACH) != 0) {
      spdlog::warn("cannot unmount {}: {}", *it, std::strerror(errno));
    }
  }
}

}  // namespace aiprov::detail
