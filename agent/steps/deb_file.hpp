#pragma once
/// Reading Debian binary packages (deb(5)) without dpkg: the ar archive's member headers, enough to
/// tell a .deb from anything else before it is copied or installed, and the "Field: value" text of a
/// control file (as `dpkg-deb -f FILE Package Version` prints it).
///
/// The control fields themselves sit in control.tar.{gz,xz,zst}; decompressing those natively would
/// need zlib/liblzma/libzstd, so the deb step asks dpkg-deb for them once the file is in the root.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aiprov::steps::debfile {

/// Not a Debian binary package, or a damaged one: the message says what is wrong.
class DebFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One member of an ar archive.
struct ArMember {
  std::string name;         ///< without the padding and without a GNU-style trailing '/'
  std::uint64_t offset = 0; ///< of the member's data, from the start of the archive
  std::uint64_t size = 0;
};

/// How many bytes from the start of a .deb check_deb_header needs.
inline constexpr std::size_t kHeadSize = 4096;

/// The members whose headers lie completely within `head` (the start of an archive). Throws
/// DebFileError when the "!<arch>\n" magic or a header is malformed.
std::vector<ArMember> ar_members(std::string_view head);

/// Checks the start of a .deb: ar magic, a first member "debian-binary" holding "2.<n>\n", a second
/// member control.tar, control.tar.gz, control.tar.xz or control.tar.zst. Returns the second
/// member's name. Throws DebFileError naming what differs.
std::string check_deb_header(std::string_view head);

/// "Name: value" fields of one control stanza; continuation lines (leading space or tab) are
/// appended after '\n'. Names keep their spelling; lookups are by exact name.
std::map<std::string, std::string> parse_control_fields(std::string_view text);

}  // namespace aiprov::steps::debfile
