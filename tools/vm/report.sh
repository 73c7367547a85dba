# SPDX-License-Identifier: MIT
# Sourced by tools/vm/run and tools/vm/run-arm64 (not run alone): how a guest
# that cannot keep its 9p share (system sleep resets it) reports through a
# serial line instead, and what both print when a guest dies.

# vm_report RAW RES CONSOLE: RAW is a guest's report as its serial line wrote
# it (CRs; the command's output, the line `enpu-vm: exit N`, then the guest's
# kernel log). Appends the output to RES/out, writes N to RES/rc and the
# kernel log, with CONSOLE's lines after it (a crash after the report), to
# RES/dmesg. False, writing none of them, if RAW has no such line.
vm_report() {
	local marker='^enpu-vm: exit [0-9]+$' txt=$2/report.txt
	tr -d '\r' <"$1" >"$txt" 2>/dev/null && grep -Eq "$marker" "$txt" || return 1
	sed -E "/$marker/,\$d" "$txt" >>"$2/out"
	grep -Em1 "$marker" "$txt" | sed 's/.* //' >"$2/rc"
	{ sed -E "0,/$marker/d" "$txt"; cat "$3"; } >"$2/dmesg"
}

# vm_guest_tail CONSOLE QEMU_LOG: the console's last lines and QEMU's, to
# stderr; the whole console copied to $ENPU_VM_CONSOLE where that is set.
vm_guest_tail() {
	echo "--- last guest console lines ---" >&2
	tail -n 40 "$1" >&2 2>/dev/null
	[ -s "$2" ] && { echo "--- qemu ---" >&2; tail -n 10 "$2" >&2; }
	if [ -n "${ENPU_VM_CONSOLE:-}" ] && cp "$1" "$ENPU_VM_CONSOLE"; then
		echo "tools/vm/$(basename "$0"): whole guest console in $ENPU_VM_CONSOLE" >&2
	fi
}
