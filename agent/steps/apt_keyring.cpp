/// Step type `apt_keyring`: an OpenPGP keyring for apt's Signed-By (/usr/share/keyrings/x.gpg or
/// /etc/apt/keyrings/x.gpg), from a file beside the recipe or a URL. Armoured input is stored
/// dearmoured. The keys are checked natively (openpgp.hpp) against the fingerprints the recipe lists:
/// the primary keys of the input must be exactly those, or nothing is written.
///
/// Converged: with `source`, the keyring holds exactly the source's (dearmoured) bytes; with `url`
/// (not fetched while planning), the keyring holds exactly the listed primary keys. Mode 0644 root:root
/// either way, so that apt's unprivileged _apt user can read it.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "steps/cache_fetch.hpp"
#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/openpgp.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

constexpr unsigned kKeyringMode = 0644;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

/// "keyring with keys A, B", then one line per key with its user IDs and subkeys.
std::string describe(const std::vector<openpgp::PublicKey>& keys) {
  std::vector<std::string> fprs;
  for (const auto& k : keys) fprs.push_back(k.fingerprint);
  std::string out = "keyring with keys " + join(fprs) + "\n";
  for (const auto& k : keys) {
    out += "  pub " + k.fingerprint + (k.user_ids.empty() ? "" : "  " + join(k.user_ids)) + "\n";
    for (const auto& sub : k.subkeys) out += "  sub " + sub + "\n";
  }
  return out;
}

class AptKeyringStep : public Step {
 public:
  AptKeyringStep(std::string id, std::string url, std::string source, std::string dest,
                 std::vector<std::string> fingerprints)
      : m_id(std::move(id)), m_url(std::move(url)), m_source(std::move(source)), m_dest(std::move(dest)),
        m_expected(fingerprints.begin(), fingerprints.end()) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    std::vector<openpgp::PublicKey> keys;
    if (!m_source.empty()) keys = verify(load_source(), m_source);  // refused even when in place
    std::optional<std::string> current = read_regular(ctx, m_id, m_dest);
    Change c;
    c.target = m_dest;
    c.provides = {"path:" + m_dest};
    if (!content_ok(current)) {
      c.action = current ? Change::Action::Update : Change::Action::Create;
      if (m_source.empty()) {
        c.reason = std::string(current ? "keyring holds other keys" : "keyring is absent") + "; fetched from " +
                   m_url + " and checked against the listed fingerprints";
        c.detail = "keyring with keys " + join({m_expected.begin(), m_expected.end()}) + "\n";
      } else {
        c.reason = std::string(current ? "content differs from " : "keyring is absent; from ") + m_source;
        c.detail = describe(keys);
      }
      if (auto missing = missing_parents(ctx.host.fs, m_dest); !missing.empty())
        c.reason += "; missing parent " + missing.front() + " will be created (0755)";
      c.reason += "; mode " + mode_text(kKeyringMode);
      plan.changes.push_back(std::move(c));
      return plan;
    }
    auto st = ctx.host.fs.stat(m_dest);
    if ((st->mode & 07777) != kKeyringMode || st->uid != 0 || st->gid != 0) {
      c.action = Change::Action::Update;
      c.reason = "mode " + mode_text(st->mode & 07777) + " uid " + std::to_string(st->uid) + " gid " +
                 std::to_string(st->gid) + " -> mode " + mode_text(kKeyringMode) + " root:root";
      plan.changes.push_back(std::move(c));
    }
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    FileSystem& fs = ctx.host.fs;
    std::optional<std::string> current = read_regular(ctx, m_id, m_dest);
    try {
      if (content_ok(current)) {
        fs.chown(m_dest, 0, 0);
        fs.chmod(m_dest, kKeyringMode);
        return;
      }
      std::string binary;
      if (m_source.empty()) {
        std::string part = std::string(kCacheDir) + "/keyrings/" + std::filesystem::path(m_dest).filename().string() + ".part";
        binary = to_binary(fetch_body(ctx, m_id, m_url, part), m_url);
        verify(binary, m_url);
      } else {
        binary = load_source();
        verify(binary, m_source);
      }
      create_parents(fs, m_dest);
      WriteOptions opts;
      opts.mode = kKeyringMode;
      opts.uid = 0;
      opts.gid = 0;
      opts.backup_to = ctx.backup_path(m_dest);
      fs.write_atomic(m_dest, binary, opts);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
  }

 private:
  /// Whether the keyring's content is what this step wants (metadata aside).
  bool content_ok(const std::optional<std::string>& current) const {
    if (!current) return false;
    if (!m_source.empty()) return *current == load_source();
    try {
      std::set<std::string> found;
      for (const auto& k : openpgp::parse_keys(*current)) found.insert(k.fingerprint);
      return found == m_expected;
    } catch (const openpgp::KeyError&) {
      return false;
    }
  }

