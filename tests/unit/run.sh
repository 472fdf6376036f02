#!/bin/sh
# Builds and runs every unit test; UNIT_CFLAGS adds flags (e.g. sanitizers),
# UNIT_RUNNER wraps each run (e.g. "valgrind --error-exitcode=99 -q").
set -u

cd "$(dirname "$0")/../.." || exit 1

CC=${CC:-gcc}
CFLAGS="-std=gnu11 -O1 -g -fPIC -Wall -Wextra -Werror -Wshadow \
-Wpointer-arith -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes \
-Wmissing-declarations -Wformat=2 -Wsign-compare -Wno-missing-field-initializers"
LIBS="-ljansson -ljwt -largon2 -lcrypto"
OUT=build/unit

# UBSan only reports by default; make it fail the run.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

mkdir -p "$OUT" || exit 1

passed=0
failed=0
status=0

for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS ${UNIT_CFLAGS:-} -Isrc/lib "$src" src/lib/*.c \
	    $LIBS -o "$OUT/$name"; then
		echo "$name: BUILD FAILED"
		failed=$((failed + 1))
		status=1
		continue
	fi
	# shellcheck disable=SC2086
	${UNIT_RUNNER:-} "$OUT/$name" >"$OUT/$name.out"
	rc=$?
	line=$(tail -n 1 "$OUT/$name.out")
	echo "$name: $line"
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "$name: no result line (crashed?)"
		failed=$((failed + 1))
		status=1
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -ne 0 ] && status=1
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# Sanitizer or valgrind error after all checks passed.
		echo "$name: exit status $rc"
		failed=$((failed + 1))
		status=1
	fi
done

echo "$passed passed, $failed failed"
exit $status
