#include "steps/openpgp.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/steps/gpg_keys.hpp"

namespace aiprov::openpgp {
namespace {

using testing::gpg_keys;

std::vector<std::string> primaries(const std::vector<PublicKey>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) out.push_back(k.fingerprint);
  return out;
}

/// The message of the KeyError `fn` throws ("" when none).
template <typename Fn>
std::string key_error(Fn&& fn) {
  try {
    fn();
  } catch (const KeyError& e) {
    return e.what();
  }
  return "";
}

/// Replaces the line starting with `prefix` in armoured text.
std::string replace_line(std::string text, const std::string& prefix, const std::string& line) {
  std::size_t pos = text.find("\n" + prefix);
  EXPECT_NE(pos, std::string::npos);
  std::size_t end = text.find('\n', pos + 1);
  return text.replace(pos + 1, end - pos - 1, line);
}

TEST(OpenPgp, Crc24KnownValues) {
  EXPECT_EQ(crc24(""), 0xB704CEu);
  EXPECT_EQ(crc24("123456789"), 0x21CF02u);  // the CRC-24/OPENPGP check value
}

TEST(OpenPgp, BinaryKeyFingerprintsMatchGpg) {
  const auto& g = gpg_keys();
  auto keys = parse_keys(g.binary_a);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].fingerprint, g.a.primary);
  EXPECT_EQ(keys[0].subkeys, g.a.subkeys);
  ASSERT_EQ(g.a.subkeys.size(), 1u);
  EXPECT_EQ(keys[0].user_ids, std::vector<std::string>{"Test A <a@example.invalid>"});
}

TEST(OpenPgp, ArmouredKeyDearmoursToTheBinaryExport) {
  const auto& g = gpg_keys();
  ASSERT_TRUE(is_armored(g.armored_a));
  EXPECT_FALSE(is_armored(g.binary_a));
  EXPECT_EQ(dearmor(g.armored_a), g.binary_a);
  EXPECT_EQ(to_binary(g.armored_a), g.binary_a);
  EXPECT_EQ(to_binary(g.binary_a), g.binary_a);
}

TEST(OpenPgp, TwoKeysInOneInputInGpgOrder) {
  const auto& g = gpg_keys();
  std::vector<std::string> gpg_order;
  for (const auto& k : g.show_keys(g.binary_both)) gpg_order.push_back(k.primary);
  EXPECT_EQ(primaries(parse_keys(g.binary_both)), gpg_order);
  EXPECT_EQ(primaries(parse_keys(dearmor(g.armored_both))), gpg_order);
  for (const auto& k : parse_keys(g.binary_both)) {
    const testing::GpgKey& want = k.fingerprint == g.a.primary ? g.a : g.b;
    EXPECT_EQ(k.fingerprint, want.primary);
    EXPECT_EQ(k.subkeys, want.subkeys);
  }
  EXPECT_TRUE(g.b.subkeys.empty());
}

TEST(OpenPgp, ConcatenatedArmouredBlocks) {
  const auto& g = gpg_keys();
  auto keys = parse_keys(dearmor("leading text\n" + g.armored_a + "\n" + g.armored_a));
  EXPECT_EQ(primaries(keys), (std::vector<std::string>{g.a.primary, g.a.primary}));
}

TEST(OpenPgp, ChecksumCorruptionIsRefused) {
  const auto& g = gpg_keys();
  std::size_t eq = g.armored_a.find("\n=");
  ASSERT_NE(eq, std::string::npos);
  std::string wrong = g.armored_a;
  wrong[eq + 2] = wrong[eq + 2] == 'A' ? 'B' : 'A';
  EXPECT_NE(key_error([&] { dearmor(wrong); }).find("checksum mismatch"), std::string::npos);
}

TEST(OpenPgp, CorruptedBodyIsCaughtByTheChecksum) {
  const auto& g = gpg_keys();
  std::string wrong = g.armored_a;
  std::size_t body = wrong.find("\n\n") + 10;  // inside the first base64 line
  wrong[body] = wrong[body] == 'Q' ? 'R' : 'Q';
  EXPECT_NE(key_error([&] { dearmor(wrong); }).find("checksum mismatch"), std::string::npos);
}

TEST(OpenPgp, ArmourWithoutChecksumLineIsAccepted) {
  const auto& g = gpg_keys();
  std::string no_sum = replace_line(g.armored_a, "=", "");
  EXPECT_EQ(dearmor(no_sum), g.binary_a);
}

