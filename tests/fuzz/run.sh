#!/bin/sh
# Builds every libFuzzer harness (tests/fuzz/fuzz_*.c) with ASan + UBSan and
# runs each for FUZZ_SECONDS (default 20) on a working copy of its seed
# corpus under build/fuzz/corpus/ (the committed corpus is never written).
# Crash inputs land in build/fuzz/artifacts/<harness>/. Needs clang and
# libFuzzer's runtime (Debian: libclang-rt-14-dev).
#
# FUZZ_SECONDS  seconds per harness (default 20)
# FUZZ_ONLY     run only these harnesses, e.g. "fuzz_body fuzz_token"
# FUZZ_FRESH=1  start from the seeds alone (drop inputs found by earlier runs)
# FUZZ_ARGS     extra libFuzzer flags
set -u

cd "$(dirname "$0")/../.." || exit 1

CC=${CC:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined"
LIBS="-ljansson -ljwt -largon2 -lcrypto"
OUT=build/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-20}

# UBSan only reports by default; make it a crash. Leaks are crashes too.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS ASAN_OPTIONS

mkdir -p "$OUT/corpus" "$OUT/artifacts" || exit 1

passed=0
failed=0

for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	if [ -n "${FUZZ_ONLY:-}" ]; then
		case " $FUZZ_ONLY " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi

	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -Isrc/lib "$src" src/lib/*.c $LIBS \
	    -o "$OUT/$name" 2>"$OUT/$name.build.log"; then
		cat "$OUT/$name.build.log"
		echo "$name: BUILD FAILED"
		failed=$((failed + 1))
		continue
	fi

	work="$OUT/corpus/$name"
	art="$OUT/artifacts/$name"
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
	rm -rf "$art"
	mkdir -p "$work" "$art" || exit 1
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
	fi

	# shellcheck disable=SC2086
	"$OUT/$name" -max_total_time="$SECONDS_EACH" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="$art/" ${FUZZ_ARGS:-} \
	    "$work" >"$OUT/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$OUT/$name.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "$name: ok (${runs:-?} runs in ${SECONDS_EACH}s," \
		    "corpus $(find "$work" -type f | wc -l))"
		passed=$((passed + 1))
	else
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' \
		    "$OUT/$name.log" | head -n 5
		echo "$name: FAILED (exit $rc; log $OUT/$name.log," \
		    "inputs in $art/)"
		ls "$art"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
