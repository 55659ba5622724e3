#include "steps/openpgp.hpp"

#include <cctype>
#include <cstdint>
#include <optional>

#include <openssl/evp.h>

namespace aiprov::openpgp {
namespace {

constexpr std::string_view kBegin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
constexpr std::string_view kEnd = "-----END PGP PUBLIC KEY BLOCK-----";

enum Tag : int {
  kSignature = 2,
  kSecretKey = 5,
  kPublicKey = 6,
  kSecretSubkey = 7,
  kTrust = 12,
  kUserId = 13,
  kPublicSubkey = 14,
  kUserAttribute = 17,
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// Decodes base64 without whitespace; nullopt when invalid.
std::optional<std::string> base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '=' && pad < 2; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string hex_upper(const unsigned char* data, std::size_t n) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

/// The fingerprint of a public key or subkey packet body.
std::string fingerprint(std::string_view body) {
  if (body.empty()) throw KeyError("empty public key packet");
  int version = static_cast<unsigned char>(body[0]);
  std::string prefix;
  const EVP_MD* md = nullptr;
  if (version == 4) {
    if (body.size() > 0xFFFF) throw KeyError("v4 public key packet too long");
    prefix = {'\x99', static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xFF)};
    md = EVP_sha1();
  } else if (version == 5 || version == 6) {
    auto n = static_cast<std::uint32_t>(body.size());
    prefix = {version == 5 ? '\x9A' : '\x9B', static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xFF),
              static_cast<char>((n >> 8) & 0xFF), static_cast<char>(n & 0xFF)};
    md = EVP_sha256();
  } else {
    throw KeyError("unsupported public key version " + std::to_string(version) + " (only v4, v5 and v6 keys)");
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, prefix.data(), prefix.size()) == 1 &&
            EVP_DigestUpdate(ctx, body.data(), body.size()) == 1 && EVP_DigestFinal_ex(ctx, digest, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw KeyError("OpenSSL digest failed");
  return hex_upper(digest, len);
}

struct Packet {
  int tag = 0;
  std::string body;
};

/// Reads `n` bytes big-endian at `pos`, advancing it.
std::uint32_t read_be(std::string_view data, std::size_t& pos, int n) {
  if (pos + static_cast<std::size_t>(n) > data.size()) throw KeyError("truncated packet header");
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data[pos++]);
  return v;
}

std::string_view take(std::string_view data, std::size_t& pos, std::uint64_t len) {
  if (len > data.size() - pos) throw KeyError("truncated packet: needs " + std::to_string(len) + " bytes");
  std::string_view out = data.substr(pos, len);
  pos += len;
  return out;
}

/// One packet at `pos` (old or new format header), advancing `pos` past it.
Packet read_packet(std::string_view data, std::size_t& pos) {
  auto first = static_cast<unsigned char>(data[pos++]);
  if (!(first & 0x80)) throw KeyError("not an OpenPGP packet (byte 0x" + hex_upper(&first, 1) + ")");
  Packet p;
  if (!(first & 0x40)) {  // old format
    p.tag = (first >> 2) & 0x0F;
    int type = first & 0x03;
    std::uint64_t len = type == 3 ? data.size() - pos : read_be(data, pos, 1 << type);
    p.body = std::string(take(data, pos, len));
    return p;
  }
  p.tag = first & 0x3F;
  for (;;) {  // new format; partial lengths continue the body
    std::uint32_t o1 = read_be(data, pos, 1);
    if (o1 < 192) {
      p.body += take(data, pos, o1);
    } else if (o1 < 224) {
      std::uint32_t o2 = read_be(data, pos, 1);
      p.body += take(data, pos, ((o1 - 192) << 8) + o2 + 192);
    } else if (o1 == 255) {
      p.body += take(data, pos, read_be(data, pos, 4));
    } else {
      p.body += take(data, pos, std::uint64_t{1} << (o1 & 0x1F));
      continue;
    }
    return p;
  }
}

}  // namespace

