#!/usr/bin/env bash
# Checks that scripts/desktop-session.sh provides a working Secret Service, X
# clipboard and session bus, and that it leaves no process or folder behind.
#
# Usage: scripts/desktop-session-selftest.sh
#
# Prints one line per check and exits 1 if any check failed.
set -euo pipefail

# Bounds each client call, because a locked keyring makes secret-tool wait for a
# password prompt, and a selection owner that does not reply makes xclip -o wait.
readonly call_timeout_seconds=10

passed=0
failed=0

pass() {
	echo "ok: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $1" >&2
	failed=$((failed + 1))
}

# Compares an output with the expected value and records the result.
expect_equal() {
	local name=$1 expected=$2 actual=$3
	if [[ $actual == "$expected" ]]; then
		pass "$name"
	else
		fail "$name: expected '$expected', got '$actual'"
	fi
}

check_environment() {
	local runtime_mode
	runtime_mode=$(stat -c %a "$XDG_RUNTIME_DIR")
	expect_equal "XDG_RUNTIME_DIR mode" 700 "$runtime_mode"
	expect_equal "LANG" en_US.UTF-8 "${LANG:-}"
	if [[ $HOME == "${XDG_RUNTIME_DIR%/runtime}"/* && -n ${DISPLAY:-} ]]; then
		pass "HOME in the session folder, DISPLAY=$DISPLAY"
	else
		fail "HOME is '$HOME' and DISPLAY is '${DISPLAY:-}', expected a HOME under ${XDG_RUNTIME_DIR%/runtime} and a DISPLAY"
	fi
}

check_secret_service() {
	local value names lookup
	value="selftest-$RANDOM$RANDOM"

	names=$(timeout "$call_timeout_seconds" dbus-send --session --print-reply \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames) || true
	if [[ $names == *'"org.freedesktop.secrets"'* ]]; then
		pass "org.freedesktop.secrets on the session bus"
	else
		fail "org.freedesktop.secrets not found in ListNames on the session bus"
	fi

	if printf '%s' "$value" |
		timeout "$call_timeout_seconds" secret-tool store --label=t service athos-selftest user u; then
		pass "secret-tool store"
	else
		fail "secret-tool store failed"
	fi
	lookup=$(timeout "$call_timeout_seconds" secret-tool lookup service athos-selftest user u) || true
	expect_equal "secret-tool lookup" "$value" "$lookup"

	timeout "$call_timeout_seconds" secret-tool clear service athos-selftest user u || true
	if lookup=$(timeout "$call_timeout_seconds" secret-tool lookup service athos-selftest user u); then
		fail "secret-tool lookup after clear returned '$lookup', expected no item"
	else
		pass "secret-tool clear"
	fi
}

check_clipboard() {
	local pasted
	# xclip -i forks a process that owns the selection until another client takes
	# it or the X server stops. That process keeps the stdout and stderr it
	# inherited, so without these redirections a caller reading them to EOF waits.
	if printf hello |
		timeout "$call_timeout_seconds" xclip -selection clipboard -i >/dev/null 2>&1; then
		pass "xclip -i"
	else
		fail "xclip -i failed"
	fi
	pasted=$(timeout "$call_timeout_seconds" xclip -selection clipboard -o) || true
	expect_equal "xclip -o" hello "$pasted"
}

# Runs inside the session. It writes XDG_RUNTIME_DIR to the report file first,
# so the outer stage can check afterwards that nothing of the session remains,
# and then the pass and fail counts.
run_checks_inside() {
	local report_file=$1
	echo "$XDG_RUNTIME_DIR" >"$report_file"
	check_environment
	check_secret_service
	check_clipboard
	echo "$passed $failed" >>"$report_file"
	((failed == 0))
}

# Prints the /proc files of processes whose command line or environment mentions
# the session folder, for example Xvfb through its -auth file. The folder name
# reaches grep through a pipe, so grep's own command line does not match.
list_remaining_processes() {
	local session_dir=$1
	grep -laF -f <(echo "$session_dir") /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null || true
}

run_selftest() {
	local script_dir report_file session_dir status=0 remaining
	local inside_passed inside_failed
	local -a report
	script_dir=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
	report_file=$(mktemp)
	# shellcheck disable=SC2064 # report_file is fixed from here on.
	trap "rm -f -- '$report_file'" EXIT

	"$script_dir/desktop-session.sh" bash "$script_dir/desktop-session-selftest.sh" \
		--inside "$report_file" </dev/null || status=$?
	mapfile -t report <"$report_file"
	if ((${#report[@]} == 2)); then
		read -r inside_passed inside_failed <<<"${report[1]}"
		passed=$((passed + inside_passed))
		failed=$((failed + inside_failed))
	fi
	if ((status != 0)) && ((${#report[@]} != 2)); then
		fail "the session did not finish the checks (exit status $status)"
	fi

	session_dir=${report[0]:-}
	session_dir=${session_dir%/runtime}
	if [[ -z $session_dir ]]; then
		fail "the session did not report its folder"
	elif [[ -e $session_dir ]]; then
		fail "session folder $session_dir still exists"
	else
		pass "session folder removed"
	fi

	if [[ -n $session_dir ]]; then
		remaining=$(list_remaining_processes "$session_dir")
		if [[ -z $remaining ]]; then
			pass "no session process left"
		else
			fail "session processes left: $(echo "$remaining" | tr '\n' ' ')"
		fi
	fi

	echo "selftest: $passed passed, $failed failed"
	((failed == 0))
}

if [[ ${1:-} == --inside ]]; then
	run_checks_inside "$2"; exit
fi
run_selftest; exit
