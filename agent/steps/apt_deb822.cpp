// The deb822 format of sources.list.d/*.sources: stanzas of "Field: value" lines separated by blank
// lines, continuation lines starting with a space or tab, '#' comments. Kept as exact lines so that a
// rewrite touches only the fields it sets.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "steps/apt_sources.hpp"

namespace aiprov::apt {
namespace {

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

bool is_continuation(std::string_view line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

bool is_comment(std::string_view line) { return !line.empty() && line[0] == '#'; }

std::string trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  std::size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void push_block(Deb822File& file, std::vector<std::string>& lines) {
  if (lines.empty()) return;
  Deb822Block block;
  block.lines = std::move(lines);
  block.reindex();
  file.blocks.push_back(std::move(block));
  lines.clear();
}

}  // namespace

void Deb822Block::reindex() {
  fields.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (is_comment(line) || is_blank(line)) continue;
    if (is_continuation(line)) {
      if (fields.empty()) continue;  // a stray continuation line: apt rejects it; we keep it as text
      Deb822Field& f = fields.back();
      std::string part = trim(line);
      f.value += "\n" + (part == "." ? std::string() : part);
      f.end = i + 1;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    fields.push_back(Deb822Field{trim(std::string_view(line).substr(0, colon)),
                                 trim(std::string_view(line).substr(colon + 1)), i, i + 1});
  }
}

const Deb822Field* Deb822Block::find(std::string_view name) const {
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::optional<std::string> Deb822Block::get(std::string_view name) const {
  const Deb822Field* f = find(name);
  if (!f) return std::nullopt;
  return f->value;
}

std::vector<std::string> Deb822Block::words(std::string_view name) const {
  const Deb822Field* f = find(name);
  return f ? split_words(f->value) : std::vector<std::string>{};
}

void Deb822Block::set(std::string_view name, const std::string& value) {
  const Deb822Field* f = find(name);
  if (!f) {
    std::size_t at = fields.empty() ? lines.size() : fields.back().end;
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), std::string(name) + ": " + value);
    reindex();
    return;
  }
  const std::string& first = lines[f->begin];
  std::size_t colon = first.find(':');
  std::size_t value_pos = colon + 1;
  while (value_pos < first.size() && (first[value_pos] == ' ' || first[value_pos] == '\t')) ++value_pos;
  std::string spacing = first.substr(colon + 1, value_pos - colon - 1);
  if (spacing.empty()) spacing = " ";
  std::string line = first.substr(0, colon + 1) + spacing + value;
  auto begin = lines.begin() + static_cast<std::ptrdiff_t>(f->begin);
  auto end = lines.begin() + static_cast<std::ptrdiff_t>(f->end);
  *begin = std::move(line);
  lines.erase(begin + 1, end);
  reindex();
}

Deb822File parse_deb822(std::string_view text) {
  Deb822File file;
  std::vector<std::string> lines;
  bool in_blank_run = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    bool blank = is_blank(line);
    if (!lines.empty() && blank != in_blank_run) push_block(file, lines);
    in_blank_run = blank;
    lines.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  push_block(file, lines);
  file.final_newline = !text.empty() && text.back() == '\n';
  return file;
}

std::string render(const Deb822File& file) {
  std::string out;
  bool first = true;
  for (const auto& block : file.blocks) {
    for (const auto& line : block.lines) {
      if (!first) out += '\n';
      out += line;
      first = false;
    }
  }
  if (file.final_newline) out += '\n';
  return out;
}

}  // namespace aiprov::apt
