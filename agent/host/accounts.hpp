#pragma once
/// Users and groups of the root tree, read from its /etc/passwd and /etc/group through the FileSystem
/// seam (never the host's NSS: under --root the tree's accounts are the ones that count).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "aiprov/host.hpp"

namespace aiprov {

struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

/// Parses /etc/group text. Malformed lines are skipped.
std::vector<GroupEntry> parse_group_file(const std::string& text);
/// Parses /etc/passwd text. Malformed lines are skipped.
std::vector<UserEntry> parse_passwd_file(const std::string& text);

std::optional<GroupEntry> find_group(const FileSystem& fs, const std::string& name);
std::optional<UserEntry> find_user(const FileSystem& fs, const std::string& name);
/// Resolves "root", "1000" or a name from the tree's files; nullopt when unknown.
std::optional<uid_t> resolve_uid(const FileSystem& fs, const std::string& name_or_id);
std::optional<gid_t> resolve_gid(const FileSystem& fs, const std::string& name_or_id);

}  // namespace aiprov
