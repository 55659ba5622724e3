#pragma once
/// Recording fakes of the three seams (include/aiprov/host.hpp), for unit tests:
///   VirtualFileSystem  an in-memory tree of files, directories and symlinks that logs every mutation
///                      ("write /etc/motd", "mkdir /opt/ai 0755", "chmod /x 0644", "chown /x 1000:1000",
///                      "remove /x"); setup helpers (add_file, add_dir, add_symlink, put) do not log.
///   FakeProcessRunner  records every Command; answers from registered rules (the latest matching
///                      rule wins; no match: exit 0, empty output); a rule may have a side effect,
///                      e.g. a fake `groupadd` that appends to /etc/group in the VFS.
///   FakeFetcher        url -> body (written into the VFS when dest is one of its host paths) or error.
///   FakeHost           the three bundled, with facts and a Context factory.
/// Header-only on purpose: every test layer can include it without a library.

#include <sys/types.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/error.hpp"
#include "aiprov/host.hpp"
#include "aiprov/step.hpp"

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

/// A recording ProcessRunner. Rules are tried newest first; the first that matches answers.
class FakeProcessRunner : public ProcessRunner {
 public:
  using Matcher = std::function<bool(const Command&)>;
  using Responder = std::function<ProcessResult(const Command&)>;

  static ProcessResult result(int exit_code, std::string output = {}) {
    ProcessResult r;
    r.exit_code = exit_code;
    r.output = std::move(output);
    return r;
  }

  /// Answers commands matching `match` with whatever `respond` returns (it may also edit the VFS).
  void on(Matcher match, Responder respond) { m_rules.push_back({std::move(match), std::move(respond)}); }
  /// Answers exactly `argv` with `res`, running `effect` first when given.
  void on_argv(std::vector<std::string> argv, ProcessResult res,
               std::function<void(const Command&)> effect = {}) {
    on([argv](const Command& c) { return c.argv == argv; },
       [res, effect](const Command& c) {
         if (effect) effect(c);
         return res;
       });
  }
  /// Answers every command whose argv[0] is `program` (exact) with `res`, running `effect` first.
  void on_program(std::string program, ProcessResult res, std::function<void(const Command&)> effect = {}) {
    on([program](const Command& c) { return !c.argv.empty() && c.argv[0] == program; },
       [res, effect](const Command& c) {
         if (effect) effect(c);
         return res;
       });
  }

  ProcessResult run(const Command& cmd) override {
    m_commands.push_back(cmd);
    for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it)
      if (it->match(cmd)) return it->respond(cmd);
    return result(0);
  }

  /// Every command run, in order.
  const std::vector<Command>& commands() const { return m_commands; }
  /// Every command's argv joined by single spaces ("groupadd --system anaconda").
  std::vector<std::string> command_lines() const {
    std::vector<std::string> lines;
    for (const auto& c : m_commands) lines.push_back(join(c.argv));
    return lines;
  }
  void clear_commands() { m_commands.clear(); }

  static std::string join(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
  }

 private:
  struct Rule {
    Matcher match;
    Responder respond;
  };
  std::vector<Rule> m_rules;
  std::vector<Command> m_commands;
};

/// A Fetcher that serves registered bodies. A destination under the VFS's host paths ("/virtual/...")
/// is written into the VFS (not logged there); any other destination is a real file. Resuming
/// (resume_from > 0) appends the body from that offset. Unknown URLs answer HTTP 404.
class FakeFetcher : public Fetcher {
 public:
  explicit FakeFetcher(VirtualFileSystem* vfs = nullptr) : m_vfs(vfs) {}

  void serve(const std::string& url, std::string body) { m_bodies[url] = std::move(body); }
  /// Makes `url` fail with `error` (transient or not) and the given HTTP status (0: no response).
  void fail(const std::string& url, std::string error, bool transient = false, long http_status = 0) {
    FetchResult r;
    r.http_status = http_status;
    r.transient = transient;
    r.error = std::move(error);
    m_errors[url] = std::move(r);
  }

  FetchResult fetch(const FetchRequest& req) override {
    m_requests.push_back(req.url);
    if (auto e = m_errors.find(req.url); e != m_errors.end()) return e->second;
    auto b = m_bodies.find(req.url);
    FetchResult r;
    if (b == m_bodies.end()) {
      r.http_status = 404;
      r.error = req.url + ": HTTP 404";
      return r;
    }
    std::string part = req.resume_from < b->second.size() ? b->second.substr(req.resume_from) : std::string();
    std::string prefix = "/virtual/";
    if (m_vfs && req.dest_host_path.compare(0, prefix.size(), prefix) == 0) {
      std::string logical = req.dest_host_path.substr(prefix.size() - 1);
      std::string old = req.resume_from > 0 ? m_vfs->read(logical).value_or("") : "";
      m_vfs->put(logical, old + part);
    } else {
      std::ofstream out(req.dest_host_path, req.resume_from > 0 ? std::ios::binary | std::ios::app
                                                                : std::ios::binary | std::ios::trunc);
      out << part;
      if (!out) {
        r.error = "cannot write " + req.dest_host_path;
        return r;
      }
    }
    if (req.on_progress) req.on_progress(b->second.size(), b->second.size());
    r.ok = true;
    r.http_status = req.resume_from > 0 ? 206 : 200;
    r.bytes = b->second.size();
    return r;
  }

  /// Every URL requested, in order.
  const std::vector<std::string>& requests() const { return m_requests; }

 private:
  VirtualFileSystem* m_vfs;
  std::map<std::string, std::string> m_bodies;
  std::map<std::string, FetchResult> m_errors;
  std::vector<std::string> m_requests;
};

/// The three fakes bundled, with facts. Not copyable (host refers to the members).
struct FakeHost {
  VirtualFileSystem fs;
  FakeProcessRunner proc;
  FakeFetcher fetch{&fs};
  nlohmann::json facts = nlohmann::json::object();
  Host host{fs, proc, fetch};

  FakeHost() = default;
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  /// A Context over this host. backup_dir empty: planning only (no backups).
  Context context(std::string backup_dir = {}) { return Context{host, facts, std::move(backup_dir), {}, {}}; }

  /// Minimal /etc/passwd and /etc/group with root (0) plus the given "name:id" users/groups. A user
  /// gets a primary group of the same name and id.
  void add_accounts(const std::vector<std::pair<std::string, unsigned>>& users,
                    const std::vector<std::pair<std::string, unsigned>>& groups = {}) {
    std::string passwd = "root:x:0:0:root:/root:/bin/bash\n";
    std::string group = "root:x:0:\n";
    for (const auto& [name, id] : users) {
      passwd += name + ":x:" + std::to_string(id) + ":" + std::to_string(id) + "::/home/" + name + ":/bin/bash\n";
      group += name + ":x:" + std::to_string(id) + ":\n";
    }
    for (const auto& [name, id] : groups) group += name + ":x:" + std::to_string(id) + ":\n";
    fs.add_file("/etc/passwd", passwd);
    fs.add_file("/etc/group", group);
  }
};

}  // namespace aiprov::testing
