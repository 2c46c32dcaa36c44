/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt.h - the whole mmap-test helper library (libmmap-test.a) in one
 * include, for programs that use most of it.  Each header lists its
 * functions at the top:
 *
 *   mt_file.h	procfs/sysfs files in one call, /dev/kmsg records
 *   mt_ioctl.h	the device and its ioctls, 0 / -errno
 *   mt_maps.h	/proc/<pid>/maps entries, find_vma() by hand
 *   mt_mem.h	page size, TASK_SIZE, MAP_FIXED_NOREPLACE, guarded accesses
 *   mt_names.h	errno, backing, flag and prot names; the find_vma() verdict
 *   mt_record.h	the guided fuzzer's input format and its recorder
 *   mt_rng.h	reproducible random numbers (xoshiro256**, xorshift64)
 *   mt_time.h	the monotonic clock
 *   mt_json.h	the streaming JSON writer
 */
#ifndef MT_H
#define MT_H

#include "mt_file.h"
#include "mt_ioctl.h"
#include "mt_json.h"
#include "mt_maps.h"
#include "mt_mem.h"
#include "mt_names.h"
#include "mt_record.h"
#include "mt_rng.h"
#include "mt_time.h"

#endif /* MT_H */
