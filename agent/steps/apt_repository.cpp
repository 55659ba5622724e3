/// Step type `apt_repository`: one third-party apt repository in /etc/apt/sources.list.d/, as
/// <name>.sources (deb822) or <name>.list (one-line), with exact deterministic content. The format
/// defaults to deb822 where the distribution itself uses it (Ubuntu >= 24.04, Debian >= 12).
///
/// The plan warns about the same repository (same URI modulo a trailing '/', same suite) already
/// enabled in another sources file, and about a Signed-By keyring that neither exists nor is created
/// by an earlier step.

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/expr.hpp"
#include "steps/apt_sources.hpp"
#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

using apt::kSourcesDir;
using apt::kSourcesList;

std::string join(const std::vector<std::string>& words, const std::string& sep = " ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

struct Repository {
  std::string name;
  std::vector<std::string> types;
  std::vector<std::string> uris;
  std::vector<std::string> suites;
  std::vector<std::string> components;
  std::vector<std::string> architectures;
  std::string signed_by;
  bool enabled = true;
  std::string format;  ///< "deb822", "list", or "" for the distribution's default
};

/// The repository as one deb822 stanza.
std::string render_deb822(const Repository& r) {
  std::string out = "Types: " + join(r.types) + "\nURIs: " + join(r.uris) + "\nSuites: " + join(r.suites) + "\n";
  if (!r.components.empty()) out += "Components: " + join(r.components) + "\n";
  if (!r.architectures.empty()) out += "Architectures: " + join(r.architectures) + "\n";
  if (!r.signed_by.empty()) out += "Signed-By: " + r.signed_by + "\n";
  if (!r.enabled) out += "Enabled: no\n";
  return out;
}

/// The repository as one-line entries: one per type, URI and suite.
std::string render_list(const Repository& r) {
  std::vector<std::string> options;
  if (!r.architectures.empty()) options.push_back("arch=" + join(r.architectures, ","));
  if (!r.signed_by.empty()) options.push_back("signed-by=" + r.signed_by);
  std::string opts = options.empty() ? "" : " [" + join(options) + "]";
  std::string comps = r.components.empty() ? "" : " " + join(r.components);
  std::string out;
  for (const auto& type : r.types)
    for (const auto& uri : r.uris)
      for (const auto& suite : r.suites) out += (r.enabled ? "" : "# ") + type + opts + " " + uri + " " + suite + comps + "\n";
  return out;
}

/// An enabled entry found in a sources file.
struct ExistingEntry {
  std::string uri;
  std::string suite;
  std::string signed_by;
  int line = 0;
};

std::vector<ExistingEntry> one_line_entries(const std::string& text) {
  std::vector<ExistingEntry> out;
  apt::SourcesList list = apt::parse_sources_list(text);
  for (std::size_t i = 0; i < list.lines.size(); ++i) {
    const auto& e = list.lines[i].entry;
    if (!e || !e->enabled) continue;
    std::string signed_by;
    for (const auto& opt : apt::split_words(e->options))
      if (opt.rfind("signed-by=", 0) == 0) signed_by = opt.substr(10);
    out.push_back({e->uri, e->suite, signed_by, static_cast<int>(i + 1)});
  }
  return out;
}

std::vector<ExistingEntry> deb822_entries(const std::string& text) {
  std::vector<ExistingEntry> out;
  int first_line = 1;
  for (const auto& block : apt::parse_deb822(text).blocks) {
    const int start = first_line;
    first_line += static_cast<int>(block.lines.size());
    if (!block.is_stanza()) continue;
    auto enabled = block.get("Enabled");
    if (enabled && (*enabled == "no" || *enabled == "false")) continue;
    const apt::Deb822Field* uris = block.find("URIs");
    int line = start + static_cast<int>(uris ? uris->begin : 0);
    std::string signed_by = block.get("Signed-By").value_or("");
    for (const auto& uri : block.words("URIs"))
      for (const auto& suite : block.words("Suites")) out.push_back({uri, suite, signed_by, line});
  }
  return out;
}

class AptRepositoryStep : public Step {
 public:
  AptRepositoryStep(std::string id, Repository repo) : m_id(std::move(id)), m_repo(std::move(repo)) {}

  StepPlan plan(Context& ctx) const override {
    const std::string path = file_path(ctx);
    Ownership own;
    own.mode = 0644;
    StepPlan plan = plan_file_content(ctx, m_id, path, read_regular(ctx, m_id, path), content(ctx), own);
    for (auto& c : plan.changes) c.provides.push_back("apt:sources");
    try {
      if (m_repo.enabled) duplicate_warnings(ctx, path, plan.warnings);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
    const std::string& key = m_repo.signed_by;
    if (!key.empty() && key[0] == '/' && !ctx.host.fs.stat(key) && ctx.pending_by("path:" + key).empty())
      plan.warnings.push_back("signed_by keyring " + key +
                              " does not exist and no earlier step creates it: apt will refuse the repository "
                              "(NO_PUBKEY)");
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    Ownership own;
    own.mode = 0644;
    try {
      apply_file_content(ctx, m_id, file_path(ctx), content(ctx), own);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
  }

 private:
  bool deb822(const Context& ctx) const {
    if (!m_repo.format.empty()) return m_repo.format == "deb822";
    const auto& os = ctx.facts.value("os", nlohmann::json::object());
    std::string id = os.value("id", "");
    std::string version = os.value("version_id", "");
    if (id == "ubuntu") return !version.empty() && compare_versions(version, "24.04") >= 0;
    if (id == "debian") return !version.empty() && compare_versions(version, "12") >= 0;
    return false;
  }

  std::string file_path(const Context& ctx) const {
    return std::string(kSourcesDir) + "/" + m_repo.name + (deb822(ctx) ? ".sources" : ".list");
  }

  std::string content(const Context& ctx) const { return deb822(ctx) ? render_deb822(m_repo) : render_list(m_repo); }

  /// One warning per (file, line) of another sources file that enables this repository too.
  void duplicate_warnings(const Context& ctx, const std::string& own_path, std::vector<std::string>& warnings) const {
    std::vector<std::string> paths = apt::sources_files(ctx.host.fs);
    for (const auto& path : paths) {
      if (path == own_path) continue;
      auto st = ctx.host.fs.stat(path);
      if (!st || !st->is_regular()) continue;
      std::string text = ctx.host.fs.read(path).value_or("");
      auto entries = apt::is_deb822_file(path) ? deb822_entries(text) : one_line_entries(text);
      int last_line = 0;
      for (const auto& e : entries) {
        if (e.line == last_line || !matches(e)) continue;
        last_line = e.line;
        std::string w = e.uri + " " + e.suite + " is also in " + path + ":" + std::to_string(e.line);
        if (e.signed_by != m_repo.signed_by)
          w += "; with a different Signed-By apt fails with 'Conflicting values set for option Signed-By'";
        else
          w += "; apt warns that the target is configured multiple times";
        warnings.push_back(std::move(w));
      }
    }
  }

  bool matches(const ExistingEntry& e) const {
    for (const auto& uri : m_repo.uris)
      for (const auto& suite : m_repo.suites)
        if (apt::same_uri(uri, e.uri) && suite == e.suite) return true;
    return false;
  }

  std::string m_id;
  Repository m_repo;
};

bool plain_word(const std::string& s, const char* extra) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr(extra, c)) return false;
  return true;
}

std::vector<std::string> words_field(const StepSpec& spec, const std::string& key, bool required) {
  std::vector<std::string> words = spec.str_list(key);
  if (required && words.empty()) spec.fail(key, "step '" + spec.id() + "': " + key + " must list at least one value");
  for (const auto& w : words)
    if (w.empty() || w.find_first_of(" \t\n[]#") != std::string::npos)
      spec.fail(key, "step '" + spec.id() + "': invalid " + key + " value '" + w + "'");
  return words;
}

std::unique_ptr<Step> make_apt_repository(const StepSpec& spec) {
  const std::string& id = spec.id();
  Repository r;
  r.name = spec.str("name");
  if (!plain_word(r.name, "_-."))
    spec.fail("name", "step '" + id + "': name '" + r.name +
                          "' may only hold letters, digits, '_', '-' and '.' (apt ignores other file names)");
  r.uris = words_field(spec, "uris", true);
  for (const auto& uri : r.uris)
    if (uri.find(':') == std::string::npos)
      spec.fail("uris", "step '" + id + "': '" + uri + "' is not a URI (https://..., file:/...)");
  r.suites = words_field(spec, "suites", true);
  r.components = words_field(spec, "components", false);
  r.architectures = words_field(spec, "architectures", false);
  long flat = std::count_if(r.suites.begin(), r.suites.end(), [](const std::string& s) { return s.back() == '/'; });
  if (flat != 0 && flat != static_cast<long>(r.suites.size()))
    spec.fail("suites", "step '" + id + "': mix of exact paths (ending in '/') and distribution suites; use two steps");
  if (flat && !r.components.empty())
    spec.fail("components", "step '" + id + "': a suite that is an exact path ('/') takes no components");
  if (!flat && r.components.empty())
    spec.fail("components", "step '" + id + "': components are required unless the suite is an exact path ('/')");
  r.types = spec.has("types") ? words_field(spec, "types", true) : std::vector<std::string>{"deb"};
  for (const auto& t : r.types)
    if (t != "deb" && t != "deb-src") spec.fail("types", "step '" + id + "': type must be deb or deb-src, found '" + t + "'");
  r.signed_by = spec.opt_str("signed_by").value_or("");
  if (r.signed_by.find_first_of(" \t\n]") != std::string::npos)
    spec.fail("signed_by", "step '" + id + "': signed_by must be a keyring path or fingerprints without spaces");
  r.enabled = spec.boolean("enabled", true);
  r.format = spec.opt_str("format").value_or("");
  if (!r.format.empty() && r.format != "deb822" && r.format != "list")
    spec.fail("format", "step '" + id + "': format must be deb822 or list, found '" + r.format + "'");
  return std::make_unique<AptRepositoryStep>(id, std::move(r));
}

}  // namespace

