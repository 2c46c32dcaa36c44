#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel API feature probes for mmap-test.
#
# Usage (from Kbuild):
#   conftest.sh OUT.h KEY CC CC_VERSION_TEXT GCC_VERSION CLANG_VERSION \
#		[CFLAGS...]
#
# CC is the compiler command (one argument, may be several words);
# CC_VERSION_TEXT, GCC_VERSION and CLANG_VERSION are the kernel's
# CONFIG_CC_VERSION_TEXT, CONFIG_GCC_VERSION and CONFIG_CLANG_VERSION.
#
# Each probe below is a tiny C file compiled with the kernel's own module
# flags and -Werror.  A probe that compiles defines MT_HAVE_<NAME> in OUT.h.
# Every probe starts with the same headers, which gcc precompiles once
# (below): a probe then takes a tenth of the time of a full parse of them.
# We test for the API itself, not for a version number: distributions
# backport.  OUT.h is rewritten only when KEY (kernel release, compiler and
# flags, this script) or the compiler's version changes.
#
# Probes must be honest: a probe may fail only because the API it looks for
# is missing.  So the build stops here, with the compiler's output, when
#  - CC is not the compiler family and major version the kernel was built
#    with (its flags are not this compiler's: every probe would fail);
#  - the sanity probe, which uses no optional API, does not compile;
#  - a probe fails with errors that do not name the API it looks for;
#  - not exactly one of the alternative shapes of an API compiles.

set -eu

out=$1 key=$2 cc=$3 kcc_text=$4 kgcc=$5 kclang=$6
shift 6
while [ "${cc# }" != "$cc" ]; do	# Debian's Makefiles leave a leading blank
	cc=${cc# }
done

die() {
	printf 'mmap-test: error: %s\n' "$@" >&2
	exit 1
}

# --- The compiler: the kernel's own? --------------------------------------

kcc_text=${kcc_text#\"}		# auto.conf quotes strings up to 5.x
kcc_text=${kcc_text%\"}
# $cc may be several words ("ccache gcc"): split on purpose.
# shellcheck disable=SC2086
cc_text=$(LC_ALL=C $cc --version 2>/dev/null | head -n 1) || cc_text=
echo "  mmap-test: compiler: ${cc_text:-"$cc: cannot run"}; kernel built with: ${kcc_text:-unknown}"
[ -n "$cc_text" ] || die "cannot run the compiler '$cc' (CC);" \
	"the kernel was built with ${kcc_text:-an unknown compiler}."

# "FAMILY MAJOR" of CC, from the preprocessor as the kernel's
# scripts/cc-version.sh does; clang defines __GNUC__ too, so it goes first.
cc_id() {
	# shellcheck disable=SC2086,SC2046
	set -- $(printf '%s\n' '__clang_major__ __GNUC__' |
		 LC_ALL=C $cc -E -P -x c - 2>/dev/null)
	case ${1:-}/${2:-} in
	[0-9]*/*)	echo "clang $1" ;;
	*/[0-9]*)	echo "gcc $2" ;;
	*)		echo "unknown ?" ;;
	esac
}

if [ "${kclang:-0}" != 0 ]; then
	kcc_id="clang $((kclang / 10000))"
elif [ "${kgcc:-0}" != 0 ]; then
	kcc_id="gcc $((kgcc / 10000))"
else
	kcc_id=
fi
cc_id=$(cc_id)
if [ -n "$kcc_id" ] && [ "$cc_id" != "$kcc_id" ]; then
	case $kcc_id in
	gcc*)	hint="e.g. make CC=${kcc_text%% *}" ;;
	*)	hint="e.g. make LLVM=1" ;;
	esac
	die "compiler mismatch: CC is $cc_id ('$cc': $cc_text)," \
	    "but the kernel was built with $kcc_id ($kcc_text)." \
	    "The kernel's flags do not fit another compiler major version:" \
	    "build with the kernel's compiler, $hint."
fi

key="$key $cc_text"
if [ -f "$out" ] && head -n 2 "$out" | grep -qxF "/* key: $key */"; then
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmap-test-conftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- The headers every probe starts with ----------------------------------

