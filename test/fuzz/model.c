// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - how mmap-test-fuzz judges a result.
 *
 * Every result is checked twice: against the per-command errno set of the
 * contract (else "unexpected") and against the outcomes the caller
 * predicted for that very request (else "mismatch"); both fail the run.
 * The ALLOC model (which outcomes vm_mmap() may give) is in alloc.c next
 * to its generators.  Reports of find_vma() are checked for consistency
 * here too.  Failures are counted always and printed, to stderr, for the
 * first MAX_PRINTS of the run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

const char * const cmd_names[NCMD] = {
	"ALLOC", "FREE", "QUERY", "GET_STATS", "RAW"
};

/* Failure reports: counted always, printed for the first MAX_PRINTS. */
void __attribute__((format(printf, 3, 4)))
report_failure(struct thr *t, unsigned long *counter, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	(*counter)++;
	if (atomic_fetch_add(&gs->nprinted, 1) >= MAX_PRINTS)
		return;
	n = snprintf(buf, sizeof(buf), "fuzz: [t%d] ", t ? t->id : -1);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		return;
}

/* The outcome class (O_*) of errno @err (0: success). */
unsigned int outcome(int err)
{
	switch (err) {
	case 0:		return O_OK;
	case EINVAL:	return O_EINVAL;
	case EFAULT:	return O_EFAULT;
	case ENOTTY:	return O_ENOTTY;
	case EEXIST:	return O_EEXIST;
	case ENOMEM:	return O_ENOMEM;
	case EACCES:	return O_EACCES;
	case EOVERFLOW:	return O_EOVERFLOW;
	case EPERM:	return O_EPERM;
	}
	return O_OTHER;
}

/* An "allowed" mask as "OK|EINVAL|EFAULT". */
static void format_mask(unsigned int m, char *buf, size_t n)
{
	static const int errs[NOUT] = {
		0, EINVAL, EFAULT, ENOTTY, EEXIST, ENOMEM, EACCES, EOVERFLOW,
		EPERM, 0
	};
	unsigned int o;

	buf[0] = '\0';
	for (o = 0; o < NOUT; o++) {
		if (!(m & B(o)))
			continue;
		mt_append(buf, n, o == O_OK ? "OK" :
			  o == O_OTHER ? "other" : mt_errno_name(errs[o]));
	}
}

/* One ioctl through the device (or its emulation), timed and counted. */
int issue(struct thr *t, int c, const struct fdinfo *fi, unsigned int cmd,
	  unsigned long arg)
{
	double t0 = mt_time_now();
	int r = dev_ioctl(fi->fd, cmd, arg);

	t->cmd_time[c] += mt_time_now() - t0;
	t->hist[c][-r < 256 ? -r : 255]++;
	t->calls++;
	return r;
}

/* The errnos the contract allows a command at all. */
static unsigned int contract_set(int c)
{
	switch (c) {
	case C_ALLOC:
		/* EPERM: PROT_EXEC on noexec /dev, or MAP_FIXED at -1 */
		return A_OK | A_EINVAL | A_EFAULT | A_EOVERFLOW | A_ENOMEM |
			A_EEXIST | A_EACCES | A_EPERM;
	case C_FREE:
	case C_QUERY:
		return A_OK | A_EINVAL | A_EFAULT;
	case C_STATS:
		return A_OK | A_EFAULT;
	}
	return A_ENOTTY;
}

/* False (and reported) when @r is not allowed. */
bool judge(struct thr *t, int c, int r, unsigned int allowed,
	   const struct fdinfo *fi, int pk, const char *desc)
{
	unsigned int o = B(outcome(-r));
	char m[128];

	if (!(o & contract_set(c))) {
		format_mask(contract_set(c), m, sizeof(m));
		report_failure(t, &t->unexpected,
		       "unexpected: %s -> %s (contract: %s) fd%d%s arg=%s %s",
		       cmd_names[c], mt_errno_name(-r), m, fi->index,
		       fi->rdonly ? "(ro)" : "", pk_names[pk], desc);
		return false;
	}
	if (!(o & allowed)) {
		format_mask(allowed, m, sizeof(m));
		report_failure(t, &t->mismatch,
		       "mismatch: %s -> %s (expected %s) fd%d%s arg=%s %s",
		       cmd_names[c], mt_errno_name(-r), m, fi->index,
		       fi->rdonly ? "(ro)" : "", pk_names[pk], desc);
		return false;
	}
	return true;
}

/* Consistency of a find_vma() report for @addr. */
bool check_report(struct thr *t, const struct mmap_test_vma_report *r,
		  unsigned long addr, const char *what)
{
	const char *why = NULL;

	if (r->addr != addr)
		why = "addr differs from the address looked up";
	else if (!r->found && (r->vm_start || r->vm_end || r->gap ||
			       r->contains || r->flags || r->vm_pgoff ||
			       r->backing != MMAP_TEST_BACKING_NONE))
		why = "found=0 with nonzero fields";
	else if (r->found && (r->vm_start >= r->vm_end || r->vm_end <= addr))
		why = "found VMA does not end above addr";
	else if (r->found && r->contains != (r->vm_start <= addr))
		why = "contains inconsistent with vm_start";
	else if (r->found && r->gap != (r->vm_start > addr ?
					r->vm_start - addr : 0))
		why = "gap != vm_start - addr";
	else if (r->found && (r->backing < MMAP_TEST_BACKING_DEVICE ||
			      r->backing > MMAP_TEST_BACKING_SPECIAL))
		why = "backing out of range";
	else if (addr >= task_size && r->found)
		why = "found a VMA at or above TASK_SIZE";
	else if (r->found && (r->vm_start & (ps - 1) || r->vm_end & (ps - 1)))
		why = "unaligned VMA bounds";
	else if (r->found && r->vm_end > task_size)
		why = "VMA ends above TASK_SIZE";
	if (!why)
		return true;
	report_failure(t, &t->mismatch,
	       "mismatch: %s report for %#lx: %s: found=%u contains=%u [%#llx,%#llx) gap=%#llx backing=%u flags=%#llx",
	       what, addr, why, r->found, r->contains,
	       (unsigned long long)r->vm_start, (unsigned long long)r->vm_end,
	       (unsigned long long)r->gap, r->backing,
	       (unsigned long long)r->flags);
	return false;
}

/* The backing a QUERY must report inside tracked mapping @e. */
unsigned int expected_backing(const struct entry *e)
{
	if (!e->anon)
		return MMAP_TEST_BACKING_DEVICE;
	return e->shared ? MMAP_TEST_BACKING_FILE : MMAP_TEST_BACKING_ANON;
}
