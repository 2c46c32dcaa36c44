// SPDX-License-Identifier: GPL-2.0
/*
 * guard.c - touching a mapping without dying: a SIGSEGV or SIGBUS while
 * a guarded access runs becomes an error return (which signal, at which
 * address), so that a mapping past the device buffer or without the
 * access rights is reported, and a lab session goes on.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "test-mmap.h"

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;
volatile sig_atomic_t fault_sig;
void *volatile fault_addr;

static void fault_handler(int sig, siginfo_t *si, void *unused)
{
	if (!fault_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_sig = sig;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* memcpy() that returns -1 on a fault on either side (fault_sig, _addr). */
int guard_copy(void *dst, const void *src, size_t n)
{
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	memcpy(dst, src, n);
	fault_armed = 0;
	return 0;
}

/*
 * One read, or one write of a 0 byte; -1 on a fault.  A plain store: an
 * atomic read-modify-write that kept the byte would be a load-exclusive
 * and a store on arm64 without LSE (a read fault first, fault-around).
 */
int guard_touch(volatile unsigned char *p, int write)
{
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	if (write)
		*p = 0;
	else
		(void)*p;
	fault_armed = 0;
	return 0;
}

/* memcpy() that reports a fault on either side instead of dying. */
int guarded_copy(void *dst, const void *src, size_t n, const char *what)
{
	if (!guard_copy(dst, src, n))
		return 0;
	fprintf(stderr, "%s: %s at %p (%s)\n", what,
		fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV", fault_addr,
		fault_sig == SIGBUS ? "page outside the device buffer?" :
		"no access: prot or mapping gone?");
	return -1;
}
