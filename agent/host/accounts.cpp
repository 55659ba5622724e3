// Users and groups of the root tree from its /etc/passwd and /etc/group.

#include "host/accounts.hpp"

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

namespace aiprov {
namespace {

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = line.find(sep, start);
    parts.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

/// A whole decimal id; nullopt for anything else ("", "12a", "-1").
std::optional<unsigned> parse_id(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <class Fn>
void for_each_line(const std::string& text, Fn fn) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    fn(line);
  }
}

}  // namespace

std::vector<GroupEntry> parse_group_file(const std::string& text) {
  std::vector<GroupEntry> groups;
  for_each_line(text, [&](const std::string& line) {
    auto f = split(line, ':');
    auto gid = f.size() == 4 ? parse_id(f[2]) : std::nullopt;
    if (!gid || f[0].empty()) return;
    GroupEntry g{f[0], *gid, {}};
    if (!f[3].empty()) g.members = split(f[3], ',');
    groups.push_back(std::move(g));
  });
  return groups;
}

std::vector<UserEntry> parse_passwd_file(const std::string& text) {
  std::vector<UserEntry> users;
  for_each_line(text, [&](const std::string& line) {
    auto f = split(line, ':');
    if (f.size() != 7 || f[0].empty()) return;
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (!uid || !gid) return;
    users.push_back(UserEntry{f[0], *uid, *gid, f[5], f[6]});
  });
  return users;
}

std::optional<GroupEntry> find_group(const FileSystem& fs, const std::string& name) {
  auto text = fs.read("/etc/group");
  if (!text) return std::nullopt;
  for (auto& g : parse_group_file(*text)) {
    if (g.name == name) return g;
  }
  return std::nullopt;
}

std::optional<UserEntry> find_user(const FileSystem& fs, const std::string& name) {
  auto text = fs.read("/etc/passwd");
  if (!text) return std::nullopt;
  for (auto& u : parse_passwd_file(*text)) {
    if (u.name == name) return u;
  }
  return std::nullopt;
}

std::optional<uid_t> resolve_uid(const FileSystem& fs, const std::string& name_or_id) {
  if (auto id = parse_id(name_or_id)) return static_cast<uid_t>(*id);
  if (auto user = find_user(fs, name_or_id)) return user->uid;
  return std::nullopt;
}

std::optional<gid_t> resolve_gid(const FileSystem& fs, const std::string& name_or_id) {
  if (auto id = parse_id(name_or_id)) return static_cast<gid_t>(*id);
  if (auto group = find_group(fs, name_or_id)) return group->gid;
  return std::nullopt;
}

}  // namespace aiprov
