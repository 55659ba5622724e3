// apt_mirror on the one-line format: rewrite URIs, suites and deb-src lines of distribution entries.
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

/// A line and what it is.
struct Item {
  SourceLine line;
  Origin origin = Origin::Other;
  bool distribution() const { return origin != Origin::Other; }
  const OneLineEntry& e() const { return *line.entry; }
};

void point_uris(std::vector<Item>& items, const MirrorSettings& settings, std::vector<std::string>& notes) {
  for (auto& item : items) {
    std::optional<std::string> target;
    if (item.origin == Origin::Archive) target = settings.mirror;
    if (item.origin == Origin::Security) target = settings.security_mirror;
    if (!target || item.e().uri == *target) continue;
    item.line = with_uri(item.line, *target);
    add_note(notes, (item.origin == Origin::Archive ? "archive -> " : "security -> ") + *target);
  }
}

void set_suites(std::vector<Item>& items, const MirrorSettings& settings, std::vector<std::string>& notes) {
  const std::vector<std::string> listed = detail::listed_archive_suites(settings);
  std::vector<Item> kept;
  for (auto& item : items) {
    if (item.origin == Origin::Archive && !contains(listed, item.e().suite)) {
      add_note(notes, "suite " + item.e().suite + " removed");
      continue;
    }
    kept.push_back(std::move(item));
  }
  items = std::move(kept);

  // The entries to copy for a missing suite: those of the codename (the suite without a pocket).
  std::vector<std::string> present;
  std::string template_suite;
  std::size_t last_archive = items.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].origin != Origin::Archive) continue;
    last_archive = i;
    if (!items[i].e().enabled || items[i].e().type != "deb") continue;
    const std::string& suite = items[i].e().suite;
    if (!contains(present, suite)) present.push_back(suite);
    if (template_suite.empty() || (template_suite.find('-') != std::string::npos && suite.find('-') == std::string::npos))
      template_suite = suite;
  }
  if (template_suite.empty()) return;
  std::vector<Item> additions;
  for (const auto& suite : listed) {
    if (contains(present, suite)) continue;
    for (const auto& item : items) {
      if (item.origin != Origin::Archive || item.e().suite != template_suite) continue;
      if (!item.e().enabled && item.e().type == "deb") continue;
      additions.push_back(Item{with_suite(item.line, suite), Origin::Archive});
    }
    add_note(notes, "suite " + suite + " added");
  }
  items.insert(items.begin() + static_cast<std::ptrdiff_t>(last_archive + 1), additions.begin(), additions.end());
}

/// The deb-src counterpart of a deb entry: enabled preferred, else the first commented-out one.
Item* find_source(std::vector<Item>& items, const OneLineEntry& deb) {
  Item* commented = nullptr;
  for (auto& item : items) {
    if (!item.distribution() || item.e().type != "deb-src") continue;
    const OneLineEntry& e = item.e();
    if (e.uri != deb.uri || e.suite != deb.suite || e.components != deb.components) continue;
    if (e.enabled) return &item;
    if (!commented) commented = &item;
  }
  return commented;
}

void set_sources(std::vector<Item>& items, bool enable, std::vector<std::string>& notes) {
  if (!enable) {
    for (auto& item : items) {
      if (!item.distribution() || item.e().type != "deb-src" || !item.e().enabled) continue;
      item.line = with_enabled(item.line, false);
      add_note(notes, "deb-src disabled");
    }
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    if (!item.distribution() || item.e().type != "deb" || !item.e().enabled) continue;
    if (Item* src = find_source(items, item.e())) {
      if (!src->e().enabled) {
        src->line = with_enabled(src->line, true);
        add_note(notes, "deb-src enabled");
      }
      continue;
    }
    // No counterpart at all: insert one right after the deb line.
    Item added{with_type(item.line, "deb-src"), item.origin};
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(i + 1), std::move(added));
    add_note(notes, "deb-src enabled");
    ++i;
  }
}

}  // namespace

SourcesRewrite rewrite_one_line_sources(std::string_view text, const MirrorSettings& settings,
                                        bool distribution_file) {
  SourcesList list = parse_sources_list(text);
  const ClassifyContext ctx = detail::classify_context(settings, distribution_file);
  SourcesRewrite result;
  std::vector<Item> items;
  for (auto& line : list.lines) {
    Item item{std::move(line), Origin::Other};
    if (item.line.entry) {
      const OneLineEntry& e = item.e();
      item.origin = classify(e.uri, e.suite, e.components, ctx);
      if (item.origin == Origin::Archive && e.enabled) result.has_archive = true;
    }
    items.push_back(std::move(item));
  }

  point_uris(items, settings, result.notes);
  if (settings.suites && result.has_archive) set_suites(items, settings, result.notes);
  if (settings.enable_source) set_sources(items, *settings.enable_source, result.notes);

  list.lines.clear();
  for (auto& item : items) list.lines.push_back(std::move(item.line));
  result.text = render(list);
  return result;
}

}  // namespace aiprov::apt