# $tmp/common/conftest.h: the kernel's own -include files (kconfig.h,
# compiler_types.h, ...) in the order of the flags, then the usual headers.
# Each probe is compiled with "-include conftest.h" in place of the
# -include flags, which are taken out of the flags here: the compiler reads
# the same files in the same order.  A relative path is one from the
# working directory (the kernel tree), where -include looks first.
# (in a directory of its own: OUT.h is made of the files $tmp/*.h)
mkdir "$tmp/common"
hdr=$tmp/common/conftest.h
: > "$hdr"
n=$# inc=0
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	if [ "$inc" = 1 ]; then
		case $a in
		/*) ;;
		*) a=$PWD/$a ;;
		esac
		printf '#include "%s"\n' "$a" >> "$hdr"
		inc=0
	elif [ "$a" = -include ]; then
		inc=1
	else
		set -- "$@" "$a"
	fi
done
printf '%s\n' '#include <linux/module.h>' '#include <linux/fs.h>' \
	'#include <linux/mm.h>' '#include <linux/slab.h>' \
	'#include <linux/mm_types.h>' '#include <linux/sched/mm.h>' \
	'#include <linux/mman.h>' >> "$hdr"
# the same header with no precompiled one beside it (compile_sure)
mkdir "$tmp/plain"
plain=$tmp/plain/conftest.h
cp "$hdr" "$plain"

# cflags CC CFLAGS...: the command of every compile here, the header's
# precompilation included (gcc uses a precompiled header only when the
# flags and macros are those it was made with).
cflags() {
	"$@" -Werror -Wno-missing-prototypes -Wno-missing-declarations \
		-Wno-unused-function -DKBUILD_MODNAME='"conftest"' \
		-DKBUILD_BASENAME='"conftest"'
}

# gcc precompiles conftest.h once (conftest.h.gch, which "-include
# conftest.h" then reads instead).  Where it cannot, or for clang (which
# refuses a precompiled header it does not accept instead of reading the
# header), the probes read conftest.h itself: the same code, slower.  A
# header that does not compile is the sanity probe's finding, below.
case $cc_id in
gcc*)
	# shellcheck disable=SC2086
	cflags $cc "$@" -x c-header "$hdr" -o "$hdr.gch" > "$tmp/PCH.log" 2>&1 ||
		rm -f "$hdr.gch"
	;;
esac

# --- Probes ---------------------------------------------------------------

# compile NAME 'C code' CC CFLAGS...: the code after conftest.h.
compile() {
	cname=$1 ccode=$2
	shift 2
	printf '%s\n' "$ccode" > "$tmp/$cname.c"
	cflags "$@" -include "$hdr" -c "$tmp/$cname.c" \
		-o "$tmp/$cname.o" > "$tmp/$cname.log" 2>&1
}

# compile_sure NAME 'C code' SYMBOL CC CFLAGS...: compile, and when that
# fails with the precompiled header and none of its "error:" lines names
# SYMBOL (or SYMBOL is empty), once more with the header read as text: gcc
# up to 11 stops with "had to relocate PCH" where it cannot map the
# precompiled header back at its address.  So a probe's result never rests
# on the precompiled header: a failure that names the API is the API's, any
# other is decided as without it.  Status and log: the last compile's.
compile_sure() {
	cname=$1 ccode=$2 csym=$3
	shift 3
	compile "$cname" "$ccode" "$@" && return 0
	[ -e "$hdr.gch" ] || return 1
	if [ -n "$csym" ] && grep 'error:' "$tmp/$cname.log" | grep -q "$csym"; then
		return 1
	fi
	mv "$tmp/$cname.log" "$tmp/$cname.pch.log"
	(hdr=$plain; compile "$cname" "$ccode" "$@")
}

# Sanity: no optional API.  If this fails, nothing below can be trusted.
# shellcheck disable=SC2086
if ! compile_sure SANITY 'int mt_sanity(struct vm_area_struct *vma)
{
	return vma_pages(vma) > 0 && PAGE_SIZE > 0;
}' '' $cc "$@"; then
	echo "mmap-test: the sanity probe does not compile with the kernel's flags:" >&2
	head -n 40 "$tmp/SANITY.log" >&2
	die "conftest sanity probe failed: fix the compiler or kernel headers" \
	    "(every feature probe would report the API as missing)."
fi

# probe NAME SYMBOL 'C code': in the background.  SYMBOL is the API the
# probe looks for: a failure none of whose "error:" lines (not the quoted
# source lines) mention it is a broken probe, not a missing API.
probe() {
	pname=$1 psym=$2 pcode=$3
	shift 3
	# shellcheck disable=SC2086
	( if compile_sure "$pname" "$pcode" "$psym" $cc "$@"; then
		echo "#define MT_HAVE_$pname 1" > "$tmp/$pname.h"
	  else
		echo "/* MT_HAVE_$pname: not available */" > "$tmp/$pname.h"
		grep 'error:' "$tmp/$pname.log" | grep -q "$psym" ||
			echo "$psym" > "$tmp/$pname.broken"
	  fi ) &
}

