#pragma once
/// Recording fakes of the three seams (include/aiprov/host.hpp), for unit tests:
///   VirtualFileSystem  an in-memory tree of files, directories and symlinks that logs every mutation
///                      ("write /etc/motd", "mkdir /opt/ai 0755", "chmod /x 0644", "chown /x 1000:1000",
///                      "remove /x"); setup helpers (add_file, add_dir, add_symlink, put) do not log.
///   FakeProcessRunner  records every Command; answers from registered rules (the latest matching
///                      rule wins; no match: exit 0, empty output); a rule may have a side effect,
///                      e.g. a fake `groupadd` that appends to /etc/group in the VFS.
///   FakeFetcher        url -> body (written into the VFS when dest is one of its host paths) or error.
///   FakeHost           the three bundled, with facts and a Context factory.
/// Header-only on purpose: every test layer can include it without a library. Each fake has its own
/// header; this one includes them all.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/host.hpp"
#include "aiprov/step.hpp"
#include "fakes/fake_fetcher.hpp"
#include "fakes/fake_process_runner.hpp"
#include "fakes/virtual_file_system.hpp"

namespace aiprov::testing {

/// The three fakes bundled, with facts. Not copyable (host refers to the members).
struct FakeHost {
  VirtualFileSystem fs;
  FakeProcessRunner proc;
  FakeFetcher fetch{&fs};
  nlohmann::json facts = nlohmann::json::object();
  Host host{fs, proc, fetch};

  FakeHost() = default;
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  /// A Context over this host. backup_dir empty: planning only (no backups).
  Context context(std::string backup_dir = {}) { return Context{host, facts, std::move(backup_dir), {}, {}}; }

  /// Minimal /etc/passwd and /etc/group with root (0) plus the given "name:id" users/groups. A user
  /// gets a primary group of the same name and id.
  void add_accounts(const std::vector<std::pair<std::string, unsigned>>& users,
                    const std::vector<std::pair<std::string, unsigned>>& groups = {}) {
    std::string passwd = "root:x:0:0:root:/root:/bin/bash\n";
    std::string group = "root:x:0:\n";
    for (const auto& [name, id] : users) {
      passwd += name + ":x:" + std::to_string(id) + ":" + std::to_string(id) + "::/home/" + name + ":/bin/bash\n";
      group += name + ":x:" + std::to_string(id) + ":\n";
    }
    for (const auto& [name, id] : groups) group += name + ":x:" + std::to_string(id) + ":\n";
    fs.add_file("/etc/passwd", passwd);
    fs.add_file("/etc/group", group);
  }
};

}  // namespace aiprov::testing
