// PATH lookup inside a root tree, resolving symlinks the way the chrooted kernel would.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "host/real.hpp"

namespace aiprov::detail {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string host_of(const std::string& root, const std::string& logical) {
  return root == "/" ? logical : root + logical;
}

/// Resolves every symlink of logical `path` inside `root`; nullopt when a component is missing or
/// there are too many links.
std::optional<std::string> resolve_in_root(const std::string& root, const std::string& path) {
  std::vector<std::string> todo = split_path(path);
  std::vector<std::string> done;
  int links = 0;
  std::size_t i = 0;
  while (i < todo.size()) {
    const std::string part = todo[i++];
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string current;
    for (const auto& d : done) current += "/" + d;
    current += "/" + part;
    std::string host = host_of(root, current);
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return std::nullopt;
    if (!S_ISLNK(st.st_mode)) {
      done.push_back(part);
      continue;
    }
    if (++links > 40) return std::nullopt;
    std::string target(static_cast<std::size_t>(st.st_size) + 256, '\0');
    ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
    if (n < 0) return std::nullopt;
    target.resize(static_cast<std::size_t>(n));
    std::vector<std::string> rest(todo.begin() + static_cast<std::ptrdiff_t>(i), todo.end());
    todo = split_path(target);
    todo.insert(todo.end(), rest.begin(), rest.end());
    i = 0;
    if (!target.empty() && target.front() == '/') done.clear();
  }
  std::string out;
  for (const auto& d : done) out += "/" + d;
  return out.empty() ? "/" : out;
}

bool is_executable(const std::string& root, const std::string& logical) {
  auto real = resolve_in_root(root, logical);
  if (!real) return false;
  std::string host = host_of(root, *real);
  struct stat st {};
  return ::stat(host.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(host.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::string> find_program(const std::string& root, const std::string& name,
                                        const std::vector<std::string>& path_dirs) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (name.front() != '/') return name;  // relative to the working directory: exec decides
    if (is_executable(root, name)) return name;
    return std::nullopt;
  }
  for (const std::string& dir : path_dirs) {
    std::string logical = (dir.empty() || dir.back() != '/') ? dir + "/" + name : dir + name;
    if (is_executable(root, logical)) return logical;
  }
  return std::nullopt;
}

}  // namespace aiprov::detail
