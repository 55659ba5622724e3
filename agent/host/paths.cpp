// Root normalization, logical path checks and lstat conversion shared by the real seams.

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov::detail {

std::string normalize_root(const std::string& root) {
  if (root.empty()) return "/";
  std::string norm = std::filesystem::absolute(root).lexically_normal().string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  return norm;
}

void check_logical_path(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    throw HostError("not an absolute path: '" + path + "'");
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) {
      throw HostError("path must not contain '..': '" + path + "'");
    }
    start = end + 1;
  }
}

FileStat to_file_stat(const struct stat& st) {
  FileStat fs;
  if (S_ISREG(st.st_mode)) {
    fs.type = FileType::Regular;
  } else if (S_ISDIR(st.st_mode)) {
    fs.type = FileType::Directory;
  } else if (S_ISLNK(st.st_mode)) {
    fs.type = FileType::Symlink;
  } else {
    fs.type = FileType::Other;
  }
  fs.mode = st.st_mode & 07777;
  fs.uid = st.st_uid;
  fs.gid = st.st_gid;
  fs.size = static_cast<std::uint64_t>(st.st_size);
  fs.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return fs;
}

}  // namespace aiprov::detail
