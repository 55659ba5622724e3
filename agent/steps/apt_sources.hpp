#pragma once
/// APT source lists (sources.list(5)), parsed so that they can be rewritten without disturbing a byte
/// of what is left unchanged:
///   - the one-line format of /etc/apt/sources.list and sources.list.d/*.list, including entries that
///     are commented out ("# deb-src http://... jammy main");
///   - the deb822 format of sources.list.d/*.sources (stanzas of "Field: value" lines).
/// And the classification of an entry as the distribution's archive, its security archive, or a
/// third-party repository.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiprov/host.hpp"

namespace aiprov::apt {

// ---------------------------------------------------------------------------------------------
// One-line format

/// One entry of the one-line format: `[#] deb|deb-src [options] URI suite [component...] [# comment]`.
struct OneLineEntry {
  bool enabled = true;   ///< false when the line is commented out
  std::string type;      ///< "deb" or "deb-src"
  std::string options;   ///< the text between '[' and ']', trimmed; "" when none
  std::string uri;
  std::string suite;
  std::vector<std::string> components;
  /// Byte positions in the line, so that one field can be replaced in place.
  std::size_t type_pos = 0;
  std::size_t uri_pos = 0;
  std::size_t uri_len = 0;
  std::size_t suite_pos = 0;
  std::size_t suite_len = 0;
};

/// One line of a one-line file: its exact text and, when it is an entry, the entry.
struct SourceLine {
  std::string text;  ///< without the '\n'
  std::optional<OneLineEntry> entry;
};

/// A one-line file. render(parse_sources_list(t)) == t for every t.
struct SourcesList {
  std::vector<SourceLine> lines;
  bool final_newline = false;  ///< whether the text ended with '\n'
};

/// Parses one line. A comment whose text is a well-formed entry ("# deb-src http://x jammy main") is
/// an entry with enabled == false; any other comment, blank line or malformed line has no entry.
SourceLine parse_source_line(std::string line);
SourcesList parse_sources_list(std::string_view text);
std::string render(const SourcesList& list);

/// The same line with one field replaced in place (every other byte kept). `line` must be an entry.
SourceLine with_uri(const SourceLine& line, const std::string& uri);
SourceLine with_suite(const SourceLine& line, const std::string& suite);
SourceLine with_type(const SourceLine& line, const std::string& type);
/// Commented out by prefixing "# ", or enabled by dropping everything before the type.
SourceLine with_enabled(const SourceLine& line, bool enabled);

// ---------------------------------------------------------------------------------------------
// deb822 format

/// A field of a stanza: lines [begin, end) of the block (the "Name: value" line and its continuation
/// lines). `value` is the first line's value trimmed, continuation lines appended after '\n' (a " ."
/// line reads as an empty line).
struct Deb822Field {
  std::string name;
  std::string value;
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// A run of lines: a stanza when it has fields, else blank lines or comments between stanzas.
struct Deb822Block {
  std::vector<std::string> lines;  ///< exact text, without '\n'
  std::vector<Deb822Field> fields;

  bool is_stanza() const { return !fields.empty(); }
  /// The field named `name` (case-insensitive, as apt reads them), or nullptr.
  const Deb822Field* find(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  /// The value split on whitespace; empty when absent.
  std::vector<std::string> words(std::string_view name) const;
  /// Makes `name` a one-line field holding `value`: replaces the field's lines keeping its name and
  /// the spacing after ':' as written, or appends "Name: value" after the last field.
  void set(std::string_view name, const std::string& value);
  /// Re-reads `fields` from `lines`.
  void reindex();
};

/// A deb822 file. render(parse_deb822(t)) == t for every t.
struct Deb822File {
  std::vector<Deb822Block> blocks;
  bool final_newline = false;
};

Deb822File parse_deb822(std::string_view text);
std::string render(const Deb822File& file);

// ---------------------------------------------------------------------------------------------
// Classification

enum class Origin { Archive, Security, Other };

struct ClassifyContext {
  /// The entry is in one of the distribution's own files (/etc/apt/sources.list,
  /// sources.list.d/ubuntu.sources, sources.list.d/debian.sources): an unknown host serving
  /// .../ubuntu or .../debian with only official components there is taken as a mirror.
  bool distribution_file = false;
  /// Mirrors this step points entries at: always the distribution's, wherever they are.
  std::vector<std::string> own_uris;
};

/// Whether (uri, suite, components) is the distribution archive, its security archive or anything
/// else. The suite must be a codename or codename-{updates,backports,proposed,proposed-updates}
/// (Archive) or codename-security (Security), and the URI one of: a known Ubuntu/Debian archive host
/// (archive.ubuntu.com and <cc>.archive.ubuntu.com, security.ubuntu.com, ports.ubuntu.com,
/// deb.debian.org, security.debian.org, ftp[.<cc>].debian.org) under /ubuntu, /ubuntu-ports, /debian or
/// /debian-security; one of ctx.own_uris; or, in a distribution file, any host but Launchpad (PPAs)
/// under those paths with official components only (main restricted universe multiverse contrib
/// non-free non-free-firmware). Local (file:), cdrom: and third-party repositories are Other.
Origin classify(std::string_view uri, std::string_view suite, const std::vector<std::string>& components,
                const ClassifyContext& ctx);

/// True for /etc/apt/sources.list, /etc/apt/sources.list.d/ubuntu.sources and .../debian.sources.
bool is_distribution_file(std::string_view path);

/// `uri` ending with exactly one '/'.
std::string with_trailing_slash(std::string uri);
/// Whether two URIs name the same place: scheme and host compared case-insensitively, trailing '/'
/// ignored.
bool same_uri(std::string_view a, std::string_view b);

inline constexpr const char* kSourcesList = "/etc/apt/sources.list";
inline constexpr const char* kSourcesDir = "/etc/apt/sources.list.d";

/// Every sources file apt reads, as logical paths: sources.list, then sources.list.d/*.list and
/// *.sources in name order (whether or not they exist; callers stat them).
std::vector<std::string> sources_files(const FileSystem& fs);
/// True for a deb822 file (*.sources); false for the one-line format.
bool is_deb822_file(std::string_view path);

/// Splits on spaces and tabs (and newlines), dropping empty words.
std::vector<std::string> split_words(std::string_view text);

}  // namespace aiprov::apt
