#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (tests/fuzz/) and runs each for a while: the SQL front
# end, the comment directive parser and the whole lint of a file. Seeds come from fixtures/;
# what the fuzzer finds interesting is kept in the build directory between runs.
#
# usage: bash ci/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 30 (CI); give 600 or more for a real search
#   TARGET              sql, directive, lint (default: all)
#   FUZZ_BUILD_DIR      the build directory (default: build-fuzz)
#   FUZZ_JOBS           parallel fuzzing processes per target (default 1)
# A crash, leak, timeout or sanitizer report stops the run with a nonzero status and leaves the
# input that caused it in $FUZZ_BUILD_DIR/fuzz-artifacts/; replay it with
#   $FUZZ_BUILD_DIR/tests/fuzz/fuzz-TARGET $FUZZ_BUILD_DIR/fuzz-artifacts/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sql directive lint)
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

bash ci/deps.sh
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true >/dev/null
else
	meson configure "$build" -Dfuzz=true >/dev/null
fi
if ! out=$(ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz-}" 2>&1); then
	printf '%s\n' "$out" | tail -n 40 >&2
	exit 1
fi

# Seeds: every fixture file for the SQL targets; the comment lines of the fixtures plus a few
# directive shapes for the directive parser.
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds/sql" "$seeds/directive" "$build/fuzz-artifacts"
find fixtures examples -name '*.sql' -size -64k 2>/dev/null | while read -r f; do
	cp "$f" "$seeds/sql/$(printf '%s' "$f" | cksum | cut -d' ' -f1).sql"
done
{ grep -rhoEI --include='*.sql' -e '--.*' -e '/\*.*\*/' fixtures || true; } | sort -u >"$seeds/comments"
n=0
while IFS= read -r line && [ $n -lt 2000 ]; do
	n=$((n + 1))
	printf '%s' "$line" >"$seeds/directive/c$n"
done <"$seeds/comments"
printf '%s' '-- pgsieve-ignore create-index-blocking: built before traffic' >"$seeds/directive/d1"
printf '%s' '/* pgsieve-ignore-file prefer-text, ban-char */' >"$seeds/directive/d2"
printf '%s' '-- pgsieve-ignore a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r: too many' >"$seeds/directive/d3"

# libpg_query's own leaks are suppressed (ci/lsan.supp says which); ours are failures.
export LSAN_OPTIONS="suppressions=$root/ci/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

status=0
for t in "${targets[@]}"; do
	case "$t" in
	sql | lint) seed="$seeds/sql" dict=(-dict="$root/tests/fuzz/sql.dict") ;;
	directive) seed="$seeds/directive" dict=() ;;
	*) echo "ci/fuzz.sh: unknown target '$t' (sql, directive, lint)" >&2; exit 2 ;;
	esac
	corpus="$build/fuzz-corpus/$t"
	mkdir -p "$corpus"
	echo "== fuzz-$t for ${seconds}s"
	# -max_len: migrations are small; 64 KiB keeps each run fast and still lets nesting and
	# chunking be explored. -timeout: an input that takes 10 s is a hang. -rss_limit_mb:
	# memory that grows without bound is a failure too.
	parallel=()
	[ "$jobs" -le 1 ] || parallel=(-jobs="$jobs" -workers="$jobs")
	if ! "$build/tests/fuzz/fuzz-$t" "${dict[@]}" "${parallel[@]}" -max_total_time="$seconds" \
		-max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" "$corpus" "$seed" 2>"$build/fuzz-$t.log"; then
		status=1
		echo "fuzz-$t FAILED; the end of its log ($build/fuzz-$t.log):" >&2
		tail -n 60 "$build/fuzz-$t.log" >&2
	else
		grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$build/fuzz-$t.log" |
			tr '\n' ' '
		echo
	fi
done
exit $status
