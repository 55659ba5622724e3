#pragma once
/// OpenPGP public keys (RFC 4880 / RFC 9580), read natively for apt keyrings: ASCII armour removed
/// (base64 and its CRC24 checked), packets walked, and the fingerprints of primary keys and subkeys
/// computed with OpenSSL (v4: SHA-1 over 0x99, a two-byte length and the key packet's body; v5/v6:
/// SHA-256 over 0x9A/0x9B, a four-byte length and the body). No gpg, no apt-key.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aiprov::openpgp {

/// Malformed armour or packets, a bad checksum, a secret key: the message says which.
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One primary key with the subkeys that follow it.
struct PublicKey {
  std::string fingerprint;               ///< upper-case hex, no spaces
  std::vector<std::string> subkeys;      ///< fingerprints of its subkeys, in input order
  std::vector<std::string> user_ids;     ///< "Name <mail>" as stored
};

/// Whether `data` holds ASCII armour ("-----BEGIN PGP PUBLIC KEY BLOCK-----" after optional
/// whitespace).
bool is_armored(std::string_view data);

/// The binary packets of every armoured public key block in `text`, concatenated. Header lines
/// ("Version: ...") are skipped; a "=XXXX" checksum line, when present, must match the CRC24 of the
/// decoded data. Throws KeyError for a missing END line, invalid base64 or a checksum mismatch.
std::string dearmor(std::string_view text);

/// `data` dearmoured when armoured, else as it is (it must then be binary packets).
std::string to_binary(std::string_view data);

/// The public keys in binary packet data, in order. Every byte must belong to a well-formed packet,
/// at least one public key must be present, and secret keys are refused. Throws KeyError.
std::vector<PublicKey> parse_keys(std::string_view binary);

/// A fingerprint as written by people ("EB69 3B30 35CD ...", lower case): spaces dropped, upper case.
/// Returns "" when the result is not 40 or 64 hex digits.
std::string normalize_fingerprint(std::string_view text);

/// The CRC-24 of RFC 4880 section 6.1 (init 0xB704CE, polynomial 0x1864CFB).
unsigned crc24(std::string_view data);

}  // namespace aiprov::openpgp
