// apt_mirror on deb822 .sources files: rewrite URIs, Suites and Types of distribution stanzas, split a
// stanza whose archive and security suites end up at different URIs.
#include <algorithm>
#include <cctype>
#include <optional>
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
  if (wanted == types || (wanted.empty() && is_disabled(block))) return;
  add_note(notes, enable ? "deb-src enabled" : "deb-src disabled");
  if (wanted.empty())
    block.set("Enabled", "no");
  else
    block.set("Types", join(wanted));
}

bool is_blank_block(const Deb822Block& block) {
  return std::all_of(block.lines.begin(), block.lines.end(),
                     [](const std::string& l) { return split_words(l).empty(); });
}

/// What becomes of one distribution stanza.
struct StanzaPlan {
  std::vector<std::string> uris;      ///< as written
  std::vector<std::string> archive;   ///< archive suites after `suites`
  std::vector<std::string> security;  ///< security suites
  std::vector<std::string> all;       ///< every suite after `suites`, in the stanza's order
  bool had_archive = false;           ///< held an archive suite before `suites`
  bool enabled = true;
};

/// The plan of a stanza whose every URI is the distribution's for every suite; nullopt otherwise.
std::optional<StanzaPlan> plan_stanza(const Deb822Block& block, const MirrorSettings& settings,
                                      const ClassifyContext& ctx, std::vector<std::string>& notes) {
  StanzaPlan plan;
  plan.uris = block.words("URIs");
  const std::vector<std::string> suites = block.words("Suites");
  const std::vector<std::string> components = block.words("Components");
  if (!block.is_stanza() || plan.uris.empty() || suites.empty()) return std::nullopt;
  plan.enabled = !is_disabled(block);
  for (const auto& suite : suites) {
    Origin origin = classify(plan.uris.front(), suite, components, ctx);
    for (const auto& uri : plan.uris)
      if (classify(uri, suite, components, ctx) != origin) origin = Origin::Other;
    if (origin == Origin::Other) return std::nullopt;
    if (origin == Origin::Security) {
      plan.security.push_back(suite);
      plan.all.push_back(suite);
      continue;
    }
    plan.had_archive = true;
    if (settings.suites && !contains(detail::listed_archive_suites(settings), suite)) {
      add_note(notes, "suite " + suite + " removed");
      continue;
    }
    plan.archive.push_back(suite);
    plan.all.push_back(suite);
  }
  return plan;
}

/// Adds the listed suites no enabled archive stanza holds to the one that holds the codename (else
/// the first enabled archive stanza).
void add_missing_suites(std::vector<std::optional<StanzaPlan>>& plans, const MirrorSettings& settings,
                        std::vector<std::string>& notes) {
  std::vector<std::string> present;
  StanzaPlan* target = nullptr;
  for (auto& plan : plans) {
    if (!plan || !plan->had_archive || !plan->enabled) continue;
    present.insert(present.end(), plan->archive.begin(), plan->archive.end());
    bool codename = std::any_of(plan->archive.begin(), plan->archive.end(),
                                [](const std::string& s) { return s.find('-') == std::string::npos; });
    if (!target || (codename && !std::any_of(target->archive.begin(), target->archive.end(), [](const std::string& s) {
                      return s.find('-') == std::string::npos;
                    })))
      target = &*plan;
  }
  if (!target) return;
  for (const auto& suite : detail::listed_archive_suites(settings)) {
    if (contains(present, suite)) continue;
    target->archive.push_back(suite);
    target->all.push_back(suite);
    add_note(notes, "suite " + suite + " added");
  }
}

/// Appends the stanza as planned to `out`: one stanza, or two when split.
void emit(Deb822Block block, const StanzaPlan& plan, const MirrorSettings& settings, std::vector<Deb822Block>& out,
          std::vector<std::string>& notes) {
  if (plan.all.empty()) {  // every suite of the stanza was removed: so is the stanza
    if (!out.empty() && is_blank_block(out.back())) out.pop_back();
    return;
  }
  if (settings.enable_source) set_types(block, *settings.enable_source, notes);
  const std::vector<std::string> mirror{settings.mirror};
  const std::vector<std::string> security_uris =
      settings.security_mirror ? std::vector<std::string>{*settings.security_mirror} : plan.uris;
  if (!plan.archive.empty() && plan.uris != mirror) add_note(notes, "archive -> " + settings.mirror);
  if (!plan.security.empty() && settings.security_mirror && plan.uris != security_uris)
    add_note(notes, "security -> " + *settings.security_mirror);

  if (plan.archive.empty() || plan.security.empty() || security_uris == mirror) {
    set_words(block, "URIs", plan.archive.empty() ? security_uris : mirror);
    set_words(block, "Suites", plan.all);
    out.push_back(std::move(block));
    return;
  }
  // Archive and security suites in one stanza, bound for different URIs: two stanzas.
  add_note(notes, "stanza split into archive and security");
  Deb822Block security = block;
  set_words(block, "URIs", mirror);
  set_words(block, "Suites", plan.archive);
  set_words(security, "URIs", security_uris);
  set_words(security, "Suites", plan.security);
  out.push_back(std::move(block));
  out.push_back(Deb822Block{{""}, {}});
  out.push_back(std::move(security));
}

}  // namespace

SourcesRewrite rewrite_deb822_sources(std::string_view text, const MirrorSettings& settings,
                                      bool distribution_file) {
  Deb822File file = parse_deb822(text);
  const ClassifyContext ctx = detail::classify_context(settings, distribution_file);
  SourcesRewrite result;
  std::vector<std::optional<StanzaPlan>> plans;
  for (const auto& block : file.blocks) {
    plans.push_back(plan_stanza(block, settings, ctx, result.notes));
    if (plans.back() && plans.back()->had_archive && plans.back()->enabled) result.has_archive = true;
  }
  if (settings.suites) add_missing_suites(plans, settings, result.notes);

  std::vector<Deb822Block> blocks;
  for (std::size_t i = 0; i < file.blocks.size(); ++i) {
    if (plans[i]) emit(std::move(file.blocks[i]), *plans[i], settings, blocks, result.notes);
    else blocks.push_back(std::move(file.blocks[i]));
  }
  file.blocks = std::move(blocks);
  result.text = render(file);
  return result;
}

}  // namespace aiprov::apt