# vm_fault_t: 4.17.
probe VM_FAULT_T vm_fault_t \
'vm_fault_t f(void) { return VM_FAULT_SIGBUS; }' "$@"

# mmap_read_lock() and friends: 5.8 (mmap_sem became mmap_lock).
probe MMAP_READ_LOCK mmap_read \
'int f(struct mm_struct *mm)
{
	int ret = mmap_read_lock_killable(mm);

	if (!ret)
		mmap_read_unlock(mm);
	return ret;
}' "$@"

# dump_stack_lvl(): 5.14.
probe DUMP_STACK_LVL dump_stack_lvl \
'void f(void)
{
	dump_stack_lvl(KERN_INFO);
}' "$@"

# file_user_path(): 6.8 (the path /proc/<pid>/maps shows for a backing
# file, as overlayfs maps: the user's path, not the real file's).
probe FILE_USER_PATH file_user_path \
'const struct path *f(struct file *file)
{
	return file_user_path(file);
}' "$@"

# vma_is_initial_heap(), vma_is_initial_stack(): 6.6 (what maps calls
# [heap] and [stack]; the heap test became strict with them).
probe VMA_IS_INITIAL_HEAP vma_is_initial_heap \
'bool f(const struct vm_area_struct *vma)
{
	return vma_is_initial_heap(vma) || vma_is_initial_stack(vma);
}' "$@"

# vma_lookup(): 5.14.
probe VMA_LOOKUP vma_lookup \
'struct vm_area_struct *f(struct mm_struct *mm)
{
	return vma_lookup(mm, 0);
}' "$@"

# vm_flags_set(): 6.3 (vm_flags became read-only).
probe VM_FLAGS_SET vm_flags_set \
'void f(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}' "$@"

# The mm's default get_unmapped_area, three shapes; exactly one compiles.
# Up to 6.9: the mm->get_unmapped_area method.
probe MM_STRUCT_GET_UNMAPPED_AREA get_unmapped_area \
'unsigned long f(struct file *file)
{
	return current->mm->get_unmapped_area(file, 0, 4096, 0, 0);
}' "$@"

# 6.10: mm_get_unmapped_area(mm, file, addr, len, pgoff, flags).
probe MM_GET_UNMAPPED_AREA mm_get_unmapped_area \
'unsigned long f(struct file *file)
{
	return mm_get_unmapped_area(current->mm, file, 0, 4096, 0, 0);
}' "$@"

# After 6.12 (7.x): mm_get_unmapped_area(file, addr, len, pgoff, flags),
# always on current->mm.
probe MM_GET_UNMAPPED_AREA_NO_MM mm_get_unmapped_area \
'unsigned long f(struct file *file)
{
	return mm_get_unmapped_area(file, 0, 4096, 0, 0);
}' "$@"

# compat_ptr_ioctl(): 5.5.
probe COMPAT_PTR_IOCTL compat_ptr_ioctl \
'long (*f)(struct file *, unsigned int, unsigned long) = compat_ptr_ioctl;' \
"$@"

# kzalloc_obj(): 7.0 (also backported to 6.12.y stable).
probe KZALLOC_OBJ kzalloc_obj \
'void *f(void)
{
	struct page **p = kzalloc_obj(*p, GFP_KERNEL);

	return p;
}' "$@"

# vm_operations_struct.map_pages, two shapes; exactly one compiles.  The
# exact type is asserted: an initializer would only warn on older compilers.
# 5.12: returns vm_fault_t.
probe MAP_PAGES_VM_FAULT_T map_pages \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct vm_operations_struct *)0)->map_pages),
	vm_fault_t (*)(struct vm_fault *, pgoff_t, pgoff_t)),
	"map_pages does not return vm_fault_t");' "$@"

# Up to 5.11: returns void.
probe MAP_PAGES_VOID map_pages \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct vm_operations_struct *)0)->map_pages),
	void (*)(struct vm_fault *, pgoff_t, pgoff_t)),
	"map_pages does not return void");' "$@"

# kmap_local_page()/kunmap_local(): 5.11.
probe KMAP_LOCAL_PAGE kmap_local_page \
'#include <linux/highmem.h>
void f(struct page *page)
{
	void *p = kmap_local_page(page);

	kunmap_local(p);
}' "$@"

