// The one-line format of sources.list(5), parsed with byte positions so that a field can be
// replaced in place and every other byte of the file survives.
#include <string>
#include <string_view>
#include <utility>

#include "steps/apt_sources.hpp"

namespace aiprov::apt {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::size_t skip_space(const std::string& s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

/// The end of the word starting at `i`: up to whitespace or a '#' (a comment). "[...]" and "\"...\""
/// group, as apt's ParseQuoteWord does for "cdrom:[Ubuntu 22.04 LTS ...]/".
std::size_t word_end(const std::string& s, std::size_t i) {
  while (i < s.size() && !is_space(s[i]) && s[i] != '#') {
    if (s[i] == '[' || s[i] == '"') {
      char close = s[i] == '[' ? ']' : '"';
      std::size_t j = s.find(close, i + 1);
      if (j == std::string::npos) return s.size();
      i = j + 1;
    } else {
      ++i;
    }
  }
  return i;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::optional<OneLineEntry> parse_entry(const std::string& s) {
  OneLineEntry e;
  std::size_t i = skip_space(s, 0);
  if (i < s.size() && s[i] == '#') {
    e.enabled = false;
    while (i < s.size() && (s[i] == '#' || is_space(s[i]))) ++i;
  }
  e.type_pos = i;
  std::size_t end = word_end(s, i);
  e.type = s.substr(i, end - i);
  if (e.type != "deb" && e.type != "deb-src") return std::nullopt;
  i = skip_space(s, end);
  if (i == end) return std::nullopt;  // "debian ..." or "deb" alone
  if (i < s.size() && s[i] == '[') {
    std::size_t close = s.find(']', i);
    if (close == std::string::npos) return std::nullopt;
    e.options = trim(std::string_view(s).substr(i + 1, close - i - 1));
    i = skip_space(s, close + 1);
  }
  end = word_end(s, i);
  e.uri_pos = i;
  e.uri_len = end - i;
  e.uri = s.substr(i, end - i);
  if (e.uri.empty() || e.uri.find(':') == std::string::npos) return std::nullopt;
  i = skip_space(s, end);
  end = word_end(s, i);
  e.suite_pos = i;
  e.suite_len = end - i;
  e.suite = s.substr(i, end - i);
  if (e.suite.empty()) return std::nullopt;
  for (i = skip_space(s, end); i < s.size() && s[i] != '#'; i = skip_space(s, end)) {
    end = word_end(s, i);
    e.components.push_back(s.substr(i, end - i));
  }
  // A flat repository ("suite/") has no components; any other suite needs at least one.
  bool flat = e.suite.back() == '/';
  if (flat != e.components.empty()) return std::nullopt;
  return e;
}

SourceLine replaced(const SourceLine& line, std::size_t pos, std::size_t len, const std::string& with) {
  std::string text = line.text;
  text.replace(pos, len, with);
  return parse_source_line(std::move(text));
}

}  // namespace

SourceLine parse_source_line(std::string line) {
  SourceLine out;
  out.entry = parse_entry(line);
  out.text = std::move(line);
  return out;
}

SourcesList parse_sources_list(std::string_view text) {
  SourcesList list;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      list.lines.push_back(parse_source_line(std::string(text.substr(start))));
      return list;
    }
    list.lines.push_back(parse_source_line(std::string(text.substr(start, nl - start))));
    start = nl + 1;
  }
  list.final_newline = !text.empty();
  return list;
}

std::string render(const SourcesList& list) {
  std::string out;
  for (std::size_t i = 0; i < list.lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += list.lines[i].text;
  }
  if (list.final_newline) out += '\n';
  return out;
}

SourceLine with_uri(const SourceLine& line, const std::string& uri) {
  return replaced(line, line.entry->uri_pos, line.entry->uri_len, uri);
}

SourceLine with_suite(const SourceLine& line, const std::string& suite) {
  return replaced(line, line.entry->suite_pos, line.entry->suite_len, suite);
}

SourceLine with_type(const SourceLine& line, const std::string& type) {
  return replaced(line, line.entry->type_pos, line.entry->type.size(), type);
}

SourceLine with_enabled(const SourceLine& line, bool enabled) {
  if (line.entry->enabled == enabled) return line;
  if (enabled) return parse_source_line(line.text.substr(line.entry->type_pos));
  return parse_source_line("# " + line.text);
}

}  // namespace aiprov::apt
