// SPDX-License-Identifier: GPL-2.0
/*
 * tour-pages.c - tour steps about pages and faults: the four kinds of
 * mapping (what copy-on-write shows), POPULATE, fault-around, and a PMD
 * mapping with huge=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tour.h"

static int child_write(unsigned char *p, const char *msg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		strcpy((char *)p, msg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

static const char kid[] = "child write";

/*
 * ALLOC one device page at buffer page @pgoff, write @text through it,
 * pread() that buffer page into @buf (cut at 40 bytes).  The mapping is
 * in *@a, freed again on an error.  -1: stop.
 */
static int device_write_pread(struct tour *t, char *buf, __u64 pgoff,
			      __u32 flags, const char *what, const char *text,
			      struct mmap_test_alloc *a)
{
	unsigned long pg = t->c->page;
	int ret;

	ret = t_alloc(t, a, 0, 1, pgoff, PROT_READ | PROT_WRITE, flags);
	if (ret) {
		t_broken(t, what, -ret);
		return -1;
	}
	strcpy((char *)(uintptr_t)a->mapped, text);
	if (pread(t->c->fd, buf, pg, pgoff * pg) != (ssize_t)pg) {
		t_broken(t, "pread", errno);
		t_free(t, a->mapped, 1);
		return -1;
	}
	buf[40] = '\0';
	return 0;
}

/* Device private: a write goes to a copy-on-write page.  -1: stop. */
static int kinds_device_private(struct tour *t, char *buf)
{
	static const char priv[] = "private write";
	struct mmap_test_alloc a;

	if (device_write_pread(t, buf, 0, MMAP_TEST_PRIVATE,
			       "ALLOC device private", priv, &a))
		return -1;
	say("device PRIVATE: wrote \"%s\" through the mapping; pread() of the file still sees \"%s\": the write went to a private copy-on-write page.\n",
	    priv, buf);
	t_yes(t, "device_private_visible_to_pread", !strcmp(buf, priv));
	t_check(t, strcmp(buf, priv) &&
		!strcmp((char *)(uintptr_t)a.mapped, priv),
		"device private write invisible to pread()");
	t_free(t, a.mapped, 1);
	return 0;
}

/* Device shared (buffer page 1): the mapping is the buffer.  -1: stop. */
static int kinds_device_shared(struct tour *t, char *buf)
{
	static const char shrd[] = "shared write";
	struct mmap_test_alloc a;

	if (device_write_pread(t, buf, 1, MMAP_TEST_SHARED,
			       "ALLOC device shared", shrd, &a))
		return -1;
	say("device SHARED (buffer page 1): wrote \"%s\"; pread() sees \"%s\": the mapping is the driver's buffer page itself.\n",
	    shrd, buf);
	t_yes(t, "device_shared_visible_to_pread", !strcmp(buf, shrd));
	t_check(t, !strcmp(buf, shrd), "device shared write visible to pread()");
	t_free(t, a.mapped, 1);
	return 0;
}

/* Anon private: a forked child's write is its own copy.  -1: stop. */
static int kinds_anon_private(struct tour *t)
{
	struct mmap_test_alloc a;
	unsigned char *p;
	int ret;

	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC anon private", -ret);
		return -1;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, "parent");
	if (child_write(p, kid)) {
		t_broken(t, "fork/child", errno);
	} else {
		say("anon PRIVATE: a forked child wrote \"%s\"; the parent still sees \"%s\": fork() made the page copy-on-write.\n",
		    kid, p);
		t_yes(t, "anon_private_child_visible", !strcmp((char *)p, kid));
		t_check(t, !strcmp((char *)p, "parent"),
			"anon private: child's write invisible to the parent");
	}
	t_free(t, a.mapped, 1);
	return 0;
}

/* Anon shared (shmem): parent and child map the same page. */
static void kinds_anon_shared(struct tour *t)
{
	struct mmap_test_alloc a;
	unsigned char *p;
	int ret;

	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_SHARED | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC anon shared", -ret);
		return;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, "parent");
	if (child_write(p, kid)) {
		t_broken(t, "fork/child", errno);
	} else {
		say("anon SHARED (shmem, backing \"file\"): the child wrote \"%s\"; the parent sees \"%s\": both map the same page.\n",
		    kid, p);
		t_yes(t, "anon_shared_child_visible", !strcmp((char *)p, kid));
		t_check(t, !strcmp((char *)p, kid),
			"anon shared: child's write visible to the parent");
	}
	t_free(t, a.mapped, 1);
}

