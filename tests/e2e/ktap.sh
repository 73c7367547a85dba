# KTAP reporting for the end-to-end scripts (sourced, not run):
#   ktap_plan N            prints the header and the plan
#   result STATUS NAME [LOGFILE]   STATUS 0 passes; a failure shows the log
#   skip NAME WHY
#   ktap_totals            prints "# Totals: ..." and exits 0 only if nothing failed
n=0 pass=0 fail=0 skip=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"; pass=$((pass + 1))
	else
		echo "not ok $n $2"; fail=$((fail + 1))
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -n 60
	fi
}

skip() {
	n=$((n + 1)); skip=$((skip + 1))
	echo "ok $n $1 # SKIP $2"
}

ktap_totals() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" = 0 ]
	exit
}
