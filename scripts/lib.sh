#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The script library of mmap-test: the one file the host scripts source,
#
#   . "$(dirname "$0")/lib.sh"
#
# which sources its parts, one file per concern, in scripts/lib/:
#   common.sh        TOP, CACHE, messages (stage/info/warn/die), as_root,
#                    lock_file, script_help
#   apt.sh           host packages (need_pkgs) and Debian archives through a
#                    private APT configuration (papt, fetch_deb, deb_version)
#   roots.sh         build roots (root_ensure) and running in them (in_root)
#   targets.sh       the targets' data files (TARGETS_ALL, target_check,
#                    target_load, need_host_pkgs)
#   module.sh        the module's source list (MODULE_PATHS, module_copy),
#                    tree_copy, module_version, kdir_release
#   linux-source.sh  files from a linux-source .deb (linux_source_extract)
#   tap.sh           TAP lines of the host checks (results.py reads them)
#   splat.sh         kernel splats of a serial log (splat_scan)
# Each part's header lists its functions.  The guest scripts
# (scripts/guest/, busybox ash in the VM) do not use it.

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/lib" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$LIB_DIR/common.sh"
# shellcheck source=scripts/lib/apt.sh
. "$LIB_DIR/apt.sh"
# shellcheck source=scripts/lib/roots.sh
. "$LIB_DIR/roots.sh"
# shellcheck source=scripts/lib/targets.sh
. "$LIB_DIR/targets.sh"
# shellcheck source=scripts/lib/module.sh
. "$LIB_DIR/module.sh"
# shellcheck source=scripts/lib/linux-source.sh
. "$LIB_DIR/linux-source.sh"
# shellcheck source=scripts/lib/tap.sh
. "$LIB_DIR/tap.sh"
# shellcheck source=scripts/lib/splat.sh
. "$LIB_DIR/splat.sh"