/* The four kinds of mapping, in this order; a failed ALLOC ends the step. */
void tour_kinds(struct tour *t)
{
	char *buf = malloc(t->c->page);

	if (!buf)
		t_broken(t, "malloc", ENOMEM);
	else if (!kinds_device_private(t, buf) &&
		 !kinds_device_shared(t, buf) && !kinds_anon_private(t))
		kinds_anon_shared(t);
	free(buf);
}

/* Read one byte of each of @pages pages. */
static void touch_pages(const unsigned char *p, unsigned long pages,
			unsigned long pg)
{
	unsigned long i;

	for (i = 0; i < pages; i++)
		(void)*(const volatile unsigned char *)(p + i * pg);
}

void tour_populate(struct tour *t)
{
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_alloc a;
	const unsigned long pages = 4;
	int ret;

	ret = mt_ioctl_stats(t->c->fd, &s0);
	if (!ret)
		ret = t_alloc(t, &a, 0, pages, 0, PROT_READ,
			      MMAP_TEST_PRIVATE | MMAP_TEST_POPULATE);
	if (!ret)
		ret = mt_ioctl_stats(t->c->fd, &s1);
	if (ret) {
		t_broken(t, "STATS/ALLOC with POPULATE", -ret);
		return;
	}
	touch_pages((unsigned char *)(uintptr_t)a.mapped, pages, t->c->page);
	ret = mt_ioctl_stats(t->c->fd, &s2);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		goto free;
	}
	say("ALLOC %lu private device pages with POPULATE: %llu faults during the ALLOC itself (vm_mmap() faulted the pages in); reading every page afterwards: %llu faults.\n",
	    pages, (unsigned long long)(s1.faults - s0.faults),
	    (unsigned long long)(s2.faults - s1.faults));
	t_num(t, "pages", pages);
	t_num(t, "faults_during_alloc", s1.faults - s0.faults);
	t_num(t, "faults_during_touch", s2.faults - s1.faults);
	t_check(t, s1.faults - s0.faults >= 1,
		"ALLOC with POPULATE served faults");
	t_check(t, s2.faults == s1.faults, "touch after POPULATE: 0 faults");
free:
	t_free(t, a.mapped, pages);
}

void tour_fault_around(struct tour *t)
{
	struct mmap_test_stats s0, s1;
	struct mmap_test_alloc a;
	unsigned long pages, window;
	__u64 faults, around;
	int ret;

	ret = mt_ioctl_stats(t->c->fd, &s0);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		return;
	}
	if (s0.buffer_pages < 32) {	/* before any number that means nothing */
		char why[128];

		snprintf(why, sizeof(why), "the device's buffer has %llu pages, too few to show fault-around: reload the module with buffer_pages=64 or more",
			 (unsigned long long)s0.buffer_pages);
		t_skip(t, why);
		return;
	}
	window = mt_mem_fault_around_bytes(NULL) / t->c->page;
	pages = s0.buffer_pages < 64 ? s0.buffer_pages : 64;
	ret = t_alloc(t, &a, 0, pages, 0, PROT_READ, MMAP_TEST_SHARED);
	if (!ret)
		ret = mt_ioctl_stats(t->c->fd, &s0);
	if (ret) {
		t_broken(t, "ALLOC/STATS", -ret);
		return;
	}
	touch_pages((unsigned char *)(uintptr_t)a.mapped, pages, t->c->page);
	ret = mt_ioctl_stats(t->c->fd, &s1);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		goto free;
	}
	faults = s1.faults - s0.faults;
	around = s1.pages_around - s0.pages_around;
	say("read one byte of each of %lu pages of a shared device mapping, in order: %llu faults for %lu pages (%.2f per page), %llu pages mapped by fault-around (->map_pages).\n",
	    pages, (unsigned long long)faults, pages,
	    pages ? (double)faults / pages : 0.0, (unsigned long long)around);
	t_num(t, "pages", pages);
	t_num(t, "faults", faults);
	t_num(t, "pages_around", around);
	t_num(t, "window_pages", window);
	if (window < 2) {
		say("  The fault-around window (fault_around_bytes, 64 KiB by default) is %lu page of %lu KiB here: the kernel does no fault-around (should_fault_around() wants 2 pages or more), so every page faults.\n",
		    window, t->c->page / 1024);
		t_check(t, around == 0 && faults == pages,
			"with a one-page window: no page mapped around (%llu) and a fault per page (%llu of %lu)",
			(unsigned long long)around,
			(unsigned long long)faults, pages);
		goto free;
	}
	say("  On a read fault of a shared file mapping the kernel asks ->map_pages to map the neighbouring pages too (fault_around_bytes, %lu pages here), so most pages never fault.\n",
	    window);
	t_check(t, around > 0 && faults < pages,
		"fault-around mapped pages (%llu) and faults < pages (%llu < %lu)",
		(unsigned long long)around, (unsigned long long)faults, pages);
