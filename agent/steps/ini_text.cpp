#include "steps/ini_text.hpp"

#include <algorithm>
#include <cctype>

namespace aiprov::steps {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_blank(const std::string& line) { return trim(line).empty(); }
bool is_comment(const std::string& line) {
  std::string t = trim(line);
  return !t.empty() && (t[0] == '#' || t[0] == ';');
}
bool is_indented(const std::string& line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

/// "[name]" -> name.
std::optional<std::string> section_of(const std::string& line) {
  std::string t = trim(line);
  if (t.size() < 2 || t.front() != '[' || t.back() != ']') return std::nullopt;
  return trim(t.substr(1, t.size() - 2));
}

/// A key line: its key, and where its value starts (after the delimiter and following spaces).
struct KeyLine {
  std::string key;
  size_t delim = 0;
  size_t value_start = 0;
};

std::optional<KeyLine> key_of(const std::string& line) {
  if (is_blank(line) || is_comment(line) || is_indented(line) || section_of(line)) return std::nullopt;
  size_t delim = line.find_first_of("=:");
  if (delim == std::string::npos) return std::nullopt;
  KeyLine k;
  k.key = trim(line.substr(0, delim));
  k.delim = delim;
  k.value_start = line.find_first_not_of(" \t", delim + 1);
  if (k.value_start == std::string::npos) k.value_start = line.size();
  return k;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

/// The continuation lines following line i (indented, non-blank).
size_t continuation_end(const std::vector<std::string>& lines, size_t i) {
  size_t j = i + 1;
  while (j < lines.size() && is_indented(lines[j]) && !is_blank(lines[j])) ++j;
  return j;
}

std::string value_at(const std::vector<std::string>& lines, size_t i, const KeyLine& k) {
  std::string value = trim(lines[i].substr(k.value_start));
  for (size_t j = i + 1; j < continuation_end(lines, i); ++j) value += "\n" + trim(lines[j]);
  return value;
}

/// A value as it is written after the delimiter: first line, then continuation lines.
std::vector<std::string> value_lines(const std::string& value) {
  std::vector<std::string> parts = split(value);
  if (parts.empty()) parts.push_back("");
  for (size_t i = 1; i < parts.size(); ++i) parts[i] = "    " + parts[i];
  return parts;
}

struct Section {
  std::string name;
  size_t header;  ///< index of the "[name]" line
  size_t end;     ///< one past its last line
};

std::vector<Section> sections(const std::vector<std::string>& lines) {
  std::vector<Section> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto name = section_of(lines[i])) {
      if (!out.empty()) out.back().end = i;
      out.push_back({*name, i, lines.size()});
    }
  }
  return out;
}

/// " = " unless the file's first key line uses a bare delimiter.
std::string delimiter_style(const std::vector<std::string>& lines) {
  for (const auto& line : lines)
    if (auto k = key_of(line)) {
      bool space_before = k->delim > 0 && (line[k->delim - 1] == ' ' || line[k->delim - 1] == '\t');
      return space_before ? " = " : "=";
    }
  return " = ";
}

}  // namespace

std::optional<IniSetting> parse_ini_setting(const std::string& dotted, const std::string& value) {
  size_t dot = dotted.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == dotted.size()) return std::nullopt;
  return IniSetting{dotted.substr(0, dot), dotted.substr(dot + 1), value};
}

std::optional<std::string> ini_get(const std::string& text, const std::string& section, const std::string& key) {
  std::vector<std::string> lines = split(text);
  for (const auto& s : sections(lines)) {
    if (s.name != section) continue;
    for (size_t i = s.header + 1; i < s.end; ++i)
      if (auto k = key_of(lines[i]); k && lower(k->key) == lower(key)) return value_at(lines, i, *k);
  }
  return std::nullopt;
}

std::string ini_set(const std::string& text, const std::vector<IniSetting>& settings) {
  std::vector<std::string> lines = split(text);
  const std::string style = delimiter_style(lines);
  bool changed = false;
  for (const auto& set : settings) {
    std::vector<Section> secs = sections(lines);
    bool done = false;
    // Replace the key in place where it exists.
    for (const auto& s : secs) {
      if (s.name != set.section || done) continue;
      for (size_t i = s.header + 1; i < s.end && !done; ++i) {
        auto k = key_of(lines[i]);
        if (!k || lower(k->key) != lower(set.key)) continue;
        done = true;
        if (value_at(lines, i, *k) == set.value) break;
        std::string prefix = lines[i].substr(0, k->value_start);
        bool space_before = k->delim > 0 && (lines[i][k->delim - 1] == ' ' || lines[i][k->delim - 1] == '\t');
        if (k->value_start == lines[i].size() && space_before && prefix.back() != ' ') prefix += ' ';
        std::vector<std::string> vals = value_lines(set.value);
        vals[0] = prefix + vals[0];
        lines.erase(lines.begin() + i, lines.begin() + continuation_end(lines, i));
        lines.insert(lines.begin() + i, vals.begin(), vals.end());
        changed = true;
      }
    }
    if (done) continue;
    std::vector<std::string> vals = value_lines(set.value);
    vals[0] = set.key + style + vals[0];
    auto sec = std::find_if(secs.begin(), secs.end(), [&](const Section& s) { return s.name == set.section; });
    if (sec != secs.end()) {
      // After the section's last line that is neither blank nor a comment: trailing comments usually
      // introduce the next section.
      size_t at = sec->end;
      while (at > sec->header + 1 && (is_blank(lines[at - 1]) || is_comment(lines[at - 1]))) --at;
      lines.insert(lines.begin() + at, vals.begin(), vals.end());
    } else {
      if (!lines.empty() && !is_blank(lines.back())) lines.push_back("");
      lines.push_back("[" + set.section + "]");
      lines.insert(lines.end(), vals.begin(), vals.end());
    }
    changed = true;
  }
  if (!changed) return text;
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace aiprov::steps
