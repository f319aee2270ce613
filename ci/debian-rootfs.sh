#!/usr/bin/env bash
# Makes (once) a minimal Debian 12 root filesystem, debootstrap's minbase: no -dev package, no
# PostgreSQL, no libpq, no jansson, yaml or protobuf-c; what a stock Debian 12 container has. The
# release test (tests/release.py) runs the portable binary in it with chroot.
# The root is cached outside the clone, in PGSIEVE_ROOTFS_CACHE (default
# ~/.cache/pgsieve/rootfs), so that only the first run downloads it (about 1 to 3 minutes); later
# runs reuse it. It comes from the Debian mirror apt uses here (/etc/apt/sources.list*), or
# PGSIEVE_DEBIAN_MIRROR.
# usage: bash ci/debian-rootfs.sh     prints the root's path; exits 3 when debootstrap cannot run
set -euo pipefail

suite=bookworm
cache=${PGSIEVE_ROOTFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgsieve/rootfs}
root=$cache/debian-$suite-minbase
mkdir -p "$cache"

# one maker at a time; the others wait and reuse its root
exec 9>"$cache/.lock"
flock 9
if [ -x "$root/bin/sh" ] && [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

if ! command -v debootstrap >/dev/null; then
	echo "ci/debian-rootfs.sh: debootstrap is not installed (apt-get install debootstrap)" >&2
	exit 3
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "ci/debian-rootfs.sh: debootstrap and chroot need root" >&2
	exit 3
fi

mirror=${PGSIEVE_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
	# the first Debian archive apt reads from: one-line (deb URL suite ...) or deb822 (URIs: URL)
	shopt -s nullglob
	files=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] && files+=("$f")
	done
	mirror=$(cat "${files[@]}" /dev/null | sed -nE 's,^(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?|URIs:[[:space:]]*)(https?://[^[:space:]]*/debian)/?([[:space:]].*)?$,\3,p' |
		head -n 1)
fi
mirror=${mirror:-http://deb.debian.org/debian}

rm -rf "$root.tmp"
echo "ci/debian-rootfs.sh: debootstrap --variant=minbase $suite from $mirror into $root (once)" >&2
if ! debootstrap --variant=minbase "$suite" "$root.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
	tail -n 20 "$cache/debootstrap.log" >&2
	echo "ci/debian-rootfs.sh: debootstrap failed (the log: $cache/debootstrap.log)" >&2
	exit 1
fi
# what a stock system has no reason to hold and would hide a missing library
for lib in 'libpq.so*' 'libjansson.so*' 'libyaml-0.so*' 'libprotobuf-c.so*' 'libpg_query.so*'; do
	if [ -n "$(find "$root.tmp" -name "$lib" -print -quit)" ]; then
		echo "ci/debian-rootfs.sh: the minimal root unexpectedly holds $lib" >&2
		exit 1
	fi
done
touch "$root.tmp/.complete"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
