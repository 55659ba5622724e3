/// Step type `deb`: a .deb installed with dpkg, from a file beside the recipe (`path`) or a URL with
/// its SHA-256, and optionally a keyring the package ships copied to where apt's Signed-By expects it
/// (NVIDIA's local repository packages ask users to `cp /var/cuda-repo-*/cuda-*-keyring.gpg
/// /usr/share/keyrings/` by hand).
///
/// The .deb is first put into the root (a URL's body in the verified download cache, a local file
/// under /var/cache/aiprov/debs/), so that `dpkg-deb -f` and `dpkg -i`, which run chrooted under
/// --root, can read it. Converged: dpkg's status shows the package at the version installed and the
/// keyring copy is in place. Package and version come from the recipe or, once the file is in the
/// root, from `dpkg-deb -f`; until then the plan says it cannot name them.

#include <fnmatch.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "steps/apt_run.hpp"
#include "steps/cache_fetch.hpp"
#include "steps/common_command.hpp"
#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/deb_file.hpp"
#include "steps/dpkg_status.hpp"
#include "steps/sha256.hpp"
#include "steps/steps.hpp"
#include "steps/verified_fetch.hpp"

namespace aiprov::steps {
namespace {

constexpr const char* kDebDir = "/var/cache/aiprov/debs";
constexpr unsigned kKeyringMode = 0644;

struct DebFields {
  std::string package;
  std::string version;
};

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

/// The existing paths matching an absolute glob, one component at a time (fnmatch(3), so '*' never
/// crosses a '/' and a leading '.' must be matched explicitly), sorted.
std::vector<std::string> expand_glob(const FileSystem& fs, const std::string& pattern) {
  std::vector<std::string> found = {""};
  std::istringstream parts(pattern.substr(1));
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    std::vector<std::string> next;
    for (const auto& dir : found) {
      if (part.find_first_of("*?[") == std::string::npos) {
        if (fs.stat(dir + "/" + part)) next.push_back(dir + "/" + part);
        continue;
      }
      for (const auto& name : fs.list_dir(dir.empty() ? "/" : dir))
        if (fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0) next.push_back(dir + "/" + name);
    }
    found = std::move(next);
  }
  return found;
}

class DebStep : public Step {
 public:
  DebStep(std::string id, std::string path, std::string url, std::string sha256, std::optional<std::string> package,
          std::optional<std::string> version, std::string keyring_glob, std::string keyring_dest)
      : m_id(std::move(id)), m_path(std::move(path)), m_url(std::move(url)), m_sha256(std::move(sha256)),
        m_package(std::move(package)), m_version(std::move(version)), m_glob(std::move(keyring_glob)),
        m_keyring_dest(std::move(keyring_dest)) {}

  bool uses_apt() const override { return true; }

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    if (!m_path.empty()) check_local_file();
    std::optional<DebFields> fields = known_fields(ctx);
    bool installed = fields && installed_at(ctx, *fields);
    if (!installed) plan.changes.push_back(install_change(ctx, fields));
    if (!m_glob.empty()) plan_keyring(ctx, installed, fields, plan);
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    try {
      for (const auto& c : plan.changes)
        if (c.action == Change::Action::Run) install(ctx);
      if (!m_glob.empty()) copy_keyring(ctx);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
  }

 private:
  std::string file_name() const { return m_url.empty() ? base_name(m_path) : url_file_name(m_url); }

  /// Where the .deb lies inside the root once staged.
  std::string staged_path() const {
    return m_url.empty() ? std::string(kDebDir) + "/" + file_name() : download_cache_path(m_sha256);
  }

