# SPDX-License-Identifier: GPL-2.0
#
# Feature probes, for the Kbuild files of mmap_test.ko (../Kbuild) and of the
# bench's reference driver (test/refdrv/Kbuild): compile-test each kernel
# API with this kernel's own module flags and write
# $(obj)/generated/mmap_test_conftest.h (see conftest.sh).  The script also
# checks that $(CC) is the compiler the kernel was built with
# (CONFIG_CC_VERSION_TEXT, CONFIG_GCC_VERSION, CONFIG_CLANG_VERSION from the
# kernel's auto.conf, which Kbuild includes for M= and DKMS builds).
#
# Set mt-conftest to the path of conftest.sh before including this file;
# make the objects depend on $(obj)/generated/mmap_test_conftest.h.

mt-conftest-flags = $(NOSTDINC_FLAGS) $(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h \
	$(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) $(KBUILD_CFLAGS_MODULE) -DMODULE
mt-conftest-key = $(shell { echo '$(KERNELRELEASE) $(CC) $(mt-conftest-flags)'; \
	cat $(mt-conftest); } | cksum | cut -d' ' -f1)

quiet_cmd_conftest = CONFTEST $@
      cmd_conftest = mkdir -p $(dir $@) && \
		     $(CONFIG_SHELL) $(mt-conftest) $@ \
		     $(mt-conftest-key) '$(call escsq,$(CC))' \
		     '$(call escsq,$(CONFIG_CC_VERSION_TEXT))' \
		     '$(CONFIG_GCC_VERSION)' '$(CONFIG_CLANG_VERSION)' \
		     $(mt-conftest-flags)

$(obj)/generated/mmap_test_conftest.h: $(mt-conftest) FORCE
	$(call cmd,conftest)

clean-files := generated
