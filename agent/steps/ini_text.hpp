#pragma once
/// Editing INI text (pip.conf, ...) in place: set keys, keep everything else.

#include <optional>
#include <string>
#include <vector>

namespace aiprov::steps {

struct IniSetting {
  std::string section;
  std::string key;
  std::string value;
};

/// Splits "section.key" at the first '.'; nullopt when either part is empty.
std::optional<IniSetting> parse_ini_setting(const std::string& dotted, const std::string& value);

/// The value of `key` in the first `[section]` that has it (keys compare case-insensitively, as
/// Python's configparser does; sections compare exactly); nullopt when absent. Continuation lines
/// (indented lines after a key) are joined with '\n'.
std::optional<std::string> ini_get(const std::string& text, const std::string& section, const std::string& key);

/// `text` with each setting applied in order. Every other line (keys, comments, blank lines) and the
/// order stay as they are:
///  - an existing key's value is replaced in place (its continuation lines dropped), keeping the
///    line's `key = value` / `key=value` spacing;
///  - a missing key is added after the last line of its section that is neither blank nor a comment;
///  - a missing section is appended at the end, after a blank line.
/// New lines follow the file's delimiter style (" = " unless the file uses "="). A multi-line value
/// is written as continuation lines indented by four spaces. Returns `text` unchanged (byte for
/// byte) when every setting already holds.
std::string ini_set(const std::string& text, const std::vector<IniSetting>& settings);

}  // namespace aiprov::steps
