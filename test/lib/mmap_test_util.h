/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_test_util.h - compatibility include for programs that do not
 * include the library's own headers yet: the whole library (mt.h) plus
 * the system headers that those programs expect from it.  New code
 * includes mt.h or the mt_*.h headers it needs.
 */
#ifndef MMAP_TEST_UTIL_H
#define MMAP_TEST_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/mmap_test.h>

#include "mt.h"

#endif /* MMAP_TEST_UTIL_H */