# The buffer's address_space_operations (main.c, mmap_test_aops), three
# members that changed shape; of each pair exactly one compiles.
# Dirtying: ->dirty_folio (5.18), before it ->set_page_dirty.
probe AOPS_DIRTY_FOLIO dirty_folio \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->dirty_folio),
	bool (*)(struct address_space *, struct folio *)),
	"dirty_folio has another type");' "$@"

probe AOPS_SET_PAGE_DIRTY set_page_dirty \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->set_page_dirty),
	int (*)(struct page *)),
	"set_page_dirty has another type");' "$@"

# Migration: ->migrate_folio (6.0), before it ->migratepage.
probe AOPS_MIGRATE_FOLIO migrate_folio \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->migrate_folio),
	int (*)(struct address_space *, struct folio *, struct folio *,
		enum migrate_mode)),
	"migrate_folio has another type");' "$@"

probe AOPS_MIGRATEPAGE migratepage \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->migratepage),
	int (*)(struct address_space *, struct page *, struct page *,
		enum migrate_mode)),
	"migratepage has another type");' "$@"

# Memory failure: ->error_remove_folio (6.8), before it ->error_remove_page.
probe AOPS_ERROR_REMOVE_FOLIO error_remove_folio \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->error_remove_folio),
	int (*)(struct address_space *, struct folio *)),
	"error_remove_folio has another type");' "$@"

probe AOPS_ERROR_REMOVE_PAGE error_remove_page \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct address_space_operations *)0)->error_remove_page),
	int (*)(struct address_space *, struct page *)),
	"error_remove_page has another type");' "$@"

# The mmap_prepare path (module parameter mmap_hook=prepare), three parts,
# all needed: f_op->mmap_prepare (6.16), the vma_flags_t accessors of
# struct vm_area_desc, and vm_operations_struct.mapped (the hook that runs
# once the new VMA exists; without it a driver cannot count its VMAs).
# Debian's 7.3 has all three.
probe MMAP_PREPARE mmap_prepare \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct file_operations *)0)->mmap_prepare),
	int (*)(struct vm_area_desc *)),
	"mmap_prepare is not int (*)(struct vm_area_desc *)");' "$@"

probe VM_OPS_MAPPED mapped \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct vm_operations_struct *)0)->mapped),
	int (*)(unsigned long, unsigned long, pgoff_t, const struct file *,
		void **)),
	"vm_operations_struct.mapped has another type");' "$@"

probe VMA_DESC_SET_FLAGS vma_desc_set_flags \
'bool f(struct vm_area_desc *desc)
{
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	return vma_desc_test(desc, VMA_MAYSHARE_BIT) && vma_desc_pages(desc);
}' "$@"

# Huge device mappings (module parameter huge=1), two parts, both needed.
# Page-cache folios of a chosen order: mapping_set_large_folios() (5.17)
# and __filemap_get_folio() with fgf_set_order() (6.6), which falls back
# to smaller orders when the large one cannot be allocated or charged.
# The core PMD-maps such a folio (finish_fault(), filemap_map_pages()).
probe LARGE_FOLIO_ORDER fgf_set_order \
'#include <linux/pagemap.h>
struct folio *f(struct address_space *mapping)
{
	mapping_set_large_folios(mapping);
	return __filemap_get_folio(mapping, 0, FGP_LOCK | FGP_CREAT |
				   fgf_set_order(PMD_SIZE), GFP_KERNEL);
}' "$@"

# thp_get_unmapped_area(): PMD-aligned placement of a file mapping (4.10;
# NULL without CONFIG_TRANSPARENT_HUGEPAGE, which the assertion rejects).
probe THP_GET_UNMAPPED_AREA thp_get_unmapped_area \
'_Static_assert(__builtin_types_compatible_p(typeof(thp_get_unmapped_area),
	unsigned long (struct file *, unsigned long, unsigned long,
		       unsigned long, unsigned long)),
	"thp_get_unmapped_area is not a function of that type");' "$@"

# untagged_addr(): 5.4, what munmap(2) applies to its address.  On x86
# from 6.4 it reads current's LAM mask (untagged_addr_remote() is for
# another mm); arm64 strips the top byte.
probe UNTAGGED_ADDR untagged_addr \
'#include <linux/uaccess.h>
unsigned long f(unsigned long addr)
{
	return untagged_addr(addr);
}' "$@"

# The architecture's own mmap(2) prot bits (uapi asm/mman.h), which
# ALLOC_VMA passes to vm_mmap() as mmap(2) does.  arm64: PROT_BTI (5.8),
# PROT_MTE (5.10).
probe PROT_BTI PROT_BTI \
'unsigned long f(void) { return PROT_BTI; }' "$@"