TEST(OpenPgp, MalformedArmourIsRefused) {
  const auto& g = gpg_keys();
  struct Case {
    std::string text;
    std::string error;
  };
  std::string no_end = g.armored_a.substr(0, g.armored_a.find("-----END"));
  std::vector<Case> cases = {
      {no_end, "without '-----END PGP PUBLIC KEY BLOCK-----'"},
      {"hello\n", "no '-----BEGIN PGP PUBLIC KEY BLOCK-----' block"},
      {"-----BEGIN PGP SIGNATURE-----\n\nabcd\n-----END PGP SIGNATURE-----\n", "is not a public key block"},
      {"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nab!d\n-----END PGP PUBLIC KEY BLOCK-----\n", "invalid base64"},
  };
  for (const auto& c : cases) EXPECT_NE(key_error([&] { dearmor(c.text); }).find(c.error), std::string::npos) << c.text;
}

TEST(OpenPgp, NewFormatPacketHeadersGiveTheSameFingerprint) {
  const auto& g = gpg_keys();
  // gpg writes the public key packet with an old-format header: 0x99 (tag 6, two-byte length).
  ASSERT_EQ(static_cast<unsigned char>(g.binary_a[0]), 0x99);
  std::size_t len = (static_cast<unsigned char>(g.binary_a[1]) << 8) | static_cast<unsigned char>(g.binary_a[2]);
  std::string body = g.binary_a.substr(3, len);
  ASSERT_GE(len, 192u);
  ASSERT_LT(len, 8384u);
  std::size_t two = len - 192;
  std::string two_octet = std::string("\xC6") + static_cast<char>((two >> 8) + 192) + static_cast<char>(two & 0xFF);
  std::string five_octet = std::string("\xC6\xFF\x00\x00", 4) + static_cast<char>(len >> 8) + static_cast<char>(len & 0xFF);
  EXPECT_EQ(parse_keys(two_octet + body).at(0).fingerprint, g.a.primary);
  EXPECT_EQ(parse_keys(five_octet + body).at(0).fingerprint, g.a.primary);
  // Partial body lengths: 256 bytes, then the rest.
  std::string rest = body.substr(256);
  std::size_t r = rest.size();
  ASSERT_LT(r, 192u);
  std::string partial = std::string("\xC6\xE8") + body.substr(0, 256) + static_cast<char>(r) + rest;
  EXPECT_EQ(parse_keys(partial).at(0).fingerprint, g.a.primary);
}

TEST(OpenPgp, BadPacketDataIsRefused) {
  const auto& g = gpg_keys();
  struct Case {
    std::string data;
    std::string error;
  };
  std::vector<Case> cases = {
      {g.binary_a.substr(0, g.binary_a.size() - 10), "truncated"},
      {g.binary_a + "\x01", "not an OpenPGP packet"},
      {"", "no public key found"},
      {std::string("\xCB\x01x"), "unexpected OpenPGP packet type 11"},
      {g.binary_a.substr(3 + ((static_cast<unsigned char>(g.binary_a[1]) << 8) | static_cast<unsigned char>(g.binary_a[2]))),
       "comes before any primary key"},
  };
  for (const auto& c : cases) EXPECT_NE(key_error([&] { parse_keys(c.data); }).find(c.error), std::string::npos) << c.error;
}

TEST(OpenPgp, SecretKeysAreRefused) {
  const auto& g = gpg_keys();
  std::string secret = g.gpg("--passphrase '' --pinentry-mode loopback --export-secret-keys " + g.a.primary);
  EXPECT_NE(key_error([&] { parse_keys(secret); }).find("secret key"), std::string::npos);
}

TEST(OpenPgp, NormalizeFingerprint) {
  struct Case {
    std::string in, out;
  };
  std::vector<Case> cases = {
      {"EB69 3B30 35CD 5710 E231  E123 A4B4 6996 3BF8 63CC", "EB693B3035CD5710E231E123A4B469963BF863CC"},
      {"eb693b3035cd5710e231e123a4b469963bf863cc", "EB693B3035CD5710E231E123A4B469963BF863CC"},
      {"3BF863CC", ""},                                         // a short key ID is not enough
      {"EB693B3035CD5710E231E123A4B469963BF863CZ", ""},         // not hex
      {std::string(64, 'a'), std::string(64, 'A')},            // v6
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_fingerprint(c.in), c.out) << c.in;
}

}  // namespace
}  // namespace aiprov::openpgp
