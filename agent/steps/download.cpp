/// Step type `download`: a file fetched from a URL, proven by its SHA-256, at a logical path.
///
/// Converged when dest is a regular file with the given digest (and the given mode/owner/group).
/// The body is kept in /var/cache/aiprov/downloads/<sha256>, so a dest that is deleted later is
/// restored from there without fetching again; an interrupted download resumes where it stopped;
/// transient failures are retried with backoff (1, 2, 4, 8 s); a body with the wrong digest is
/// deleted and never reaches dest (see steps/verified_fetch.hpp).
///
/// `sha256: none` must be written out to skip verification. Then any existing dest counts as
/// converged (its content cannot be checked against anything), nothing is cached, and every plan
/// carries the warning "unverified download: <url>".

#include <algorithm>
#include <cctype>

#include "steps/sha256.hpp"
#include "steps/steps.hpp"
#include "steps/verified_fetch.hpp"

namespace aiprov::steps {
namespace {

class DownloadStep : public Step {
 public:
  explicit DownloadStep(std::string id, VerifiedFile file) : m_id(std::move(id)), m_file(std::move(file)) {}

  StepPlan plan(Context& ctx) const override { return plan_verified_file(ctx, m_id, m_file); }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    apply_verified_file(ctx, m_id, m_file);
  }

 private:
  std::string m_id;
  VerifiedFile m_file;
};

std::unique_ptr<Step> make_download(const StepSpec& spec) {
  const std::string prefix = "step '" + spec.id() + "': ";
  VerifiedFile file;
  file.url = spec.str("url");
  if (file.url.find("://") == std::string::npos)
    spec.fail("url", prefix + "url must be absolute (scheme://host/path), found '" + file.url + "'");
  file.dest = spec.str("dest");
  if (file.dest.empty() || file.dest[0] != '/' || file.dest.back() == '/')
    spec.fail("dest", prefix + "dest must be an absolute file path, found '" + file.dest + "'");
  std::string sha = spec.str("sha256");
  if (sha != "none") {
    if (!is_sha256_hex(sha))
      spec.fail("sha256", prefix + "sha256 must be 64 hex digits or 'none', found '" + sha + "'");
    std::transform(sha.begin(), sha.end(), sha.begin(), [](unsigned char c) { return std::tolower(c); });
    file.sha256 = sha;
  }
  file.own = Ownership::from_spec(spec);
  return std::make_unique<DownloadStep>(spec.id(), std::move(file));
}

}  // namespace

StepType download_type() {
  StepType t;
  t.name = "download";
  t.summary = "A file fetched from a URL and verified by its SHA-256 (cached, resumed, retried)";
  t.fields = {
      {"url", FieldType::String, true, "http(s) URL of the file"},
      {"dest", FieldType::String, true, "absolute logical path of the file"},
      {"sha256", FieldType::String, true,
       "expected SHA-256 (64 hex digits); the literal 'none' skips verification (then an existing dest is "
       "never checked) and warns"},
      {"mode", FieldType::String, false, "octal mode such as 0755; default: keep, or 0644 for a new file"},
      {"owner", FieldType::String, false, "user name or uid in the root's /etc/passwd; default: keep / root"},
      {"group", FieldType::String, false, "group name or gid in the root's /etc/group; default: keep / root"},
  };
  t.example =
      "- id: tool-archive\n"
      "  type: download\n"
      "  url: https://downloads.example.com/tool-1.2.3-linux-x86_64.tar.gz\n"
      "  dest: /opt/installers/tool-1.2.3-linux-x86_64.tar.gz\n"
      "  sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  # the vendor's published digest\n"
      "  mode: \"0644\"\n";
  t.factory = make_download;
  return t;
}

}  // namespace aiprov::steps