probe PROT_MTE PROT_MTE \
'unsigned long f(void) { return PROT_MTE; }' "$@"

# VM_* flags that the report translates and that not every kernel has
# (those that are VM_NONE when configured out need no probe).
# VM_MERGEABLE (KSM, 2.6.32) and VM_WIPEONFORK (4.14): defined on all
# tested kernels, probed in case a kernel drops or renames them.
probe VM_MERGEABLE VM_MERGEABLE \
'vm_flags_t f(void) { return VM_MERGEABLE; }' "$@"

probe VM_WIPEONFORK VM_WIPEONFORK \
'vm_flags_t f(void) { return VM_WIPEONFORK; }' "$@"

# VM_SEALED: mseal(2), 6.10, 64-bit.
probe VM_SEALED VM_SEALED \
'vm_flags_t f(void) { return VM_SEALED; }' "$@"

# VM_DROPPABLE: 6.11.
probe VM_DROPPABLE VM_DROPPABLE \
'vm_flags_t f(void) { return VM_DROPPABLE; }' "$@"

# arm64: VM_ARM64_BTI (5.8), VM_MTE and VM_MTE_ALLOWED (5.10).
probe VM_ARM64_BTI VM_ARM64_BTI \
'vm_flags_t f(void) { return VM_ARM64_BTI; }' "$@"

probe VM_MTE VM_MTE \
'vm_flags_t f(void) { return VM_MTE | VM_MTE_ALLOWED; }' "$@"

# FAULT_FLAG_VMA_LOCK: 6.4 (faults under the per-VMA lock); an enum
# constant, not a macro.
probe FAULT_FLAG_VMA_LOCK FAULT_FLAG_VMA_LOCK \
'bool f(struct vm_fault *vmf)
{
	return vmf->flags & FAULT_FLAG_VMA_LOCK;
}' "$@"

# The mm's RSS counters, two shapes; exactly one compiles.  The type is
# asserted, so that a failure names rss_stat.
# 6.2: one percpu_counter per type.
probe RSS_PERCPU rss_stat \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct mm_struct *)0)->rss_stat),
	struct percpu_counter[NR_MM_COUNTERS]),
	"rss_stat is not an array of percpu_counter");' "$@"

# Up to 6.1: atomic_long_t counts in struct mm_rss_stat.
probe RSS_ATOMIC rss_stat \
'_Static_assert(__builtin_types_compatible_p(
	typeof(((struct mm_struct *)0)->rss_stat), struct mm_rss_stat),
	"rss_stat is not a struct mm_rss_stat");' "$@"

wait

for f in "$tmp"/*.broken; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .broken)
	echo "mmap-test: probe $name failed without naming $(cat "$f"):" >&2
	head -n 40 "$tmp/$name.log" >&2
	die "conftest probe $name is broken on this kernel: fix the probe."
done

# one_of API NAME...: exactly one of the probes NAME... compiled.
one_of() {
	api=$1 n=0
	shift
	for name in "$@"; do
		grep -q '^#define' "$tmp/$name.h" && n=$((n + 1))
	done
	[ "$n" -eq 1 ] && return 0
	for name in "$@"; do
		echo "mmap-test: probe $name:" >&2
		head -n 20 "$tmp/$name.log" >&2
	done
	die "$n shapes of $api compile, expected exactly one ($*)."
}

one_of mm_get_unmapped_area MM_STRUCT_GET_UNMAPPED_AREA \
	MM_GET_UNMAPPED_AREA MM_GET_UNMAPPED_AREA_NO_MM
one_of 'vm_operations_struct.map_pages' MAP_PAGES_VM_FAULT_T MAP_PAGES_VOID
one_of 'mm_struct.rss_stat' RSS_PERCPU RSS_ATOMIC
one_of 'address_space_operations dirtying' AOPS_DIRTY_FOLIO AOPS_SET_PAGE_DIRTY
one_of 'address_space_operations migration' AOPS_MIGRATE_FOLIO AOPS_MIGRATEPAGE
one_of 'address_space_operations memory failure' AOPS_ERROR_REMOVE_FOLIO \
	AOPS_ERROR_REMOVE_PAGE

{
	echo "/* Generated by src/conftest.sh: do not edit. */"
	echo "/* key: $key */"
	cat "$tmp"/*.h
} > "$tmp/out"
mv "$tmp/out" "$out"
