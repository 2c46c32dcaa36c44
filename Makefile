# SPDX-License-Identifier: GPL-2.0
#
# mmap-test: see README.md.
#
#   make              build mmap_test.ko against KDIR (the running kernel's
#                     headers by default) and the test-mmap tool
#   make demo         the whole reference run in a VM, setup included
#   make check        the test suite in VMs: ends "N passed, N failed"
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH ?=
CROSS_COMPILE ?=
KBUILD_ARGS := $(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

.PHONY: all modules tools demo check clean

all: modules tools

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "No kernel headers at KDIR=$(KDIR)." >&2; \
		echo "Install them (Debian: apt install linux-headers-$$(uname -r))," >&2; \
		echo "or pass KDIR=<kernel build dir>." >&2; \
		echo "This machine cannot load modules? 'make demo' builds and runs everything in a VM." >&2; \
		exit 1; \
	fi
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_ARGS) modules

tools:
	$(MAKE) -C test OUT="$(CURDIR)" CROSS_COMPILE=$(CROSS_COMPILE) tools

demo:
	scripts/demo.sh

check:
	scripts/check.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C test OUT="$(CURDIR)" clean
	rm -rf build generated
