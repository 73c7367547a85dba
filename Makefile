# enpu top-level build.
#   make         the kernel module (W=1, warnings are errors), libhal, tools and tests
#   make check   sets up dependencies and runs every test (tests/run-all)
#   make demo    sets up dependencies and runs the demo in the VM (tools/demo)
#   make checkpatch   checkpatch.pl --strict over driver/ and uapi/
#   make dtbs         the device-tree overlays in dts/
#   make check-arm64  the driver tests on arm64 in QEMU, the NPU from DT (tools/vm/run-arm64)
# KDIR defaults to the Debian 6.12 headers that tools/setup-deps installed.

KVER ?= $(shell cat build/kernel-release 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)

all: module userspace

module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || \
		{ echo "no kernel headers: run tools/setup-deps (or pass KDIR=)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace: libhal
	$(MAKE) -C tests/kselftest
	$(MAKE) -C tests/sleep
	$(MAKE) -C tools/bpf
	$(MAKE) -C tools/enpuctl
	$(MAKE) -C bench/driver
	$(MAKE) -C examples
	$(MAKE) -C bench

libhal:
	$(MAKE) -C libhal
	$(MAKE) -C tests/hal
	$(MAKE) -C tests/fuzz

deps:
	tools/setup-deps

check: deps
	$(MAKE) all
	tests/run-all

demo: deps
	$(MAKE) all
	tools/demo

checkpatch:
	tools/checkpatch

# Device-tree overlays (dts/*.dtso -> build/dts/*.dtbo); `make -C dts check` validates them.
dtbs:
	$(MAKE) -C dts

# The driver tests on arm64: cross-built enpu.ko and tests, Debian's arm64 kernel in
# qemu-system-aarch64 -M virt, the device from a DT node (tools/vm/run-arm64).
check-arm64: deps
	tools/vm/run-arm64

clean:
	@test ! -d "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C libhal clean
	$(MAKE) -C tests/hal clean
	$(MAKE) -C tools/bpf clean
	$(MAKE) -C tools/enpuctl clean
	$(MAKE) -C bench/driver clean
	$(MAKE) -C examples clean
	$(MAKE) -C bench clean
	rm -rf build/kselftest build/sleep build/vm

.PHONY: all module userspace libhal deps check demo checkpatch clean dtbs check-arm64
