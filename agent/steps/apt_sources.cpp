// Classification of APT entries: the distribution's archive, its security archive, or third party.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "steps/apt_sources.hpp"

namespace aiprov::apt {
namespace {

struct UriParts {
  std::string scheme;  ///< lower case
  std::string host;    ///< lower case, without user info and port
  std::string path;    ///< without trailing '/'
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// nullopt for URIs without "scheme://" (cdrom:[...], mirror+file:...).
std::optional<UriParts> split_uri(std::string_view uri) {
  std::size_t sep = uri.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UriParts parts;
  parts.scheme = lower(uri.substr(0, sep));
  std::string_view rest = uri.substr(sep + 3);
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) authority = authority.substr(0, colon);
  parts.host = lower(authority);
  parts.path = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
  while (!parts.path.empty() && parts.path.back() == '/') parts.path.pop_back();
  return parts;
}

std::string_view last_segment(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_distribution_path(std::string_view path) {
  std::string_view seg = last_segment(path);
  return seg == "ubuntu" || seg == "ubuntu-ports" || seg == "debian" || seg == "debian-security";
}

bool is_known_host(const std::string& host) {
  static constexpr std::array<std::string_view, 7> kExact = {
      "archive.ubuntu.com", "security.ubuntu.com", "ports.ubuntu.com",  "old-releases.ubuntu.com",
      "deb.debian.org",     "security.debian.org", "ftp.debian.org"};
  if (std::find(kExact.begin(), kExact.end(), host) != kExact.end()) return true;
  if (ends_with(host, ".archive.ubuntu.com") || ends_with(host, ".ports.ubuntu.com")) return true;
  return host.rfind("ftp.", 0) == 0 && ends_with(host, ".debian.org");  // ftp.de.debian.org
}

bool official_components(const std::vector<std::string>& components) {
  static constexpr std::array<std::string_view, 7> kOfficial = {
      "main", "restricted", "universe", "multiverse", "contrib", "non-free", "non-free-firmware"};
  if (components.empty()) return false;
  return std::all_of(components.begin(), components.end(), [](const std::string& c) {
    return std::find(kOfficial.begin(), kOfficial.end(), c) != kOfficial.end();
  });
}

/// Archive for "jammy", "jammy-updates", ...; Security for "jammy-security"; Other for anything else.
Origin suite_origin(std::string_view suite) {
  std::size_t dash = suite.find('-');
  std::string_view codename = suite.substr(0, dash);
  if (codename.empty() || !std::all_of(codename.begin(), codename.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return Origin::Other;
  if (dash == std::string_view::npos) return Origin::Archive;
  std::string_view pocket = suite.substr(dash + 1);
  if (pocket == "security") return Origin::Security;
  if (pocket == "updates" || pocket == "backports" || pocket == "proposed" || pocket == "proposed-updates")
    return Origin::Archive;
  return Origin::Other;
}

}  // namespace

Origin classify(std::string_view uri, std::string_view suite, const std::vector<std::string>& components,
                const ClassifyContext& ctx) {
  Origin by_suite = suite_origin(suite);
  if (by_suite == Origin::Other) return Origin::Other;
  for (const auto& own : ctx.own_uris)
    if (same_uri(uri, own)) return by_suite;
  auto parts = split_uri(uri);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https" && parts->scheme != "ftp"))
    return Origin::Other;
  if (!is_distribution_path(parts->path)) return Origin::Other;
  if (is_known_host(parts->host)) return by_suite;
  bool launchpad = parts->host.find("launchpad") != std::string::npos;
  if (ctx.distribution_file && !launchpad && official_components(components)) return by_suite;
  return Origin::Other;
}

bool is_distribution_file(std::string_view path) {
  return path == "/etc/apt/sources.list" || path == "/etc/apt/sources.list.d/ubuntu.sources" ||
         path == "/etc/apt/sources.list.d/debian.sources";
}

std::string with_trailing_slash(std::string uri) {
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  return uri + "/";
}

bool same_uri(std::string_view a, std::string_view b) {
  auto pa = split_uri(a), pb = split_uri(b);
  if (!pa || !pb) return with_trailing_slash(std::string(a)) == with_trailing_slash(std::string(b));
  // Keep the authority's port and user info in the comparison: compare what follows the host too.
  auto authority = [](std::string_view u) {
    std::string_view rest = u.substr(u.find("://") + 3);
    return lower(rest.substr(0, rest.find('/')));
  };
  return pa->scheme == pb->scheme && authority(a) == authority(b) && pa->path == pb->path;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> sources_files(const FileSystem& fs) {
  std::vector<std::string> paths = {kSourcesList};
  for (const auto& name : fs.list_dir(kSourcesDir))
    if (ends_with(name, ".list") || ends_with(name, ".sources")) paths.push_back(std::string(kSourcesDir) + "/" + name);
  return paths;
}

bool is_deb822_file(std::string_view path) { return ends_with(path, ".sources"); }

}  // namespace aiprov::apt
