#!/usr/bin/env bash
# Builds the release files into dist/ (docs/release.md):
#   pgsieve-VERSION-linux-ARCH.tar.gz   the portable binary (libc its only shared library; libpq
#                                       dlopen()ed for --db), its man page, the Alembic helper,
#                                       the rule pages, LICENSE and README.md
#   npm tarballs                        the launcher package `pgsieve` and `@pgsieve/linux-x64`
#                                       holding the binary (npm/), from `npm pack`, when npm is
#                                       installed
# usage: bash ci/release.sh
# Environment: RELEASE_BUILD_DIR (default build-release), DIST_DIR (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${RELEASE_BUILD_DIR:-build-release}
dist=${DIST_DIR:-dist}
case $dist in /*) ;; *) dist=$root/$dist ;; esac

bash ci/deps.sh

# -Dportable=true links libpg_query, protobuf-c, jansson and libyaml statically (meson.build)
opts=(-Dportable=true -Dbuildtype=release -Dstrip=true -Dprefix=/usr/local -Db_sanitize=none)
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "${opts[@]}"
else
	meson configure "$build" "${opts[@]}"
fi
ninja -C "$build" pgsieve pgsieve.1

version=$(meson introspect --projectinfo "$build" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
case $(uname -m) in
x86_64) arch=x86_64 npm_cpu=x64 ;;
aarch64) arch=aarch64 npm_cpu=arm64 ;;
*) echo "ci/release.sh: no release for $(uname -m)" >&2; exit 2 ;;
esac
name=pgsieve-$version-linux-$arch

# the binary must need nothing but glibc: a library left shared would be missing on a stock system
needed=$(readelf -d "$build/pgsieve" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for lib in $needed; do
	case $lib in
	libc.so.6 | libm.so.6 | ld-linux-*.so.*) ;;
	*) echo "ci/release.sh: the binary needs $lib; only glibc may be shared (needs: $needed)" >&2; exit 1 ;;
	esac
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage/install meson install -C "$build" --no-rebuild --quiet
top=$stage/$name
mkdir -p "$top"
cp -a "$stage/install/usr/local/." "$top/"
cp LICENSE README.md "$top/"

# reproducible: the files' times are the commit's, owners and order fixed
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
mkdir -p "$dist"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
	-cf - "$name" | gzip -9n >"$dist/$name.tar.gz"
echo "$dist/$name.tar.gz"

# the npm packages: the launcher and the platform's binary package (npm/README.md)
if command -v npm >/dev/null; then
	python3 npm/stage.py "$version" "linux-$npm_cpu" "$top" "$stage/npm"
	for pkg in "$stage/npm"/*/; do
		(cd "$pkg" && npm pack --silent --pack-destination "$dist" >/dev/null)
	done
	ls "$dist"/*.tgz
else
	echo "ci/release.sh: npm is not installed: no npm packages" >&2
fi
