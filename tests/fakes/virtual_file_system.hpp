#pragma once
/// VirtualFileSystem: the in-memory, recording FileSystem of the unit tests (see fake_host.hpp).

#include <sys/types.h>

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aiprov/error.hpp"
#include "aiprov/host.hpp"

namespace aiprov::testing {

/// "0644"-style octal text of a mode (at least four digits).
inline std::string octal_mode(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

/// An in-memory FileSystem. Logical paths must be absolute; a trailing '/' is ignored. Paths are not
/// resolved through symlinks except by read(), which follows up to 8 levels of absolute targets.
/// host_path() is "/virtual" + path. Errors (missing parent, mkdir over an existing path, removing a
/// non-empty directory) throw HostError as the real implementation does.
class VirtualFileSystem : public FileSystem {
 public:
  struct Node {
    FileStat stat;
    std::string content;  ///< regular files
    std::string target;   ///< symlinks
  };

  VirtualFileSystem() {
    Node root;
    root.stat.type = FileType::Directory;
    root.stat.mode = 0755;
    m_nodes["/"] = root;
  }

  // --- setup helpers: create parents as 0755 root:root directories and do not log -----------------
  void add_file(const std::string& path, std::string content, unsigned mode = 0644, uid_t uid = 0,
                gid_t gid = 0) {
    std::string p = norm(path);
    ensure_parents(p);
    Node n;
    n.stat.type = FileType::Regular;
    n.stat.mode = mode;
    n.stat.uid = uid;
    n.stat.gid = gid;
    n.stat.size = content.size();
    n.content = std::move(content);
    m_nodes[p] = std::move(n);
  }
  void add_dir(const std::string& path, unsigned mode = 0755, uid_t uid = 0, gid_t gid = 0) {
    std::string p = norm(path);
    ensure_parents(p);
    Node n;
    n.stat.type = FileType::Directory;
    n.stat.mode = mode;
    n.stat.uid = uid;
    n.stat.gid = gid;
    m_nodes[p] = std::move(n);
  }
  void add_symlink(const std::string& path, std::string target) {
    std::string p = norm(path);
    ensure_parents(p);
    Node n;
    n.stat.type = FileType::Symlink;
    n.stat.mode = 0777;
    n.stat.size = target.size();
    n.target = std::move(target);
    m_nodes[p] = std::move(n);
  }
  /// Replaces a file's content keeping its metadata (or adds it as 0644 root:root); not logged.
  void put(const std::string& path, std::string content) {
    std::string p = norm(path);
    auto it = m_nodes.find(p);
    if (it == m_nodes.end() || !it->second.stat.is_regular()) return add_file(p, std::move(content));
    it->second.stat.size = content.size();
    it->second.content = std::move(content);
  }
  /// The node at a path (lstat semantics), or nullptr.
  const Node* node(const std::string& path) const {
    auto it = m_nodes.find(norm(path));
    return it == m_nodes.end() ? nullptr : &it->second;
  }
  bool exists(const std::string& path) const { return node(path) != nullptr; }

  /// Every mutation made through the FileSystem interface, in order.
  const std::vector<std::string>& log() const { return m_log; }
  void clear_log() { m_log.clear(); }
  /// What root() reports ("/virtual" by default, like a --root tree; "/" for a live root).
  void set_root(std::string root) { m_root = std::move(root); }

  // --- FileSystem ----------------------------------------------------------------------------------
  const std::string& root() const override { return m_root; }
  std::string host_path(const std::string& path) const override { return "/virtual" + norm(path); }

  std::optional<FileStat> stat(const std::string& path) const override {
    const Node* n = node(path);
    if (!n) return std::nullopt;
    return n->stat;
  }

  std::optional<std::string> read(const std::string& path) const override {
    std::string p = norm(path);
    for (int depth = 0; depth < 8; ++depth) {
      auto it = m_nodes.find(p);
      if (it == m_nodes.end()) return std::nullopt;
      if (it->second.stat.is_symlink()) {
        p = norm(it->second.target);
        continue;
      }
      if (!it->second.stat.is_regular()) throw HostError("cannot read " + path + ": not a regular file");
      return it->second.content;
    }
    throw HostError("cannot read " + path + ": too many levels of symbolic links");
  }

  void write_atomic(const std::string& path, std::string_view data, const WriteOptions& opts) override {
    std::string p = norm(path);
    require_dir(parent(p), "write " + p);
    auto it = m_nodes.find(p);
    if (it != m_nodes.end() && it->second.stat.is_dir()) throw HostError("cannot write " + p + ": is a directory");
    if (opts.backup_to && it != m_nodes.end() && it->second.stat.is_regular()) {
      add_file(*opts.backup_to, it->second.content, it->second.stat.mode, it->second.stat.uid,
               it->second.stat.gid);
      m_log.push_back("backup " + p + " -> " + norm(*opts.backup_to));
    }
    Node n;
    n.stat.type = FileType::Regular;
    bool had = it != m_nodes.end() && it->second.stat.is_regular();
    n.stat.mode = opts.mode.value_or(had ? it->second.stat.mode : 0644);
    n.stat.uid = opts.uid.value_or(had ? it->second.stat.uid : 0);
    n.stat.gid = opts.gid.value_or(had ? it->second.stat.gid : 0);
    n.stat.size = data.size();
    n.content = std::string(data);
    m_nodes[p] = std::move(n);
    m_log.push_back("write " + p);
  }

  void mkdir(const std::string& path, unsigned mode) override {
    std::string p = norm(path);
    require_dir(parent(p), "mkdir " + p);
    if (m_nodes.count(p)) throw HostError("cannot mkdir " + p + ": exists");
    Node n;
    n.stat.type = FileType::Directory;
    n.stat.mode = mode;
    m_nodes[p] = std::move(n);
    m_log.push_back("mkdir " + p + " " + octal_mode(mode));
  }

  void chmod(const std::string& path, unsigned mode) override {
    Node& n = must(path, "chmod");
    n.stat.mode = mode;
    m_log.push_back("chmod " + norm(path) + " " + octal_mode(mode));
  }

  void chown(const std::string& path, uid_t uid, gid_t gid) override {
    Node& n = must(path, "chown");
    n.stat.uid = uid;
    n.stat.gid = gid;
    m_log.push_back("chown " + norm(path) + " " + std::to_string(uid) + ":" + std::to_string(gid));
  }

  void remove(const std::string& path) override {
    std::string p = norm(path);
    auto it = m_nodes.find(p);
    if (it == m_nodes.end()) return;
    if (it->second.stat.is_dir() && !list_dir(p).empty())
      throw HostError("cannot remove " + p + ": directory not empty");
    m_nodes.erase(it);
    m_log.push_back("remove " + p);
  }

  std::vector<std::string> list_dir(const std::string& path) const override {
    std::string p = norm(path);
    std::string prefix = p == "/" ? "/" : p + "/";
    std::vector<std::string> names;
    for (auto it = m_nodes.lower_bound(prefix); it != m_nodes.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      std::string rest = it->first.substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
    }
    return names;  // std::map order is sorted
  }

  void walk(const std::string& path, const std::function<bool(const WalkEntry&)>& visit) const override {
    walk_impl(norm(path), visit);
  }

  /// The changer calls chown/chmod/stat of this file system with the entry's path (logged as usual).
  void walk_change(const std::string& path,
                   const std::function<bool(const WalkEntry&, EntryChanger&)>& visit) override {
    struct Changer : EntryChanger {
      Changer(VirtualFileSystem& fs, const std::string& path) : fs(fs), path(path) {}
      void chown(uid_t uid, gid_t gid) override {
        if (fs.stat(path)) fs.chown(path, uid, gid);
      }
      void chmod(unsigned mode) override {
        if (fs.stat(path)) fs.chmod(path, mode);
      }
      std::optional<FileStat> stat() override { return fs.stat(path); }
      VirtualFileSystem& fs;
      const std::string& path;
    };
    walk_impl(norm(path), [&](const WalkEntry& e) {
      Changer change(*this, e.path);
      return visit(e, change);
    });
  }

 private:
  static std::string norm(const std::string& path) {
    if (path.empty() || path[0] != '/') throw HostError("not an absolute logical path: '" + path + "'");
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  }
  static std::string parent(const std::string& p) {
    auto slash = p.rfind('/');
    return slash == 0 ? "/" : p.substr(0, slash);
  }
  void ensure_parents(const std::string& p) {
    if (p == "/") return;
    std::string par = parent(p);
    if (m_nodes.count(par)) return;
    ensure_parents(par);
    Node n;
    n.stat.type = FileType::Directory;
    n.stat.mode = 0755;
    m_nodes[par] = std::move(n);
  }
  void require_dir(const std::string& p, const std::string& what) const {
    auto it = m_nodes.find(p);
    if (it == m_nodes.end() || !it->second.stat.is_dir())
      throw HostError("cannot " + what + ": parent " + p + " is not a directory");
  }
  Node& must(const std::string& path, const std::string& what) {
    auto it = m_nodes.find(norm(path));
    if (it == m_nodes.end()) throw HostError("cannot " + what + " " + path + ": no such file or directory");
    return it->second;
  }
  bool walk_impl(const std::string& p, const std::function<bool(const WalkEntry&)>& visit) const {
    auto it = m_nodes.find(p);
    if (it == m_nodes.end()) return true;
    if (!visit(WalkEntry{p, it->second.stat})) return false;
    if (!it->second.stat.is_dir()) return true;
    for (const auto& name : list_dir(p))
      if (!walk_impl(p == "/" ? "/" + name : p + "/" + name, visit)) return false;
    return true;
  }

  std::string m_root = "/virtual";
  std::map<std::string, Node> m_nodes;
  std::vector<std::string> m_log;
};

}  // namespace aiprov::testing
