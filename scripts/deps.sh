#!/bin/sh
# Installs aiprov's dependencies from the distribution (Debian 12, Ubuntu 22.04, Ubuntu 24.04).
#   scripts/deps.sh build   what building needs
#   scripts/deps.sh test    what building and the whole test suite need
set -eu
what=${1:-build}

build_pkgs="cmake ninja-build g++ pkg-config libyaml-cpp-dev libspdlog-dev libfmt-dev libboost-dev
  libboost-filesystem-dev libcurl4-openssl-dev libcli11-dev nlohmann-json3-dev libssl-dev libgtest-dev
  libgmock-dev ca-certificates"
# The end-to-end tests build Debian root trees (mmdebstrap), signed apt archives (dpkg-dev, apt-utils,
# gpg) and serve them on loopback (python3, with certificates made by openssl for HTTPS); the package
# test builds the .deb (debhelper, git to list the source), checks it (lintian) and its units
# (systemd-analyze, in systemd).
test_pkgs="mmdebstrap apt-utils dpkg-dev gpg gpg-agent python3 passwd tar xz-utils debhelper lintian git
  systemd openssl"

case "$what" in
  build) pkgs=$build_pkgs ;;
  test) pkgs="$build_pkgs $test_pkgs" ;;
  *) echo "usage: $0 build|test" >&2; exit 3 ;;
esac

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
