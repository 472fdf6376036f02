#!/usr/bin/env bash
# `make fresh-check`: proves that the README's commands work on the first try
# on a Debian bookworm machine with none of the project's packages. Builds a
# clean bookworm root (debootstrap, minbase, from the Debian archive this
# machine's apt uses), clones the committed tree into it and runs
# `make $FRESH_TARGET` there as root, from nothing. Prints the time each phase
# took. Everything it mounts or makes is removed afterwards, also on failure.
#
# FRESH_TARGET  test (default) or run (then logs in once and runs make stop)
# FRESH_KEEP=1  keep the root for a look afterwards (mounts are still removed)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${FRESH_TARGET:-test}
case "$target" in test | run) ;; *) echo "fresh-check: FRESH_TARGET is test or run" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "fresh-check: needs root (debootstrap, chroot, mount)" >&2; exit 2; }

phase_start=$SECONDS
phases=()
phase() { # phase NAME: closes the running phase under NAME
	phases+=("$(printf '%-28s %5d s' "$1" $((SECONDS - phase_start)))")
	phase_start=$SECONDS
}
report() {
	echo "== fresh-check phases"
	local p
	for p in "${phases[@]}"; do echo "  $p"; done
}

# The first Debian archive in this machine's apt sources (deb822 or one-line).
mirror() {
	local uri
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n 1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	echo "${uri:-http://deb.debian.org/debian}"
}

root=$(mktemp -d /var/tmp/crm-fresh.XXXXXX)
chmod 755 "$root"

# Processes still running inside the root (a server left by a failed run).
inside() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}

cleanup() {
	local rc=$? pids m
	set +e
	pids=$(inside)
	[ -n "$pids" ] && kill $pids 2>/dev/null && sleep 2
	pids=$(inside)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null && sleep 1
	for m in $(awk -v r="$root" 'index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if awk -v r="$root" 'index($2, r "/") == 1 {found=1} END {exit !found}' /proc/mounts; then
		echo "fresh-check: mounts left under $root; not removing it" >&2
	elif [ "${FRESH_KEEP:-0}" = 1 ]; then
		echo "fresh-check: kept $root"
	else
		rm -rf --one-file-system "$root"
	fi
	report
	[ "$rc" -eq 0 ] && echo "fresh-check: PASSED (make $target from nothing)" ||
		echo "fresh-check: FAILED (exit $rc)"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v debootstrap >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
phase "debootstrap installed"

src=$(mirror)
echo "== debootstrap bookworm (minbase) from $src into $root"
# make is the one command the user types, so the root has it; everything
# else (gcc, kore, PostgreSQL, Node.js, …) is the project's to install.
debootstrap --variant=minbase --include=make bookworm "$root" "$src" >"$root.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
phase "debootstrap"

# The machine's own network settings: the same apt sources (updates and
# security too), name servers and certificate authorities (the npm registry
# is reached over TLS, possibly through this site's egress proxy).
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
	rm -f "$root/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/etc/ssl"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca.pem" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
chmod 1777 "$root/tmp"

echo "== clean clone of $(git -C "$top" rev-parse --short HEAD)"
git clone -q --no-hardlinks "$top" "$root/root/crm"
phase "clone"

env=(env -i HOME=/root TERM=dumb LANG=C.UTF-8
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
[ -s "$root/etc/ssl/host-ca.pem" ] && env+=(npm_config_cafile=/etc/ssl/host-ca.pem)

echo "== make $target (first try, nothing installed)"
rc=0
chroot "$root" "${env[@]}" bash -c "cd /root/crm && make $target" 2>&1 | sed 's/^/  | /' || rc=$?
phase "make $target (exit $rc)"
[ "$rc" -eq 0 ] || exit "$rc"

if [ "$target" = run ]; then
	echo "== log in to the server make run started, then make stop"
	chroot "$root" "${env[@]}" bash -c '
		cd /root/crm && source conf/dev.env &&
		curl -fsS "http://$CRM_LISTEN_HOST:$CRM_LISTEN_PORT/v1/auth/login" \
		     -H "content-type: application/json" \
		     -d "{\"email\":\"admin@demo.test\",\"password\":\"demo-password-1\"}" |
		grep -q access_token && echo "  login: ok" && make stop' 2>&1 | sed 's/^/  | /' || rc=$?
	phase "login and make stop (exit $rc)"
	exit "$rc"
fi
