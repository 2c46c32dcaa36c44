// SPDX-License-Identifier: GPL-2.0
/*
 * tour-vma.c - tour steps about VMAs and addresses: find_vma() on a gap,
 * a hint honoured or moved, MAP_FIXED vs MAP_FIXED_NOREPLACE, two
 * mappings merging, a partial FREE splitting a device VMA.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "tour.h"

void tour_find_vma(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_vma_report g, in;
	unsigned char *p;
	__u64 hole;
	int ret;

	p = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		t_broken(t, "mmap of 3 PROT_NONE pages", errno);
		return;
	}
	munmap(p + pg, pg);
	hole = (uintptr_t)(p + pg);
	say("mmap() gave 3 PROT_NONE pages at 0x%llx; munmap() of the middle one leaves a 1-page hole at 0x%llx.\n",
	    (unsigned long long)(uintptr_t)p, (unsigned long long)hole);
	ret = mt_ioctl_query(t->c->fd, hole, &g);
	if (!ret)
		ret = mt_ioctl_query(t->c->fd, (uintptr_t)p, &in);
	if (ret) {
		t_broken(t, "QUERY_VMA", -ret);
		goto unmap;
	}
	say("QUERY of the hole: find_vma() returned [0x%llx,0x%llx): found %s, contains %s, gap 0x%llx (%llu page).\n",
	    (unsigned long long)g.vm_start, (unsigned long long)g.vm_end,
	    g.found ? "yes" : "no", g.contains ? "yes" : "no",
	    (unsigned long long)g.gap, (unsigned long long)(g.gap / pg));
	say("  find_vma() returns the first VMA that ends above the address, so it 'found' the VMA above the hole although the address itself is not mapped: a non-NULL find_vma() does not mean the address is inside it.\n");
	say("QUERY of the first page: [0x%llx,0x%llx) contains %s: the address is inside that VMA.\n",
	    (unsigned long long)in.vm_start, (unsigned long long)in.vm_end,
	    in.contains ? "yes" : "no");
	t_hex(t, "hole", hole);
	t_yes(t, "gap_found", g.found);
	t_yes(t, "gap_contains", g.contains);
	t_num(t, "gap_pages", g.gap / pg);
	t_yes(t, "inside_contains", in.contains);
	t_check(t, g.found && !g.contains && g.gap == pg &&
		g.vm_start == hole + pg,
		"hole: found yes, contains no, gap 1 page, VMA above starts at 0x%llx",
		(unsigned long long)(hole + pg));
	t_check(t, in.found && in.contains, "first page: contains yes");
unmap:
	munmap(p, pg);
	munmap(p + 2 * pg, pg);
}

void tour_hint(struct tour *t)
{
	struct mmap_test_alloc a1, a2;
	__u64 hint;
	int r1, r2;

	hint = (uintptr_t)mt_mem_find_hole(t->c->page);
	if (!hint) {
		t_broken(t, "finding a free page", errno);
		return;
	}
	r1 = t_alloc(t, &a1, hint, 1, 0, PROT_READ,
		     MMAP_TEST_SHARED);
	if (r1) {
		t_broken(t, "ALLOC_VMA at a free hint", -r1);
		return;
	}
	say("ALLOC 1 device page with hint 0x%llx (no FIXED flag): before it, find_vma(hint) contains %s, so the range was free; mapped at 0x%llx.\n",
	    (unsigned long long)hint, a1.before.contains ? "yes" : "no",
	    (unsigned long long)a1.mapped);
	r2 = t_alloc(t, &a2, hint, 1, 0, PROT_READ, MMAP_TEST_SHARED);
	if (r2) {
		t_broken(t, "ALLOC_VMA at an occupied hint", -r2);
		t_free(t, a1.mapped, 1);
		return;
	}
	say("ALLOC again with the same hint: find_vma(hint) now contains %s ([0x%llx,0x%llx)), so the kernel treated the hint as a suggestion only and mapped at 0x%llx instead.\n",
	    a2.before.contains ? "yes" : "no",
	    (unsigned long long)a2.before.vm_start,
	    (unsigned long long)a2.before.vm_end,
	    (unsigned long long)a2.mapped);
	t_hex(t, "hint", hint);
	t_hex(t, "first_mapped", a1.mapped);
	t_hex(t, "second_mapped", a2.mapped);
	t_check(t, a1.mapped == hint && !a1.before.contains,
		"free hint honoured: mapped == hint");
	t_check(t, a2.mapped != hint && a2.before.contains,
		"occupied hint: moved elsewhere, before report contains yes");
	t_free(t, a1.mapped, 1);
	t_free(t, a2.mapped, 1);
}

void tour_fixed(struct tour *t)
{
	static const char old[] = "old contents";
	struct mmap_test_alloc a, nr, fx;
	unsigned char *p;
	char now[sizeof(old)];
	int ret;

	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA of an anon page", -ret);
		return;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	memcpy(p, old, sizeof(old));
	say("ALLOC 1 anon page at 0x%llx and write \"%s\" into it.\n",
	    (unsigned long long)a.mapped, old);
	ret = t_alloc(t, &nr, a.mapped, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	say("FIXED_NOREPLACE over it: %s%s; the before report shows the overlapping VMA [0x%llx,0x%llx) (contains %s), which the kernel refused to replace.\n",
	    ret ? "failed with " : "succeeded",
	    ret ? mt_errno_name(ret) : "",
	    (unsigned long long)nr.before.vm_start,
	    (unsigned long long)nr.before.vm_end,
	    nr.before.contains ? "yes" : "no");
	t_key(t, "noreplace_errno", "\"%s\"", mt_errno_name(ret));
	t_hex(t, "overlap_start", nr.before.vm_start);
	t_hex(t, "overlap_end", nr.before.vm_end);
	t_check(t, ret == -EEXIST && nr.before.contains &&
		nr.before.vm_start <= a.mapped &&
		a.mapped < nr.before.vm_end,
		"NOREPLACE over an occupied range: EEXIST, before shows the VMA");
	if (!ret)
		goto free;
	ret = t_alloc(t, &fx, a.mapped, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED);
	if (ret) {
		t_broken(t, "ALLOC_VMA FIXED", -ret);
		goto free;
	}
	memcpy(now, p, sizeof(now));
	say("FIXED at the same address: mapped at 0x%llx; the old page was unmapped and replaced, the first byte is now 0x%02x (a fresh zero page, \"%s\" is gone).\n",
	    (unsigned long long)fx.mapped, (unsigned char)now[0], old);
	t_hex(t, "fixed_mapped", fx.mapped);
	t_num(t, "first_byte_after", (unsigned char)now[0]);
	t_check(t, fx.mapped == a.mapped && fx.before.contains &&
		memcmp(now, old, sizeof(old)) && !now[0],
		"FIXED over it: replaced at the same address, old contents gone");
free:
	t_free(t, a.mapped, 1);
}

void tour_merge(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_vma_report r0, r;
	struct mmap_test_alloc a1, a2;
	__u64 base;
	int ret;

	base = (uintptr_t)mt_mem_find_hole(4 * pg);
	if (!base) {
		t_broken(t, "finding 4 free pages", errno);
		return;
	}
	ret = mt_ioctl_query(t->c->fd, base, &r0);
	if (!ret)
		ret = t_alloc(t, &a1, base + pg, 1, 0, PROT_READ | PROT_WRITE,
			      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
			      MMAP_TEST_FIXED_NOREPLACE);
	if (ret) {
		t_broken(t, "QUERY/ALLOC of the first page", -ret);
		return;
	}
	ret = t_alloc(t, &a2, base + 2 * pg, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	if (ret) {
		t_broken(t, "ALLOC of the adjacent page", -ret);
		goto free;
	}
	ret = mt_ioctl_query(t->c->fd, base + pg, &r);
	if (ret) {
		t_broken(t, "QUERY_VMA", -ret);
		goto free;
	}
	say("nr_vmas was %u; ALLOC 1 anon page at 0x%llx (free on both sides): nr_vmas %u; ALLOC the next page at 0x%llx: nr_vmas %u.\n",
	    r0.nr_vmas, (unsigned long long)(base + pg), a2.before.nr_vmas,
	    (unsigned long long)(base + 2 * pg), r.nr_vmas);
	say("  The second mapping has the same flags and touches the first, so vm_mmap() extended the existing VMA instead of adding one: QUERY shows one VMA [0x%llx,0x%llx).\n",
	    (unsigned long long)r.vm_start, (unsigned long long)r.vm_end);
	t_num(t, "nr_vmas_before", r0.nr_vmas);
	t_num(t, "nr_vmas_after_first", a2.before.nr_vmas);
	t_num(t, "nr_vmas_after", r.nr_vmas);
	t_num(t, "merged_pages", (r.vm_end - r.vm_start) / pg);
	t_check(t, r.nr_vmas == r0.nr_vmas + 1,
		"two mappings, nr_vmas +1 not +2 (%u -> %u)", r0.nr_vmas,
		r.nr_vmas);
	t_check(t, r.contains && r.vm_start == base + pg &&
		r.vm_end == base + 3 * pg, "one VMA covers both pages");
free:
	t_free(t, base + pg, 2);
}

void tour_split(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	struct mmap_test_alloc a;
	long long opens, closes, live;
	int ret;

	ret = mt_ioctl_stats(t->c->fd, &s0);
	if (!ret)
		ret = t_alloc(t, &a, 0, 3, 0, PROT_READ | PROT_WRITE,
			      MMAP_TEST_SHARED);
	if (ret) {
		t_broken(t, "STATS/ALLOC of 3 device pages", -ret);
		return;
	}
	ret = mt_ioctl_stats(t->c->fd, &s1);
	if (!ret)
		ret = t_free(t, a.mapped + pg, 1);
	if (!ret)
		ret = mt_ioctl_stats(t->c->fd, &s2);
	if (!ret)
		ret = mt_ioctl_query(t->c->fd, a.mapped + pg, &r);
	if (ret) {
		t_broken(t, "STATS/FREE/QUERY", -ret);
		goto free;
	}
	opens = s2.vma_opens - s1.vma_opens;
	closes = s2.vma_closes - s1.vma_closes;
	live = s2.live_vmas - s1.live_vmas;
	say("ALLOC 3 device pages at 0x%llx: live_vmas %llu -> %llu (the driver counted one new VMA: in ->mmap, or in ->mapped with mmap_hook=prepare).\n",
	    (unsigned long long)a.mapped, (unsigned long long)s0.live_vmas,
	    (unsigned long long)s1.live_vmas);
	say("FREE the middle page: vma_opens +%lld, vma_closes +%lld, live_vmas %llu -> %llu.\n",
	    opens, closes, (unsigned long long)s1.live_vmas,
	    (unsigned long long)s2.live_vmas);
	say("  Unmapping the middle splits the VMA; each piece split off is a new VMA, announced to the driver by ->open; the unmapped middle gets ->close. Two pieces stay: live +1.\n");
	t_num(t, "vma_opens_delta", opens);
	t_num(t, "vma_closes_delta", closes);
	t_num(t, "live_vmas_before", s1.live_vmas);
	t_num(t, "live_vmas_after", s2.live_vmas);
	t_check(t, s1.live_vmas == s0.live_vmas + 1, "ALLOC: live_vmas +1");
	t_check(t, opens >= 1 && live == 1 && opens - closes == live,
		"partial FREE: ->open called (%lld), live_vmas +1", opens);
	t_check(t, !r.contains, "the middle page is gone");
free:
	t_free(t, a.mapped, 3);
}
