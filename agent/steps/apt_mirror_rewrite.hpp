#pragma once
/// The pure part of the apt_mirror step: what one sources file should hold for the given settings.
/// Only entries classified as the distribution's archive or security archive (apt::classify) are
/// touched; third-party repositories keep every byte.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steps/apt_sources.hpp"

namespace aiprov::apt {

struct MirrorSettings {
  std::string mirror;                          ///< the archive mirror, ending with '/'
  std::optional<std::string> security_mirror;  ///< ending with '/'; absent: security URIs stay
  /// true: deb-src entries enabled for every enabled deb entry of the distribution; false: disabled;
  /// absent: left as they are.
  std::optional<bool> enable_source;
  /// The archive suites each file holds afterwards, in this order for the ones added. Names of security suites are ignored: security entries are never
  /// added or removed. Absent: suites untouched.
  std::optional<std::vector<std::string>> suites;
};

struct SourcesRewrite {
  std::string text;                ///< the file as it should be (== input when nothing changes)
  bool has_archive = false;        ///< the input held an enabled archive entry or stanza
  std::vector<std::string> notes;  ///< what changes, for the plan ("archive -> https://.../")
};

/// A file in the one-line format (sources.list, *.list). Archive entries, enabled or commented out,
/// point at settings.mirror; security entries at settings.security_mirror when given. Archive entries
/// (commented-out ones too) of suites not listed are removed; suites that are added are copies of the entries for the codename (commented-out "deb" lines excepted), inserted
/// after the file's last archive entry. enable_source true uncomments the matching "# deb-src" line
/// or inserts one after the "deb" line.
SourcesRewrite rewrite_one_line_sources(std::string_view text, const MirrorSettings& settings,
                                        bool distribution_file);

/// A deb822 file (*.sources). Per stanza: URIs of an archive stanza become settings.mirror, of a
/// security stanza settings.security_mirror when given. Suites not listed leave their stanzas (a
/// stanza left without suites goes); missing suites join the enabled archive stanza holding the
/// codename. A stanza holding both archive and security
/// suites whose URIs would differ is split in two (archive first). Types gains or loses "deb-src"
/// (a stanza left with no type gets "Enabled: no"). Every other byte is kept.
SourcesRewrite rewrite_deb822_sources(std::string_view text, const MirrorSettings& settings,
                                      bool distribution_file);

namespace detail {

inline ClassifyContext classify_context(const MirrorSettings& settings, bool distribution_file) {
  ClassifyContext ctx;
  ctx.distribution_file = distribution_file;
  ctx.own_uris.push_back(settings.mirror);
  if (settings.security_mirror) ctx.own_uris.push_back(*settings.security_mirror);
  return ctx;
}

/// settings.suites without the security suites.
inline std::vector<std::string> listed_archive_suites(const MirrorSettings& settings) {
  std::vector<std::string> out;
  for (const auto& s : *settings.suites)
    if (s.size() < 9 || s.compare(s.size() - 9, 9, "-security") != 0) out.push_back(s);
  return out;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// Appends `note` unless already there.
inline void add_note(std::vector<std::string>& notes, const std::string& note) {
  if (!contains(notes, note)) notes.push_back(note);
}

}  // namespace detail

}  // namespace aiprov::apt
