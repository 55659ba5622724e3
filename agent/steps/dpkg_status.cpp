// The dpkg status parser (one pass over string_views, no regex) and the per-root cache.
#include "steps/dpkg_status.hpp"

#include <mutex>
#include <utility>

namespace aiprov::steps::dpkg {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// The next space-separated word of `s`, consumed.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  std::size_t end = s.find(' ');
  std::string_view word = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return word;
}

/// Adds a finished stanza to the map.
void commit(StatusMap& map, PackageState& st) {
  if (st.name.empty()) {
    st = PackageState{};
    return;
  }
  if (!st.architecture.empty()) map[st.name + ":" + st.architecture] = st;
  auto [it, inserted] = map.try_emplace(st.name, st);
  if (!inserted && !it->second.installed() && st.installed()) it->second = st;
  st = PackageState{};
}

}  // namespace

StatusMap parse_status(std::string_view text) {
  StatusMap map;
  map.reserve(text.size() / 1000 + 16);  // a stanza is about 1 KB
  PackageState st;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      commit(map, st);
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation of a multi-line field
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    switch (key.size()) {  // only four fields matter: compare those of the right length
      case 7:
        if (iequals(key, "Package"))
          st.name = value;
        else if (iequals(key, "Version"))
          st.version = value;
        break;
      case 6:
        if (iequals(key, "Status")) {
          st.want = next_word(value);
          st.flag = next_word(value);
          st.status = next_word(value);
        }
        break;
      case 12:
        if (iequals(key, "Architecture")) st.architecture = value;
        break;
      default:
        break;
    }
  }
  commit(map, st);
  return map;
}

namespace {

struct CacheEntry {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool exists = false;
  std::shared_ptr<const StatusMap> packages;
};

std::mutex g_mutex;
std::unordered_map<std::string, CacheEntry> g_cache;  // by root

}  // namespace

std::shared_ptr<const StatusMap> installed_packages(const FileSystem& fs) {
  std::optional<FileStat> st = fs.stat(kStatusPath);
  CacheEntry fresh;
  fresh.exists = st.has_value();
  if (st) {
    fresh.size = st->size;
    fresh.mtime_ns = st->mtime_ns;
  }
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_cache.find(fs.root());
    if (it != g_cache.end() && it->second.exists == fresh.exists && it->second.size == fresh.size &&
        it->second.mtime_ns == fresh.mtime_ns)
      return it->second.packages;
  }
  std::optional<std::string> text = st ? fs.read(kStatusPath) : std::nullopt;
  fresh.packages = std::make_shared<const StatusMap>(text ? parse_status(*text) : StatusMap{});
  std::lock_guard<std::mutex> lock(g_mutex);
  g_cache[fs.root()] = fresh;
  return fresh.packages;
}

void forget_installed_packages() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_cache.clear();
}

}  // namespace aiprov::steps::dpkg
