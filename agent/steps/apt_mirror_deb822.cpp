// apt_mirror on deb822 .sources files: rewrite URIs, Suites and Types of distribution stanzas, split a
// stanza whose archive and security suites end up at different URIs.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steps/apt_mirror_rewrite.hpp"
#include "steps/apt_sources.hpp"

namespace aiprov::apt {
namespace {

using detail::add_note;
using detail::contains;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

/// Sets `name` to `words` unless it already holds those words (spacing as written is kept then).
void set_words(Deb822Block& block, std::string_view name, const std::vector<std::string>& words) {
  if (block.words(name) != words) block.set(name, join(words));
}

bool is_disabled(const Deb822Block& block) {
  std::string v = block.get("Enabled").value_or("yes");
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "no" || v == "false" || v == "0";
}

/// Types with or without deb-src; a stanza left with no type is disabled instead.
void set_types(Deb822Block& block, bool enable, std::vector<std::string>& notes) {
  std::vector<std::string> types = block.words("Types");
  std::vector<std::string> wanted;
  for (const auto& t : types)
    if (enable || t != "deb-src") wanted.push_back(t);
  if (enable && contains(types, "deb") && !contains(types, "deb-src")) wanted.push_back("deb-src");
  if (wanted == types) return;
  add_note(notes, enable ? "deb-src enabled" : "deb-src disabled");
  if (wanted.empty()) {
    if (!is_disabled(block)) block.set("Enabled", "no");
    return;
  }
  block.set("Types", join(wanted));
}

bool is_blank_block(const Deb822Block& block) {
  return std::all_of(block.lines.begin(), block.lines.end(),
                     [](const std::string& l) { return split_words(l).empty(); });
}

struct StanzaPlan {
  std::vector<std::string> archive;   ///< archive suites after `suites`
  std::vector<std::string> security;  ///< security suites
  std::vector<std::string> all;       ///< every suite after `suites`, in the stanza's order
};

}  // namespace

SourcesRewrite rewrite_deb822_sources(std::string_view text, const MirrorSettings& settings,
                                      bool distribution_file) {
  Deb822File file = parse_deb822(text);
  const ClassifyContext ctx = detail::classify_context(settings, distribution_file);
  SourcesRewrite result;
  std::vector<Deb822Block> blocks;
  for (auto& block : file.blocks) {
    const std::vector<std::string> uris = block.words("URIs");
    const std::vector<std::string> suites = block.words("Suites");
    const std::vector<std::string> components = block.words("Components");
    if (!block.is_stanza() || uris.empty() || suites.empty()) {
      blocks.push_back(std::move(block));
      continue;
    }
    // Every URI must be the distribution's for every suite, or the stanza is someone else's.
    StanzaPlan plan;
    bool ours = true;
    bool had_archive = false;
    for (const auto& suite : suites) {
      Origin origin = classify(uris.front(), suite, components, ctx);
      for (const auto& uri : uris)
        if (classify(uri, suite, components, ctx) != origin) origin = Origin::Other;
      if (origin == Origin::Other) {
        ours = false;
        break;
      }
      if (origin == Origin::Security) {
        plan.security.push_back(suite);
        plan.all.push_back(suite);
        continue;
      }
      had_archive = true;
      if (settings.suites && !contains(detail::listed_archive_suites(settings), suite)) {
        add_note(result.notes, "suite " + suite + " removed");
        continue;
      }
      plan.archive.push_back(suite);
      plan.all.push_back(suite);
    }
    if (!ours) {
      blocks.push_back(std::move(block));
      continue;
    }
    if (had_archive && !is_disabled(block)) result.has_archive = true;
    if (had_archive && settings.suites) {
      for (const auto& suite : detail::listed_archive_suites(settings)) {
        if (contains(plan.archive, suite)) continue;
        plan.archive.push_back(suite);
        plan.all.push_back(suite);
        add_note(result.notes, "suite " + suite + " added");
      }
    }
    if (plan.all.empty()) {  // every suite of the stanza was removed: so is the stanza
      if (!blocks.empty() && is_blank_block(blocks.back())) blocks.pop_back();
      continue;
    }

    if (settings.enable_source) set_types(block, *settings.enable_source, result.notes);
    const std::vector<std::string> mirror{settings.mirror};
    const std::vector<std::string> security_uris =
        settings.security_mirror ? std::vector<std::string>{*settings.security_mirror} : uris;
    if (!plan.security.empty() && settings.security_mirror && uris != security_uris)
      add_note(result.notes, "security -> " + *settings.security_mirror);
    if (!plan.archive.empty() && uris != mirror) add_note(result.notes, "archive -> " + settings.mirror);

    if (plan.archive.empty() || plan.security.empty() || security_uris == mirror) {
      set_words(block, "URIs", plan.archive.empty() ? security_uris : mirror);
      set_words(block, "Suites", plan.all);
      blocks.push_back(std::move(block));
      continue;
    }
    // Archive and security suites in one stanza, bound for different URIs: two stanzas.
    add_note(result.notes, "stanza split into archive and security");
    Deb822Block security = block;
    set_words(block, "URIs", mirror);
    set_words(block, "Suites", plan.archive);
    set_words(security, "URIs", security_uris);
    set_words(security, "Suites", plan.security);
    blocks.push_back(std::move(block));
    blocks.push_back(Deb822Block{{""}, {}});
    blocks.push_back(std::move(security));
  }
  file.blocks = std::move(blocks);
  result.text = render(file);
  return result;
}

}  // namespace aiprov::apt
