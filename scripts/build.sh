#!/bin/sh
# Installs the build dependencies, builds aiprov in ./build, and runs the main job: `aiprov plan` of the
# default recipe against this machine (read-only: it shows what apply would change and changes nothing).
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIPROV_BUILD_TESTS=OFF
cmake --build build -j"$(nproc)"
exec build/agent/aiprov plan recipes/workstation.yaml "$@"