free:
	t_free(t, a.mapped, pages);
}

/*
 * huge=1: one fault maps a whole PMD of the device (a PMD-size page-cache
 * folio, do_set_pmd()), where order-0 pages took one write fault per page
 * (write faults get no fault-around).  A fresh fd, so that no earlier
 * step's pages are in the way.  Skips unless the module was loaded with
 * huge=1 (refused at load by a kernel without large page-cache folios)
 * and a buffer of at least one PMD.
 */
void tour_huge(struct tour *t)
{
	unsigned long pg = t->c->page, pmd, n, i;
	unsigned long long pmd_size = 0;
	struct mmap_test_stats s0, s1;
	char v[32] = "", line[256];
	long kb = -1;
	unsigned char *p;
	bool in = false;
	FILE *f;
	int fd;

	if (mt_file_read_line(MT_PARAM_DIR "huge", v, sizeof(v)))
		v[0] = '\0';
	mt_file_read_ull("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
			 &pmd_size);
	pmd = pmd_size;
	n = pmd / pg;
	if (v[0] != 'Y' || !pmd) {
		if (pmd)
			snprintf(line, sizeof(line), "the module is not loaded with huge=1: reload it with huge=1 buffer_pages=%lu (rmmod mmap_test, then insmod or modprobe; a kernel without large page-cache folios refuses huge=1)",
				 3 * n);
		t_skip(t, pmd ? line : "no THP (no hpage_pmd_size)");
		return;
	}
	fd = open(t->c->o->device, O_RDWR | O_CLOEXEC);
	if (fd < 0 || mt_ioctl_stats(fd, &s0)) {
		t_broken(t, "open/GET_STATS", errno);
		goto close;
	}
	if (s0.buffer_pages < n) {
		snprintf(line, sizeof(line), "the buffer (%llu pages) is smaller than a PMD (%lu pages)",
			 (unsigned long long)s0.buffer_pages, n);
		t_skip(t, line);
		goto close;
	}
	p = mmap(NULL, pmd, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		t_broken(t, "mmap", errno);
		goto close;
	}
	for (i = 0; i < n; i++)
		p[i * pg] = 1;
	if (mt_ioctl_stats(fd, &s1)) {
		t_broken(t, "GET_STATS", errno);
		goto unmap;
	}
	/* smaps: FilePmdMapped of the block whose range starts at p */
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (uintptr_t)p;
		else if (in && sscanf(line, "FilePmdMapped: %ld", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	say("Writing each of the %lu pages of a %lu KiB shared mapping at %p (PMD-aligned by get_unmapped_area): %llu fault(s); smaps FilePmdMapped %ld kB. With order-0 pages the same writes take %lu faults, one per page.\n",
	    n, pmd >> 10, (void *)p, (unsigned long long)(s1.faults - s0.faults),
	    kb, n);
	t_num(t, "pages", n);
	t_num(t, "faults", s1.faults - s0.faults);
	t_num(t, "file_pmd_mapped_kb", kb);
	t_check(t, (uintptr_t)p % pmd == 0, "the mapping is PMD-aligned");
	t_check(t, s1.faults - s0.faults == 1, "one fault for %lu pages", n);
	t_check(t, kb == (long)(pmd >> 10), "FilePmdMapped: the whole mapping");
unmap:
	munmap(p, pmd);
close:
	if (fd >= 0)
		close(fd);
}