  std::string to_binary(const std::string& data, const std::string& origin) const {
    try {
      return openpgp::to_binary(data);
    } catch (const openpgp::KeyError& e) {
      step_fail(m_id, origin + ": " + e.what());
    }
  }

  /// The source file, dearmoured.
  std::string load_source() const {
    std::ifstream in(m_source, std::ios::binary);
    if (!in) step_fail(m_id, "cannot read source " + m_source);
    std::ostringstream data;
    data << in.rdbuf();
    if (in.bad()) step_fail(m_id, "cannot read source " + m_source);
    return to_binary(data.str(), m_source);
  }

  /// The keys of `binary`; StepError unless its primary keys are exactly the expected ones.
  std::vector<openpgp::PublicKey> verify(const std::string& binary, const std::string& origin) const {
    std::vector<openpgp::PublicKey> keys;
    try {
      keys = openpgp::parse_keys(binary);
    } catch (const openpgp::KeyError& e) {
      step_fail(m_id, origin + ": " + e.what());
    }
    std::set<std::string> found;
    for (const auto& k : keys) found.insert(k.fingerprint);
    if (found == m_expected) return keys;
    std::string message = "key fingerprint mismatch: expected " + join({m_expected.begin(), m_expected.end()}) +
                          ", found " + join({found.begin(), found.end()}) + " (in " + origin + ")";
    for (const auto& k : keys)
      for (const auto& sub : k.subkeys)
        if (m_expected.count(sub)) message += "; " + sub + " is a subkey of " + k.fingerprint + ": list primary keys";
    step_fail(m_id, message);
  }

  std::string m_id;
  std::string m_url;
  std::string m_source;  ///< a path on the control machine, already resolved; "" with url
  std::string m_dest;
  std::set<std::string> m_expected;
};

std::unique_ptr<Step> make_apt_keyring(const StepSpec& spec) {
  const std::string& id = spec.id();
  std::optional<std::string> url = spec.opt_str("url");
  std::optional<std::string> source = spec.opt_str("source");
  if (url.has_value() == source.has_value())
    spec.fail("source", "step '" + id + "': exactly one of 'url' or 'source' is required");
  std::string dest = spec.str("dest");
  if (dest.empty() || dest[0] != '/' || dest.back() == '/')
    spec.fail("dest", "step '" + id + "': dest must be an absolute file path, found '" + dest + "'");
  if (dest.size() >= 4 && dest.compare(dest.size() - 4, 4, ".asc") == 0)
    spec.fail("dest", "step '" + id + "': dest ends with .asc, which apt reads as armoured; this step stores a "
                      "binary keyring: use a .gpg name");
  std::vector<std::string> fingerprints;
  for (const auto& f : spec.str_list("fingerprint")) {
    std::string n = openpgp::normalize_fingerprint(f);
    if (n.empty())
      spec.fail("fingerprint", "step '" + id + "': '" + f + "' is not a full key fingerprint (40 or 64 hex digits)");
    fingerprints.push_back(n);
  }
  if (fingerprints.empty()) spec.fail("fingerprint", "step '" + id + "': list at least one key fingerprint");
  std::string resolved;
  if (source) {
    std::filesystem::path src(*source);
    if (src.is_relative()) src = std::filesystem::path(spec.loc().file).parent_path() / src;
    resolved = src.lexically_normal().string();
  }
  return std::make_unique<AptKeyringStep>(id, url.value_or(""), resolved, dest, fingerprints);
}

}  // namespace

StepType apt_keyring_type() {
  StepType t;
  t.name = "apt_keyring";
  t.summary = "An apt keyring (binary OpenPGP keys for Signed-By), checked against key fingerprints";
  t.fields = {
      {"url", FieldType::String, false, "where to fetch the key (exactly one of url or source)"},
      {"source", FieldType::String, false, "a key file beside the recipe (relative to the recipe's directory)"},
      {"dest", FieldType::String, true,
       "the keyring, e.g. /usr/share/keyrings/cuda-archive-keyring.gpg or /etc/apt/keyrings/x.gpg (binary)"},
      {"fingerprint", FieldType::StringList, true,
       "the fingerprints of every primary key in the input (spaces and case ignored); anything else is refused"},
  };
  t.example =
      "- id: cuda-keyring\n"
      "  type: apt_keyring\n"
      "  url: https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/3bf863cc.pub\n"
      "  dest: /usr/share/keyrings/cuda-archive-keyring.gpg\n"
      "  fingerprint: [\"EB69 3B30 35CD 5710 E231 E123 A4B4 6996 3BF8 63CC\"]\n";
  t.factory = make_apt_keyring;
  return t;
}

}  // namespace aiprov::steps
