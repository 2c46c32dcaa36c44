// SPDX-License-Identifier: GPL-2.0
/*
 * lib-check.c - self-check of libmmap-test: the parts whose output
 * other programs' output depends on (the JSON writer's bytes, the RNG
 * sequences that make seeds reproducible) and the parts that parse or
 * probe this machine (maps, TASK_SIZE, guarded accesses, small files),
 * with values that need all 64 bits.  Needs no module.
 *
 *   make -C test lib-check	(builds $(OUT)/.obj/lib/lib-check and runs it
 *				on the build host)
 *
 * Prints one line per failed check and "lib-check: PASS" or
 * "lib-check: FAIL (<n> checks)"; exit status 0 or 1.  The same checks
 * run on every kernel of make check, big-endian s390x included, as the
 * kselftest program mmap-test-lib (../../selftests/lib.c), which includes
 * this file with LIB_CHECK_PREFIX "# " (its lines are KTAP diagnostics)
 * and LIB_CHECK_NO_MAIN.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mt.h"

#ifndef LIB_CHECK_PREFIX
#define LIB_CHECK_PREFIX ""
#endif

static int failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		failed++;						\
		printf(LIB_CHECK_PREFIX "lib-check: %s:%d: %s\n",	\
		       __func__, __LINE__, #cond);			\
	}								\
} while (0)

/* Whether @fn writes exactly @want with a writer of @style. */
static bool json_is(void (*fn)(struct mt_json *w), enum mt_json_style style,
		    const char *want)
{
	struct mt_json w;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool same;

	if (!f)
		exit(1);
	mt_json_init(&w, f, style);
	fn(&w);
	fclose(f);
	same = !strcmp(text, want);
	free(text);
	return same;
}

/* test-mmap's shape: one compact object per line, nested, an array. */
static void json_compact(struct mt_json *w)
{
	int i;

	mt_json_begin_object(w, NULL);
	mt_json_str(w, "s", "a\"b\\c\n\x01");
	mt_json_str(w, "none", NULL);
	mt_json_begin_object(w, "r");
	mt_json_hex(w, "addr", 0x1000);
	mt_json_hex(w, "end", 0xfffffffffffff000ULL);
	mt_json_bool(w, "found", false);
	mt_json_end_object(w);
	mt_json_uint(w, "n", 18446744073709551615ULL);
	mt_json_int(w, "min", -9223372036854775807LL - 1);
	mt_json_raw(w, "k", "%lld", -3LL);
	mt_json_end_object(w);
	mt_json_newline(w);
	mt_json_begin_object(w, NULL);
	mt_json_begin_array(w, "vmas");
	for (i = 0; i < 2; i++) {
		mt_json_begin_object(w, NULL);
		mt_json_int(w, "i", i);
		mt_json_end_object(w);
	}
	mt_json_end_array(w);
	mt_json_end_object(w);
	mt_json_newline(w);
}

/* The benchmark's shape: indented file, one-line records, empty array. */
static void json_lines(struct mt_json *w)
{
	mt_json_begin_object(w, NULL);
	mt_json_str(w, "tool", "t");
	mt_json_begin_object(w, "env");
	mt_json_double(w, "ns", 23.456, 1);
	mt_json_end_object(w);
	mt_json_begin_array(w, "figures");
	mt_json_set_style(w, MT_JSON_SPACED);
	mt_json_begin_object(w, NULL);
	mt_json_null(w, "median");
	mt_json_begin_array(w, "values");
	mt_json_double(w, NULL, 1, 3);
	mt_json_double(w, NULL, 2.5, 3);
	mt_json_end_array(w);
	mt_json_end_object(w);
	mt_json_end_array(w);
	mt_json_set_style(w, MT_JSON_LINES);
	mt_json_begin_array(w, "goals");
	mt_json_end_array(w);
	mt_json_end_object(w);
	mt_json_newline(w);
}

