#pragma once
/// Fake groupadd / groupmod / groupdel / gpasswd for FakeHost: rules on its FakeProcessRunner that edit
/// /etc/group in its VirtualFileSystem the way the real tools edit the root tree, so that a step's
/// re-plan after apply sees the change. Only the options aiprov uses are understood; an unknown group
/// or user answers exit 6 / 3 like the real tools.

#include <algorithm>
#include <string>
#include <vector>

#include "fakes/fake_host.hpp"

namespace aiprov::testing {

namespace fake_accounts_detail {

inline std::vector<std::vector<std::string>> read_group(const VirtualFileSystem& fs) {
  std::vector<std::vector<std::string>> rows;
  std::string text = fs.read("/etc/group").value_or("");
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    std::vector<std::string> fields;
    size_t f = 0;
    for (size_t colon; (colon = line.find(':', f)) != std::string::npos; f = colon + 1)
      fields.push_back(line.substr(f, colon - f));
    fields.push_back(line.substr(f));
    if (fields.size() == 4) rows.push_back(fields);
  }
  return rows;
}

inline void write_group(VirtualFileSystem& fs, const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  for (const auto& r : rows) text += r[0] + ":" + r[1] + ":" + r[2] + ":" + r[3] + "\n";
  fs.put("/etc/group", text);
}

inline std::vector<std::string>* find(std::vector<std::vector<std::string>>& rows, const std::string& name) {
  for (auto& r : rows)
    if (r[0] == name) return &r;
  return nullptr;
}

}  // namespace fake_accounts_detail

/// Registers the fake account tools on `host.proc`.
inline void install_fake_account_tools(FakeHost& host) {
  namespace d = fake_accounts_detail;
  VirtualFileSystem& fs = host.fs;
  auto program = [](const char* name) {
    return [name](const Command& c) { return !c.argv.empty() && c.argv[0] == name; };
  };
  host.proc.on(program("groupadd"), [&fs](const Command& c) {
    auto rows = d::read_group(fs);
    std::string gid, name = c.argv.back();
    bool system = false;
    for (size_t i = 1; i + 1 < c.argv.size(); ++i) {
      if (c.argv[i] == "--gid") gid = c.argv[++i];
      else if (c.argv[i] == "--system") system = true;
    }
    if (d::find(rows, name)) return FakeProcessRunner::result(9, "groupadd: group '" + name + "' already exists\n");
    if (gid.empty()) {
      unsigned next = system ? 999 : 1000;
      while (std::any_of(rows.begin(), rows.end(), [&](auto& r) { return r[2] == std::to_string(next); }))
        system ? --next : ++next;
      gid = std::to_string(next);
    }
    rows.push_back({name, "x", gid, ""});
    d::write_group(fs, rows);
    return FakeProcessRunner::result(0);
  });
  host.proc.on(program("groupmod"), [&fs](const Command& c) {
    auto rows = d::read_group(fs);
    auto* row = d::find(rows, c.argv.back());
    if (!row) return FakeProcessRunner::result(6, "groupmod: group '" + c.argv.back() + "' does not exist\n");
    (*row)[2] = c.argv[2];
    d::write_group(fs, rows);
    return FakeProcessRunner::result(0);
  });
  host.proc.on(program("groupdel"), [&fs](const Command& c) {
    auto rows = d::read_group(fs);
    auto it = std::find_if(rows.begin(), rows.end(), [&](auto& r) { return r[0] == c.argv.back(); });
    if (it == rows.end()) return FakeProcessRunner::result(6, "groupdel: group '" + c.argv.back() + "' does not exist\n");
    rows.erase(it);
    d::write_group(fs, rows);
    return FakeProcessRunner::result(0);
  });
  host.proc.on(program("gpasswd"), [&fs](const Command& c) {
    auto rows = d::read_group(fs);
    const std::string& user = c.argv[2];
    auto* row = d::find(rows, c.argv[3]);
    if (!row) return FakeProcessRunner::result(3, "gpasswd: group '" + c.argv[3] + "' does not exist in /etc/group\n");
    std::vector<std::string> members;
    for (size_t f = 0, comma; f < (*row)[3].size(); f = comma + 1) {
      comma = (*row)[3].find(',', f);
      if (comma == std::string::npos) comma = (*row)[3].size();
      members.push_back((*row)[3].substr(f, comma - f));
    }
    auto it = std::find(members.begin(), members.end(), user);
    if (c.argv[1] == "-a" && it == members.end()) members.push_back(user);
    if (c.argv[1] == "-d") {
      if (it == members.end())
        return FakeProcessRunner::result(3, "gpasswd: user '" + user + "' is not a member of '" + c.argv[3] + "'\n");
      members.erase(it);
    }
    std::string joined;
    for (const auto& m : members) joined += (joined.empty() ? "" : ",") + m;
    (*row)[3] = joined;
    d::write_group(fs, rows);
    return FakeProcessRunner::result(0);
  });
}

}  // namespace aiprov::testing
