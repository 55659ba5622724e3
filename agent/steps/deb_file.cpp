#include "steps/deb_file.hpp"

#include <cctype>

namespace aiprov::steps::debfile {
namespace {

constexpr std::string_view kMagic = "!<arch>\n";
constexpr std::size_t kHeader = 60;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<ArMember> ar_members(std::string_view head) {
  if (head.substr(0, kMagic.size()) != kMagic) throw DebFileError("not an ar archive (no \"!<arch>\" magic)");
  std::vector<ArMember> members;
  std::uint64_t pos = kMagic.size();
  while (pos + kHeader <= head.size()) {
    std::string_view h = head.substr(pos, kHeader);
    if (h.substr(58, 2) != "`\n") throw DebFileError("malformed ar member header at byte " + std::to_string(pos));
    ArMember m;
    std::string_view name = trim(h.substr(0, 16));
    if (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
    m.name = std::string(name);
    std::string_view size = trim(h.substr(48, 10));
    if (size.empty()) throw DebFileError("ar member '" + m.name + "' has no size");
    for (char c : size) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw DebFileError("ar member '" + m.name + "' has a bad size");
      m.size = m.size * 10 + static_cast<std::uint64_t>(c - '0');
    }
    m.offset = pos + kHeader;
    members.push_back(m);
    pos = m.offset + m.size + (m.size % 2);
  }
  return members;
}

std::string check_deb_header(std::string_view head) {
  std::vector<ArMember> members = ar_members(head);
  if (members.empty() || members[0].name != "debian-binary")
    throw DebFileError("not a Debian package (the first ar member is not debian-binary)");
  std::string_view version = head.substr(members[0].offset, members[0].size);
  if (version.size() < 4 || version.substr(0, 2) != "2." || version.back() != '\n')
    throw DebFileError("unsupported Debian package format version '" + std::string(trim(version)) + "'");
  if (members.size() < 2) throw DebFileError("truncated Debian package (no control member)");
  const std::string& control = members[1].name;
  if (control != "control.tar" && control != "control.tar.gz" && control != "control.tar.xz" &&
      control != "control.tar.zst")
    throw DebFileError("not a Debian package (second ar member is '" + control + "', not control.tar.*)");
  return control;
}

std::map<std::string, std::string> parse_control_fields(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::string last;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !last.empty()) {
      fields[last] += "\n" + std::string(trim(line));
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    last = std::string(trim(line.substr(0, colon)));
    fields[last] = std::string(trim(line.substr(colon + 1)));
  }
  return fields;
}

}  // namespace aiprov::steps::debfile