static void check_json(void)
{
	CHECK(json_is(json_compact, MT_JSON_COMPACT,
		      "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\",\"none\":null,"
		      "\"r\":{\"addr\":\"0x1000\","
		      "\"end\":\"0xfffffffffffff000\",\"found\":false},"
		      "\"n\":18446744073709551615,"
		      "\"min\":-9223372036854775808,\"k\":-3}\n"
		      "{\"vmas\":[{\"i\":0},{\"i\":1}]}\n"));
	CHECK(json_is(json_lines, MT_JSON_LINES,
		      "{\n  \"tool\": \"t\",\n  \"env\": {\n"
		      "    \"ns\": 23.5\n  },\n  \"figures\": [\n"
		      "    {\"median\": null, \"values\": [1.000, 2.500]}\n"
		      "  ],\n  \"goals\": [\n  ]\n}\n"));
}

/* Values the fuzzer's and the benchmark's own generators produced. */
static void check_rng(void)
{
	uint64_t sm = 1, x = 0x2545f4914f6cdd1dULL;
	struct mt_rng a, b;

	mt_rng_seed(&a, &sm);
	mt_rng_seed(&b, &sm);
	CHECK(mt_rng_next(&a) == 0xb3f2af6d0fc710c5ULL);
	CHECK(mt_rng_next(&a) == 0x853b559647364ceaULL);
	CHECK(mt_rng_next(&b) == 0x458df629d8b843a8ULL);
	CHECK(mt_rng_xorshift64(&x) == 0x7f6c280beaa8e3e7ULL);
	CHECK(mt_rng_xorshift64(&x) == 0xe47119871cf9abe0ULL);
	CHECK(mt_rng_below(&a, 0) == 0);
	CHECK(mt_rng_below(&a, 1) == 0);
}

static void check_maps(void)
{
	static struct mt_maps_entry tab[1024];
	struct mt_maps_entry e;
	int n, i;

	CHECK(!mt_maps_parse_line("7f00-7f10 rw-p 00000000 00:00 0", &e));
	CHECK(e.start == 0x7f00 && e.end == 0x7f10 && !e.path[0]);
	CHECK(!mt_maps_parse_line("1000-3000 r-xs 00002000 fd:01 42    "
				  "/dev/mmap-test (deleted) ", &e));
	CHECK(!strcmp(e.path, "/dev/mmap-test (deleted)"));
	CHECK(e.offset == 0x2000 && e.dev_major == 0xfd && e.inode == 42);
	CHECK(mt_maps_parse_line("not a maps line", &e) == -EINVAL);
	/* every field past 32 bits: s390x's addresses, x86's vsyscall page */
	CHECK(!mt_maps_parse_line("3ffd1200000-3ffd1221000 rw-s 1234500000 "
				  "fd:01 4294967338 /x", &e));
	CHECK(e.start == 0x3ffd1200000UL && e.end == 0x3ffd1221000UL);
	CHECK(e.offset == 0x1234500000UL && e.inode == 4294967338UL);
	CHECK(!mt_maps_parse_line("ffffffffff600000-ffffffffff601000 --xp "
				  "00000000 00:00 0 [vsyscall]", &e));
	CHECK(e.start == 0xffffffffff600000UL &&
	      e.end == 0xffffffffff601000UL && !strcmp(e.path, "[vsyscall]"));

	n = mt_maps_read(0, tab, MT_ARRAY_SIZE(tab), MT_MAPS_VMAS_ONLY);
	CHECK(n > 0 && n < (int)MT_ARRAY_SIZE(tab));
	i = mt_maps_find_path(tab, n, "[stack]");
	CHECK(i >= 0);
	CHECK(mt_maps_lookup(tab, n, (unsigned long)&e) == i);
	CHECK(mt_maps_backing(&tab[i]) == MMAP_TEST_BACKING_SPECIAL);
	CHECK(mt_maps_find_vma(tab, n, 0) == 0);
	CHECK(mt_maps_lookup(tab, n, 0) == -1);
	CHECK(mt_maps_find_vma(tab, n, ~0UL) == -1);
	CHECK(mt_maps_find_path(tab, n, "[vsyscall]") == -1);
	CHECK(mt_maps_read(0, tab, 2, 0) == 2);
}

