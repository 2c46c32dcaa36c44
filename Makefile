# SPDX-License-Identifier: GPL-2.0
#
# mmap-test: see README.md.
#
#   make              build mmap_test.ko against KDIR (the running kernel's
#                     headers by default) and the test-mmap tool
#   make demo         the whole reference run in a VM, setup included
#   make check        the test suite in VMs: ends "N passed, N failed"
#                     (TARGETS="x86_64-6.1 arm64-7.3" for a subset)
#   make targets      the kernels it runs on (scripts/targets/*.conf)
#   make results RESULTS="DIR..." [EXPECT="JOB..."|EXPECT=all]
#                     the one summary and exit status of the records of
#                     separate make check runs (their build/results/
#                     directories or .tsv files; default build/results);
#                     a target in two inputs is refused (scripts/check.sh --merge)
#   make bench        mmap-test-bench in the VM: a table and JSON
#   make shell        an interactive shell in the VM, module loaded
#   make lint         checkpatch --strict, W=1, sparse, shellcheck, lib-check,
#                     the result reader's selftest
#   make kselftest-install INSTALL_PATH=DIR [KSFT_SRC=<kernel tree>] [TARGET=T]
#                     the kselftest collection mmap_test with the kernel's
#                     run_kselftest.sh (scripts/kselftest-install.sh)
#   make install      modules_install, the UAPI header and test-mmap
#   make dkms-install build and install through DKMS (DKMS_ARGS="--group G")
#   make deb          the Debian packages mmap-test-dkms and mmap-test-tools
#                     in build/deb/, checked with lintian (scripts/deb.sh)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH ?=
CROSS_COMPILE ?=
KBUILD_ARGS := $(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

.PHONY: all modules tools demo check targets results bench shell lint install dkms-install \
	kselftest-install deb clean

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
	$(MAKE) -C test OUT="$(CURDIR)" clean
	rm -rf build generated
