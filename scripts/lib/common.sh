#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The base of the script library (scripts/lib.sh sources it first): where
# things are, how scripts talk, and how they take root and locks.
#
#   TOP, CACHE, HOSTLOG          the work tree, the download and build-root
#                                cache ($MMAP_TEST_CACHE, default
#                                $HOME/.cache/mmap-test), host-side logs
#   stage/info/warn/die TEXT     progress and errors, on stderr
#   script_help FILE             the usage comment at the top of FILE
#   as_root CMD...               run as root (directly or through sudo)
#   lock_file FILE               hold an flock on FILE until exit
#   verdict OK BAD [FAILURE...]  the last lines of a run, and its exit
#   tree_rev [FALLBACK]          the work tree's commit (git describe), for
#                                the heading of a run's output

# shellcheck disable=SC2034  # variables used by the scripts that source us
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Without HOME (a systemd unit, cron, cloud-init): the user's home from
# the password database.
CACHE=${MMAP_TEST_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/mmap-test}
HOSTLOG=$TOP/build/host
export DEBIAN_FRONTEND=noninteractive

stage() { printf '\n==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck disable=SC2120  # FALLBACK is optional
tree_rev() {
	git -C "$TOP" describe --always --dirty 2>/dev/null || echo "${1:-an unknown commit}"
}

# script_help FILE: the comment block from line 3 of FILE up to its
# `set -euo pipefail`, without the "# " (what --help prints).
script_help() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$1"
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -E "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

# verdict OK_LINE BAD_LINE [FAILURE...]: with no FAILURE, print OK_LINE and
# exit 0; else print each FAILURE as "  - FAILURE", then BAD_LINE, and
# exit 1 (the end of make demo and make bench).
verdict() {
	local ok=$1 bad=$2 f
	shift 2
	if [ $# -eq 0 ]; then
		echo "$ok"
		exit 0
	fi
	for f in "$@"; do
		echo "  - $f"
	done
	echo "$bad"
	exit 1
}

# lock_file FILE: take an exclusive flock on FILE (made if missing), held
# until the shell exits; says so when another run holds it.
lock_file() {
	local fd
	mkdir -p "$(dirname "$1")"
	exec {fd}>>"$1"
	if ! flock -n "$fd"; then
		info "waiting for $1 (another run holds it)"
		flock "$fd"
	fi
}
