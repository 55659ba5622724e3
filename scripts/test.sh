#!/bin/sh
# Installs the test dependencies, builds aiprov with its tests in ./build-test, and runs the whole suite:
# unit tests and end-to-end tests on real Debian root trees made by mmdebstrap (needs root and Debian's
# package archive). Pass -DAIPROV_SANITIZE=ON in AIPROV_CMAKE_ARGS for an ASan/UBSan build.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
# shellcheck disable=SC2086
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${AIPROV_CMAKE_ARGS:-}
cmake --build build-test -j"$(nproc)"
cd build-test
exec ctest --output-on-failure --timeout 1800 -j"$(nproc)" "$@"
