#!/bin/sh
# Builds the Debian package from this source tree:
#   packaging/build-deb.sh [OUTDIR]        # default OUTDIR: build-deb/ (ignored by git)
# leaves OUTDIR/aiprov_<version>_<arch>.deb (and the -dbgsym package, .buildinfo, .changes).
#
# dpkg-buildpackage wants debian/ at the top of the source, and the packaging lives in
# packaging/debian/; so the source (git's tracked and untracked-but-not-ignored files, or the whole
# tree without build directories when this is not a git checkout) is staged in a temporary directory
# with packaging/debian copied to debian/, and `dpkg-buildpackage -us -uc -b` runs there. The build
# dependencies (debian/control) must be installed: scripts/deps.sh build, plus debhelper.
#
# Environment: JOBS (parallel compile jobs, default nproc), AIPROV_CMAKE_ARGS (extra CMake arguments,
# e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache), STAGE (stage in this directory, emptied first, instead of
# a new temporary one: a compiler cache then sees the same paths), KEEP_STAGE=1 (keep it afterwards).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=${JOBS:-$(nproc)}

version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
if [ -n "${STAGE:-}" ]; then  # a fixed place, so that a compiler cache sees the same paths each time
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  stage_root=$(cd "$STAGE" && pwd)
else
  stage_root=$(mktemp -d "${TMPDIR:-/tmp}/aiprov-deb.XXXXXX")
fi
stage=$stage_root/aiprov-$version
if [ "${KEEP_STAGE:-0}" != 1 ]; then
  trap 'rm -rf "$stage_root"' EXIT
fi
mkdir -p "$stage"

echo "build-deb: staging $src in $stage"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Files deleted from the working tree but still tracked are left out.
  git -C "$src" ls-files -z --cached --others --exclude-standard |
    (cd "$src" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done; true' sh) |
    tar -C "$src" --null -T - -cf - | tar -C "$stage" -xf -
else
  tar -C "$src" --exclude='./build*' --exclude=./out --exclude=./.git --exclude=./tests/e2e/.cache \
    -cf - . | tar -C "$stage" -xf -
fi
rm -rf "$stage/debian"
cp -a "$src/packaging/debian" "$stage/debian"

echo "build-deb: dpkg-buildpackage -us -uc -b -J$jobs (version $version)"
(cd "$stage" && AIPROV_CMAKE_ARGS="${AIPROV_CMAKE_ARGS:-}" dpkg-buildpackage -us -uc -b "-J$jobs")

for f in "$stage_root"/*.deb "$stage_root"/*.ddeb "$stage_root"/*.buildinfo "$stage_root"/*.changes; do
  [ -e "$f" ] || continue
  mv -f "$f" "$out/"
  echo "build-deb: $out/$(basename "$f")"
done
ls "$out"/aiprov_"$version"_*.deb >/dev/null