unsigned crc24(std::string_view data) {
  unsigned crc = 0xB704CE;
  for (unsigned char c : data) {
    crc ^= static_cast<unsigned>(c) << 16;
    for (int i = 0; i < 8; ++i) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864CFB;
    }
  }
  return crc & 0xFFFFFF;
}

bool is_armored(std::string_view data) { return trim(data).substr(0, 15) == "-----BEGIN PGP "; }

std::string dearmor(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  int blocks = 0;
  enum class State { Outside, Headers, Body, AfterChecksum } state = State::Outside;
  std::string b64;
  std::optional<std::string> checksum;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (state == State::Outside) {
      if (line.substr(0, 15) == "-----BEGIN PGP " && line != kBegin)
        throw KeyError("armoured block '" + std::string(line) + "' is not a public key block");
      if (line == kBegin) {
        state = State::Headers;
        b64.clear();
        checksum.reset();
      }
      continue;
    }
    if (line == kEnd) {
      auto data = base64_decode(b64);
      if (!data) throw KeyError("invalid base64 in armoured key block " + std::to_string(blocks + 1));
      if (checksum) {
        auto sum = base64_decode(*checksum);
        if (!sum || sum->size() != 3) throw KeyError("invalid armour checksum line '=" + *checksum + "'");
        unsigned want = (static_cast<unsigned char>((*sum)[0]) << 16) |
                        (static_cast<unsigned char>((*sum)[1]) << 8) | static_cast<unsigned char>((*sum)[2]);
        if (crc24(*data) != want)
          throw KeyError("armour checksum mismatch in key block " + std::to_string(blocks + 1) +
                         " (CRC24 of the data differs from '=" + *checksum + "'): the key is corrupted");
      }
      out += *data;
      ++blocks;
      state = State::Outside;
      continue;
    }
    if (state == State::AfterChecksum) throw KeyError("text after the armour checksum line: '" + std::string(line) + "'");
    if (state == State::Headers) {
      if (line.empty() || line.find(':') != std::string_view::npos) continue;  // "Version: x", blank line
      state = State::Body;
    }
    if (line.empty()) continue;
    if (line[0] == '=') {
      checksum = std::string(line.substr(1));
      state = State::AfterChecksum;
      continue;
    }
    b64 += line;
  }
  if (state != State::Outside) throw KeyError("armoured key block without '" + std::string(kEnd) + "' line");
  if (blocks == 0) throw KeyError("no '" + std::string(kBegin) + "' block found");
  return out;
}

std::string to_binary(std::string_view data) { return is_armored(data) ? dearmor(data) : std::string(data); }

std::vector<PublicKey> parse_keys(std::string_view binary) {
  std::vector<PublicKey> keys;
  std::size_t pos = 0;
  while (pos < binary.size()) {
    Packet p = read_packet(binary, pos);
    switch (p.tag) {
      case kPublicKey:
        keys.push_back({fingerprint(p.body), {}, {}});
        break;
      case kPublicSubkey:
        if (keys.empty()) throw KeyError("a subkey packet comes before any primary key");
        keys.back().subkeys.push_back(fingerprint(p.body));
        break;
      case kUserId:
        if (keys.empty()) throw KeyError("a user ID packet comes before any primary key");
        keys.back().user_ids.push_back(p.body);
        break;
      case kSignature:
      case kTrust:
      case kUserAttribute:
        if (keys.empty()) throw KeyError("a packet of type " + std::to_string(p.tag) + " comes before any primary key");
        break;
      case kSecretKey:
      case kSecretSubkey:
        throw KeyError("the input holds a secret key; an apt keyring holds public keys only");
      default:
        throw KeyError("unexpected OpenPGP packet type " + std::to_string(p.tag) + " (not part of a public key)");
    }
  }
  if (keys.empty()) throw KeyError("no public key found");
  return keys;
}

std::string normalize_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out.size() == 40 || out.size() == 64 ? out : "";
}

}  // namespace aiprov::openpgp