StepType apt_repository_type() {
  StepType t;
  t.name = "apt_repository";
  t.summary = "A third-party apt repository in /etc/apt/sources.list.d/<name>.sources or .list";
  t.fields = {
      {"name", FieldType::String, true, "file name without extension: letters, digits, '_', '-', '.'"},
      {"uris", FieldType::StringList, true, "repository URIs"},
      {"suites", FieldType::StringList, true, "suites (codenames), or one exact path such as \"/\" (flat repository)"},
      {"components", FieldType::StringList, false, "components (main, ...); required unless the suite is an exact path"},
      {"signed_by", FieldType::String, false, "the keyring path (Signed-By), e.g. /usr/share/keyrings/x.gpg"},
      {"architectures", FieldType::StringList, false, "architectures (amd64, ...); default: apt's"},
      {"format", FieldType::String, false,
       "deb822 or list; default: deb822 on Ubuntu >= 24.04 and Debian >= 12, else list"},
      {"types", FieldType::StringList, false, "deb and/or deb-src; default: [deb]"},
      {"enabled", FieldType::Bool, false, "false: written disabled (Enabled: no, or commented out)"},
  };
  t.example =
      "- id: cuda-repo\n"
      "  type: apt_repository\n"
      "  name: cuda-ubuntu2204-x86_64\n"
      "  uris: [https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/]\n"
      "  suites: [\"/\"]\n"
      "  signed_by: /usr/share/keyrings/cuda-archive-keyring.gpg\n";
  t.factory = make_apt_repository;
  return t;
}

}  // namespace aiprov::steps