static void check_guard(void)
{
	unsigned long page = mt_mem_page_size();
	char buf[8] = "ab", c = 0;
	struct mt_fault f;
	char *ro;

	CHECK(!mt_mem_touch(buf, MT_ACCESS_READ, 0, &c, &f) && c == 'a');
	CHECK(!f.sig);
	CHECK(!mt_mem_touch(buf, MT_ACCESS_INC, 0, NULL, NULL));
	CHECK(buf[0] == 'b');
	CHECK(!mt_mem_touch(buf, MT_ACCESS_WRITE, 'z', NULL, NULL));
	CHECK(buf[0] == 'z');
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK(mt_mem_touch(ro, MT_ACCESS_WRITE, 1, NULL, &f) == SIGSEGV);
	CHECK(f.sig == SIGSEGV && f.addr == ro);
	CHECK(mt_mem_copy(ro, buf, 2, NULL) == SIGSEGV);
	CHECK(!mt_mem_copy(buf, ro, 2, &f) && !buf[0] && !f.sig);
	CHECK(mt_mem_map_noreplace(ro, page, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED && errno == EEXIST);
	munmap(ro, page);
}

static void check_mem(void)
{
	unsigned long page = mt_mem_page_size(), ts;
	bool exact = false;
	void *h;

	CHECK(page == (unsigned long)sysconf(_SC_PAGESIZE));
	CHECK(1UL << mt_mem_page_shift() == page);
	CHECK(mt_mem_page_align(1) == page && mt_mem_page_align(0) == 0);
	CHECK(mt_mem_page_align(page) == page);
	ts = mt_mem_task_size(&exact);
	CHECK(exact && ts > (unsigned long)&exact);
	CHECK(mt_mem_map_noreplace((void *)ts, page, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED && errno == ENOMEM);
	h = mt_mem_find_hole(2 * page);
	CHECK(h);
	CHECK(mt_mem_map_noreplace(h, 2 * page, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == h);
	munmap(h, 2 * page);
	check_guard();
}

static void check_file(void)
{
	char path[] = "/tmp/lib-check-XXXXXX", buf[16] = "keep";
	unsigned long long u = 1;
	long long l = 1;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(mt_file_read_line(path, buf, sizeof(buf)) == -ENODATA);
	CHECK(!strcmp(buf, "keep"));
	CHECK(!mt_file_write_str(path, " -12\nrest\n"));
	CHECK(!mt_file_read_line(path, buf, sizeof(buf)));
	CHECK(!strcmp(buf, " -12"));
	CHECK(!mt_file_read_line(path, buf, 3) && !strcmp(buf, " -"));
	CHECK(!mt_file_read_ll(path, &l) && l == -12);
	CHECK(!mt_file_read_ull(path, &u));
	CHECK(mt_file_read_bool(path) == -EINVAL);
	CHECK(!mt_file_write_str(path, "Y\n") && mt_file_read_bool(path) == 1);
	unlink(path);
	CHECK(mt_file_read_ull(path, &u) == -ENOENT && errno == ENOENT);
	CHECK(mt_file_write_str(path, "x") == -ENOENT);
	if (fd >= 0)
		close(fd);
}

static void check_names(void)
{
	char buf[64];

	CHECK(!strcmp(mt_errno_name(-EEXIST), "EEXIST"));
	CHECK(!strcmp(mt_errno_name(4095), "E4095"));
	mt_format_flags(MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE | 0x40,
			buf, sizeof(buf));
	CHECK(!strcmp(buf, "shared|fixed-noreplace|0x40"));
	mt_format_vma_flags(MMAP_TEST_VMA_READ | MMAP_TEST_VMA_MAYSHARE |
			    (1ULL << 40), buf, sizeof(buf));
	CHECK(!strcmp(buf, "rd ms 0x10000000000"));
	mt_format_prot(PROT_READ | PROT_EXEC, buf, sizeof(buf));
	CHECK(!strcmp(buf, "r-x"));
}

/* Runs every check; returns the number that failed. */
static int lib_check(void)
{
	failed = 0;
	check_json();
	check_rng();
	check_maps();
	check_mem();
	check_file();
	check_names();
	if (failed)
		printf(LIB_CHECK_PREFIX "lib-check: FAIL (%d checks)\n", failed);
	else
		printf(LIB_CHECK_PREFIX "lib-check: PASS\n");
	fflush(stdout);	/* the harness's child ends with _exit() */
	return failed;
}

#ifndef LIB_CHECK_NO_MAIN
int main(void)
{
	return lib_check() ? 1 : 0;
}
#endif