  /// The local file must exist, be a .deb and match `sha256` when given.
  void check_local_file() const {
    std::ifstream in(m_path, std::ios::binary);
    if (!in) step_fail(m_id, "cannot read " + m_path);
    std::string head(debfile::kHeadSize, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    try {
      debfile::check_deb_header(head);
    } catch (const debfile::DebFileError& e) {
      step_fail(m_id, m_path + ": " + e.what());
    }
  }

  /// The digest the staged copy must have.
  std::string wanted_digest() const {
    if (!m_url.empty()) return m_sha256;
    std::string digest;
    try {
      digest = sha256_of_file(m_path);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
    if (!m_sha256.empty() && digest != m_sha256)
      step_fail(m_id, m_path + ": checksum mismatch: expected sha256 " + m_sha256 + ", got " + digest);
    return digest;
  }

  bool staged_current(const Context& ctx) const {
    return file_sha256(ctx.host.fs, m_id, staged_path()) == wanted_digest();
  }

  /// Package and version from the recipe, else from the staged .deb when it is current.
  std::optional<DebFields> known_fields(Context& ctx) const {
    if (m_package && m_version) return DebFields{*m_package, *m_version};
    if (!staged_current(ctx)) return std::nullopt;
    return read_fields(ctx);
  }

  /// `dpkg-deb -f` on the staged file, checked against what the recipe says.
  DebFields read_fields(Context& ctx) const {
    Command cmd;
    cmd.argv = {"dpkg-deb", "-f", staged_path(), "Package", "Version"};
    auto fields = debfile::parse_control_fields(run_checked(ctx, m_id, cmd).output);
    DebFields f{fields["Package"], fields["Version"]};
    if (f.package.empty() || f.version.empty())
      step_fail(m_id, "`dpkg-deb -f " + staged_path() + " Package Version` printed no package and version");
    if ((m_package && *m_package != f.package) || (m_version && *m_version != f.version))
      step_fail(m_id, file_name() + " holds " + f.package + " " + f.version + ", but the recipe says " +
                          m_package.value_or(f.package) + " " + m_version.value_or(f.version));
    return f;
  }

  std::optional<dpkg::PackageState> state_of(const Context& ctx, const std::string& package) const {
    auto packages = dpkg::installed_packages(ctx.host.fs);
    auto it = packages->find(package);
    if (it == packages->end()) return std::nullopt;
    return it->second;
  }

  bool installed_at(const Context& ctx, const DebFields& f) const {
    auto st = state_of(ctx, f.package);
    return st && st->installed() && st->version == f.version;
  }

  Change install_change(const Context& ctx, const std::optional<DebFields>& fields) const {
    Change c;
    c.action = Change::Action::Run;
    c.provides = {"apt:sources"};  // a repository package (cuda-repo-*, cudnn-local-repo-*) adds sources
    if (fields) {
      c.target = "install " + fields->package + " " + fields->version + " from " + file_name();
      auto st = state_of(ctx, fields->package);
      c.reason = !st || st->status == "not-installed" ? "not installed"
                 : st->installed()                   ? "installed version is " + st->version
                                                     : "dpkg status is '" + st->status + "' (" + st->version + ")";
      c.provides.insert(c.provides.begin(), "package:" + fields->package);
    } else {
      c.target = "install " + file_name();
      c.reason = "package and version are read from the .deb (dpkg-deb -f) once it is in the root; give package "
                 "and version in the recipe to see them in the plan";
    }
    if (m_url.empty())
      c.reason += "; " + m_path + " is copied to " + staged_path() + " first";
    else
      c.reason += "; downloaded from " + m_url + " and checked against sha256 " + m_sha256 + " before installing";
    c.detail = "dpkg -i " + staged_path() + "\n";
    return c;
  }

  /// The keyring's destination file for a matched path.
  std::string keyring_file(const std::string& match) const {
    return m_keyring_dest.back() == '/' ? m_keyring_dest + base_name(match) : m_keyring_dest;
  }

  /// The one file the glob matches; StepError for none or several.
  std::string keyring_match(const Context& ctx, const std::string& package) const {
    std::vector<std::string> matches = expand_glob(ctx.host.fs, m_glob);
    if (matches.size() == 1) return matches[0];
    if (matches.empty()) step_fail(m_id, "keyring_glob " + m_glob + " matches no file although " + package + " is installed");
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
    step_fail(m_id, "keyring_glob " + m_glob + " matches " + std::to_string(matches.size()) + " files (" + list +
                        "); make it match one");
  }

  void plan_keyring(const Context& ctx, bool installed, const std::optional<DebFields>& fields, StepPlan& plan) const {
    Change c;
    if (!installed) {
      c.action = Change::Action::Create;
      c.target = keyring_file(m_glob);
      c.reason = "copy of the file matching " + m_glob + " once the package is installed; mode 0644";
      if (c.target.find_first_of("*?[") == std::string::npos) c.provides = {"path:" + c.target};
      plan.changes.push_back(std::move(c));
      return;
    }
    std::string match = keyring_match(ctx, fields->package);
    std::string dest = keyring_file(match);
    std::optional<std::string> current = read_regular(ctx, m_id, dest);
    c.target = dest;
    c.provides = {"path:" + dest};
    if (!current || *current != ctx.host.fs.read(match).value_or("")) {
      c.action = current ? Change::Action::Update : Change::Action::Create;
      c.reason = "copy of " + match + " (shipped by " + fields->package + ")" + (current ? ": content differs" : "");
      c.detail = "cp " + match + " " + dest + "\n";
      plan.changes.push_back(std::move(c));
      return;
    }
    auto st = ctx.host.fs.stat(dest);
    if ((st->mode & 07777) != kKeyringMode || st->uid != 0 || st->gid != 0) {
      c.action = Change::Action::Update;
      c.reason = "mode " + mode_text(st->mode & 07777) + " uid " + std::to_string(st->uid) + " gid " +
                 std::to_string(st->gid) + " -> mode 0644 root:root";
      plan.changes.push_back(std::move(c));
    }
  }

  /// Puts the .deb into the root (verified) and returns its logical path there.
  std::string stage(Context& ctx) const {
    if (!m_url.empty()) return fetch_to_cache(ctx, m_id, m_url, m_sha256);
    if (staged_current(ctx)) return staged_path();
    std::ifstream in(m_path, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (!in || in.bad()) step_fail(m_id, "cannot read " + m_path);
    Sha256 digest;
    digest.update(data.view());
    std::string got = digest.hex();
    if (!m_sha256.empty() && got != m_sha256)
      step_fail(m_id, m_path + ": checksum mismatch: expected sha256 " + m_sha256 + ", got " + got);
    FileSystem& fs = ctx.host.fs;
    if (!fs.stat(kDebDir)) {
      create_parents(fs, kDebDir);
      fs.mkdir(kDebDir, 0755);
    }
    fs.write_atomic(staged_path(), data.view(), WriteOptions{0644u, 0u, 0u, {}});
    return staged_path();
  }

  void install(Context& ctx) const {
    std::string staged = stage(ctx);
    DebFields f = read_fields(ctx);
    if (installed_at(ctx, f)) return;
    apt::wait_for_dpkg_lock(apt::dpkg_lock_paths(ctx.host.fs), m_id, ctx.progress,
                            std::chrono::duration_cast<std::chrono::milliseconds>(apt::apt_lock_timeout()));
    if (ctx.progress) ctx.progress("installing " + f.package + " " + f.version);
    Command cmd;
    cmd.argv = {"dpkg", "-i", staged};
    cmd.env = apt::apt_env();
    run_checked(ctx, m_id, cmd);
  }

  void copy_keyring(Context& ctx) const {
    FileSystem& fs = ctx.host.fs;
    std::string match = keyring_match(ctx, m_package.value_or("the package"));
    std::string dest = keyring_file(match);
    std::optional<std::string> data = fs.read(match);
    if (!data) step_fail(m_id, "cannot read " + match);
    std::optional<std::string> current = read_regular(ctx, m_id, dest);
    if (current && *current == *data) {
      fs.chown(dest, 0, 0);
      fs.chmod(dest, kKeyringMode);
      return;
    }
    create_parents(fs, dest);
    fs.write_atomic(dest, *data, WriteOptions{kKeyringMode, 0u, 0u, ctx.backup_path(dest)});
  }

  std::string m_id;
  std::string m_path;  ///< on the control machine, resolved; "" with url
  std::string m_url;
  std::string m_sha256;
  std::optional<std::string> m_package;
  std::optional<std::string> m_version;
  std::string m_glob;
  std::string m_keyring_dest;
};

std::unique_ptr<Step> make_deb(const StepSpec& spec) {
  const std::string& id = spec.id();
  std::optional<std::string> path = spec.opt_str("path");
  std::optional<std::string> url = spec.opt_str("url");
  if (path.has_value() == url.has_value()) spec.fail("path", "step '" + id + "': exactly one of 'path' or 'url' is required");
  std::string sha256 = spec.opt_str("sha256").value_or("");
  if (url && sha256.empty()) spec.fail("url", "step '" + id + "': a url needs its sha256, checked before anything is installed");
  if (!sha256.empty() && !is_sha256_hex(sha256))
    spec.fail("sha256", "step '" + id + "': sha256 must be 64 hex digits, found '" + sha256 + "'");
  for (auto& c : sha256) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url && url_file_name(*url).empty()) spec.fail("url", "step '" + id + "': url names no file: '" + *url + "'");
  std::string glob = spec.opt_str("keyring_glob").value_or("");
  std::string dest = spec.opt_str("keyring_dest").value_or("");
  if (glob.empty() != dest.empty())
    spec.fail(glob.empty() ? "keyring_dest" : "keyring_glob",
              "step '" + id + "': keyring_glob and keyring_dest go together");
  if (!glob.empty() && (glob[0] != '/' || glob.back() == '/'))
    spec.fail("keyring_glob", "step '" + id + "': keyring_glob must be an absolute file pattern, found '" + glob + "'");
  if (!dest.empty() && dest[0] != '/')
    spec.fail("keyring_dest", "step '" + id + "': keyring_dest must be absolute, found '" + dest + "'");
  std::string resolved;
  if (path) {
    std::filesystem::path p(*path);
    if (p.is_relative()) p = std::filesystem::path(spec.loc().file).parent_path() / p;
    resolved = p.lexically_normal().string();
    if (base_name(resolved).empty()) spec.fail("path", "step '" + id + "': path names no file: '" + *path + "'");
  }
  return std::make_unique<DebStep>(id, resolved, url.value_or(""), sha256, spec.opt_str("package"),
                                   spec.opt_str("version"), glob, dest);
}

}  // namespace

StepType deb_type() {
  StepType t;
  t.name = "deb";
  t.summary = "A .deb installed with dpkg (local file or verified download), and the keyring it ships copied";
  t.fields = {
      {"path", FieldType::String, false, "a .deb beside the recipe (exactly one of path or url)"},
      {"url", FieldType::String, false, "where to download the .deb (needs sha256)"},
      {"sha256", FieldType::String, false, "the .deb's SHA-256, checked before anything is installed"},
      {"package", FieldType::String, false, "the package name; default: read from the .deb"},
      {"version", FieldType::String, false, "the package version; default: read from the .deb"},
      {"keyring_glob", FieldType::String, false,
       "a keyring the package ships, e.g. /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg (one match)"},
      {"keyring_dest", FieldType::String, false, "where the keyring is copied: a directory ending in '/' or a file"},
  };
  t.example =
      "- id: cuda-local-repo\n"
      "  type: deb\n"
      "  path: cuda-repo-ubuntu2204-12-4-local_12.4.0-550.54.14-1_amd64.deb\n"
      "  package: cuda-repo-ubuntu2204-12-4-local\n"
      "  version: 12.4.0-550.54.14-1\n"
      "  keyring_glob: /var/cuda-repo-ubuntu2204-12-4-local/cuda-*-keyring.gpg\n"
      "  keyring_dest: /usr/share/keyrings/\n";
  t.factory = make_deb;
  return t;
}

}  // namespace aiprov::steps
