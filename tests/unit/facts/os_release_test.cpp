#include <string>

#include <gtest/gtest.h>

#include "aiprov/facts.hpp"

namespace aiprov {
namespace {

// /etc/os-release (-> ../usr/lib/os-release) of Ubuntu 22.04.4 and 24.04.1.
constexpr const char* kUbuntu2204 = R"OS(PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
)OS";

constexpr const char* kUbuntu2404 = R"OS(PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
)OS";

// Debian 12, as on the build machine.
constexpr const char* kDebian12 = R"OS(PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
)OS";

TEST(OsReleaseTest, ParsesRealFiles) {
  struct Case {
    const char* text;
    const char* id;
    const char* version_id;
    const char* codename;
    const char* pretty_name;
    const char* id_like;
    const char* distro_tag;
  };
  const Case cases[] = {
      {kUbuntu2204, "ubuntu", "22.04", "jammy", "Ubuntu 22.04.4 LTS", "debian", "ubuntu2204"},
      {kUbuntu2404, "ubuntu", "24.04", "noble", "Ubuntu 24.04.1 LTS", "debian", "ubuntu2404"},
      {kDebian12, "debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", "debian12"},
      // Only UBUNTU_CODENAME (older derivatives); single quotes; comments; CRLF; blank lines.
      {"ID=linuxmint\r\n# comment\n\nUBUNTU_CODENAME=jammy\nVERSION_ID='21.3'\nID_LIKE=\"ubuntu debian\"\n",
       "linuxmint", "21.3", "jammy", "", "ubuntu debian", "linuxmint213"},
      // VERSION_CODENAME wins over UBUNTU_CODENAME; escapes inside double quotes.
      {"VERSION_CODENAME=virginia\nUBUNTU_CODENAME=jammy\nPRETTY_NAME=\"say \\\"hi\\\" \\$x\"\n", "", "",
       "virginia", "say \"hi\" $x", "", ""},
      {"", "", "", "", "", "", ""},
      {"garbage without equals\n=novalue\n", "", "", "", "", "", ""},
  };
  for (const auto& c : cases) {
    auto os = parse_os_release(c.text);
    EXPECT_EQ(os["id"], c.id) << c.text;
    EXPECT_EQ(os["version_id"], c.version_id) << c.text;
    EXPECT_EQ(os["codename"], c.codename) << c.text;
    EXPECT_EQ(os["pretty_name"], c.pretty_name) << c.text;
    EXPECT_EQ(os["id_like"], c.id_like) << c.text;
    EXPECT_EQ(os["distro_tag"], c.distro_tag) << c.text;
    EXPECT_EQ(os.size(), 6u);
  }
}

}  // namespace
}  // namespace aiprov
