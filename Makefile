# SPDX-License-Identifier: GPL-2.0
#
# mmap-test: see README.md.  `make help` lists the commands and the
# variables each one reads.

KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH ?=
CROSS_COMPILE ?=
KBUILD_ARGS := $(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

.PHONY: all modules tools demo check targets results bench shell lint install dkms-install \
	kselftest-install deb clean help

# A variable meant for another command is an error, not silently ignored:
# make check runs a list of rows (TARGETS), the others one target (TARGET).
# Both given (a CI job that sets TARGET for itself) is no mistake.
ifneq ($(filter check,$(MAKECMDGOALS)),)
ifneq ($(TARGET),)
ifeq ($(TARGETS),)
$(error make check takes TARGETS="..." (a list of targets), not TARGET=$(TARGET)$(if $(filter environment,$(origin TARGET)), (from the environment)))
endif
endif
endif
ONE_TARGET_GOALS := $(filter demo shell bench,$(MAKECMDGOALS))
ifneq ($(ONE_TARGET_GOALS),)
ifneq ($(TARGETS),)
ifeq ($(TARGET),)
$(error make $(firstword $(ONE_TARGET_GOALS)) takes TARGET=<one target>, not TARGETS=$(TARGETS)$(if $(filter environment,$(origin TARGETS)), (from the environment)))
endif
endif
endif

all: modules tools

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "No kernel headers at KDIR=$(KDIR)." >&2; \
		echo "Install them (Debian: apt install linux-headers-$$(uname -r))," >&2; \
		echo "or pass KDIR=<kernel build dir>." >&2; \
		echo "Without headers or module support (as on this project's hosts), 'make demo' builds and runs everything in a VM." >&2; \
		exit 1; \
	fi
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_ARGS) modules

tools:
	$(MAKE) -C test OUT="$(CURDIR)" CROSS_COMPILE=$(CROSS_COMPILE) tools

demo:
	scripts/demo.sh

check:
	scripts/check.sh

targets:
	@scripts/check.sh --list

results:
	@EXPECT="$(EXPECT)" scripts/check.sh --merge $(RESULTS)

bench:
	scripts/bench.sh

shell:
	scripts/shell.sh

lint:
	scripts/host-checks/lint.sh

PREFIX ?= /usr/local
DESTDIR ?=

install: all
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_ARGS) CONFIG_MODULE_SIG_ALL= \
		modules_install
	install -D -m 0644 include/uapi/linux/mmap_test.h \
		"$(DESTDIR)$(PREFIX)/include/linux/mmap_test.h"
	install -D -m 0755 test-mmap "$(DESTDIR)$(PREFIX)/bin/test-mmap"

dkms-install:
	scripts/dkms.sh install $(DKMS_ARGS)

deb:
	scripts/deb.sh

kselftest-install:
	@test -n "$(INSTALL_PATH)" || { echo "make kselftest-install needs INSTALL_PATH=DIR" >&2; exit 2; }
	scripts/kselftest-install.sh $(if $(KSFT_SRC),--kernel-source "$(KSFT_SRC)") \
		$(if $(TARGET),--target "$(TARGET)") "$(INSTALL_PATH)"

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	@$(MAKE) --no-print-directory -C test OUT="$(CURDIR)" clean
	@echo "  CLEAN   build/ (the VM logs, build/results/, bench.json, the coverage of the runs), generated/"
	@echo "          (the kernels, roots and images in ~/.cache/mmap-test stay; rm -rf it to start over)"
	@rm -rf build generated

help:
	@echo 'mmap-test: the module and its userspace tools; README.md says more.'
	@echo ''
	@echo 'The two commands:'
	@echo '  make demo      the whole reference run in a VM, setup included'
	@echo '                 TARGET=<target> (default: make targets marks it)'
	@echo '  make check     the test suite in VMs; its last line is "N passed, N failed"'
	@echo '                 TARGETS="<target> ..." rows to run (default all; a list runs'
	@echo '                   no host check unless HOST_CHECKS names some)'
	@echo '                 HOST_CHECKS="lint packaging kselftest shell-<target> fresh"'
	@echo '                 MODULE_PARAMS, FUZZ_CALLS, FUZZ_SECONDS, FUZZ_GUIDED_SECONDS,'
	@echo '                 STRESS_SECONDS,'
	@echo '                 CHECK_TIMEOUT, MMAP_TEST_JOBS (scripts/check.sh --help says more)'
	@echo ''
	@echo 'In a VM (TARGET=<target>, one each):'
	@echo '  make shell     an interactive shell with the module loaded'
	@echo '                 (MMAP_TEST_SHELL_TIMEOUT)'
	@echo '  make bench     mmap-test-bench on two clocks (instructions, wall): a table'
	@echo '                 and build/<target>/bench.json (BENCH_ARGS, BENCH_STRICT=1,'
	@echo '                 BENCH_BASELINE_WRITE=1, BENCH_SEED, BENCH_INSMOD_ARGS,'
	@echo '                 BENCH_TIMEOUT; PROFILE=1: where the instructions go)'
	@echo ''
	@echo 'On the host:'
	@echo '  make targets   the kernels it runs on and their roles'
	@echo '  make results RESULTS="DIR ..." [EXPECT="JOB ..."|EXPECT=all]'
	@echo '                 one summary of the records of separate make check runs'
	@echo '  make lint      checkpatch --strict, W=1, sparse, shellcheck, the docs checks'
	@echo '  make deb       the Debian packages in build/deb/'
	@echo '  make clean     removes build/ and generated/'
	@echo ''
	@echo 'On a machine with kernel headers (KDIR=<kernel build dir>, default the'
	@echo 'running kernel; ARCH, CROSS_COMPILE):'
	@echo '  make           mmap_test.ko and test-mmap (make modules, make tools: one of them)'
	@echo '  make install   modules_install, the UAPI header and test-mmap'
	@echo '                 (PREFIX=/usr/local, DESTDIR)'
	@echo '  make dkms-install  through DKMS (DKMS_ARGS="--group G")'
	@echo '  make kselftest-install INSTALL_PATH=DIR [KSFT_SRC=<kernel tree>] [TARGET=T]'
	@echo '                 the kselftest collection mmap_test'
	@echo ''
	@echo 'Everywhere: V=1 prints the compiler command lines.'

