#pragma once
/// Real OpenPGP test keys, made once per test program with the gpg binary in a temporary GNUPGHOME:
/// key A (RSA 2048, signing) with an encryption subkey, key B (Ed25519) without one. Their fingerprints
/// come from `gpg --with-colons --show-keys`, so the parser is compared with gpg itself.

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace aiprov::testing {

struct GpgKey {
  std::string primary;              ///< fingerprint of the primary key
  std::vector<std::string> subkeys; ///< fingerprints of the subkeys
};

struct GpgKeys {
  std::string home;
  std::string armored_a, binary_a, armored_both, binary_both;
  GpgKey a, b;

  /// Runs a shell command line (gpg's, for tests only) and returns its stdout; throws on failure.
  static std::string sh(const std::string& line) {
    std::string out;
    FILE* p = popen((line + " 2>/dev/null").c_str(), "r");
    if (!p) throw std::runtime_error("cannot run " + line);
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    if (pclose(p) != 0) throw std::runtime_error("failed: " + line);
    return out;
  }

  std::string gpg(const std::string& args) const { return sh("gpg --homedir '" + home + "' --batch " + args); }

  /// The keys of a file as gpg sees them (primary fingerprints with their subkeys), in order.
  std::vector<GpgKey> show_keys(const std::string& data) const {
    std::string path = home + "/show.tmp";
    std::ofstream(path, std::ios::binary) << data;
    std::istringstream lines(gpg("--with-colons --show-keys '" + path + "'"));
    std::vector<GpgKey> keys;
    std::string line, last;
    while (std::getline(lines, line)) {
      std::string kind = line.substr(0, line.find(':'));
      if (kind == "fpr") {
        std::string fpr = line.substr(12, line.find(':', 12) - 12);  // "fpr:::::::::" then the fingerprint
        if (last == "pub") keys.push_back({fpr, {}});
        if (last == "sub") keys.back().subkeys.push_back(fpr);
      }
      if (kind == "pub" || kind == "sub" || kind == "uid") last = kind;
    }
    return keys;
  }

  GpgKeys() {
    char tmpl[] = "/tmp/aiprov-gpg-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    home = tmpl;
    gpg("--passphrase '' --pinentry-mode loopback --quick-gen-key 'Test A <a@example.invalid>' rsa2048 sign never");
    std::string fa = show_keys(gpg("--export"))[0].primary;
    gpg("--passphrase '' --pinentry-mode loopback --quick-add-key " + fa + " rsa2048 encr never");
    gpg("--passphrase '' --pinentry-mode loopback --quick-gen-key 'Test B <b@example.invalid>' ed25519 sign never");
    armored_a = gpg("--armor --export " + fa);
    binary_a = gpg("--export " + fa);
    armored_both = gpg("--armor --export");
    binary_both = gpg("--export");
    a = show_keys(binary_a).at(0);
    auto both = show_keys(binary_both);
    b = both.at(0).primary == a.primary ? both.at(1) : both.at(0);
  }
  ~GpgKeys() {
    if (std::system(("gpgconf --homedir '" + home + "' --kill gpg-agent >/dev/null 2>&1").c_str()) != 0) {
      // the agent may not be running: nothing to do
    }
    std::error_code ec;
    std::filesystem::remove_all(home, ec);
  }
};

/// The keys, made on first use.
inline const GpgKeys& gpg_keys() {
  static const GpgKeys keys;
  return keys;
}

}  // namespace aiprov::testing
