#!/usr/bin/env bash
# Runs a command inside a private, throwaway Linux desktop session and exits with its
# exit code.
#
# Usage: scripts/desktop-session.sh CMD [ARGS...]
#
# The session consists of:
#   - a fresh temporary folder as HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME
#     and XDG_RUNTIME_DIR, so no keyring, Fyne preference or cache from earlier runs
#     is found;
#   - Xvfb on a display number that Xvfb picks itself (-displayfd), with an
#     MIT-MAGIC-COOKIE-1 in XAUTHORITY;
#   - a private D-Bus session bus from dbus-run-session;
#   - gnome-keyring-daemon serving org.freedesktop.secrets, with the "login" collection
#     created and unlocked, which github.com/zalando/go-keyring writes to.
# GOCACHE, GOMODCACHE, GOPATH and GOENV keep the caller's values, so Go builds inside
# reuse the build and module caches. LANG is en_US.UTF-8.
#
# On exit, on error and on SIGINT, SIGTERM or SIGHUP it stops Xvfb and every
# process whose environment still contains the session's XDG_RUNTIME_DIR, which
# includes daemons that CMD started such as the forked owner of `xclip -i`, and
# removes the folder. SIGKILL leaves them running. Requires Linux and
# `scripts/install-deps.sh test`.

# shellcheck disable=SC2317 # cleanup and its helpers run from the EXIT trap.
set -euo pipefail

# The keyring is thrown away with the session, so its password need not be secret.
readonly keyring_password=desktop-session
readonly startup_timeout_seconds=10

# dbus-run-session runs this script a second time inside the bus, with this
# variable set to the session folder. That inner stage receives the caller's
# stderr on file descriptor 3, because its own stderr, shared with dbus-daemon,
# goes to session.log in the session folder.
readonly inner_stage_variable=DESKTOP_SESSION_INNER_DIR

readonly secrets_service=org.freedesktop.secrets
readonly login_collection=/org/freedesktop/secrets/collection/login

# Set by run_outer_stage and start_xvfb, read by cleanup.
session_dir=""
xvfb_pid=""
display_number=""
session_pid=""

usage() {
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
}

# Prints a log from the session folder after a failed start.
show_log() {
	echo "--- ${1##*/}:" >&2
	cat -- "$1" >&2 2>/dev/null || true
}

secrets_service_has_owner() {
	# dbus-daemon itself replies to NameHasOwner. A call to org.freedesktop.secrets
	# before the daemon owns the name would make dbus-daemon activate a second
	# gnome-keyring-daemon, which has no password to unlock the login collection.
	dbus-send --session --print-reply=literal --reply-timeout=2000 \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$secrets_service" 2>/dev/null |
		grep -q true
}

# Prints "true" or "false" for the Locked property of the login collection, or
# fails while the collection does not exist.
login_collection_locked() {
	local reply
	reply=$(dbus-send --session --print-reply=literal --reply-timeout=2000 \
		--dest="$secrets_service" "$login_collection" \
		org.freedesktop.DBus.Properties.Get \
		string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null) || return 1
	[[ $reply =~ boolean\ (true|false) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# Runs inside dbus-run-session: starts the keyring daemon, waits until the login
# collection is unlocked, then runs CMD with the caller's stderr.
run_inner_stage() {
	local session_dir=${!inner_stage_variable}
	unset "$inner_stage_variable"
	local keyring_pid deadline status

	# --unlock reads the password from stdin until EOF and, in a fresh
	# XDG_DATA_HOME, creates keyrings/login.keyring with that password.
	# --foreground keeps the daemon a child of this shell, so it can be stopped by
	# its id. --start is not needed, because this daemon already serves the secrets
	# component, and in gnome-keyring 42 it prints nothing to stdout here.
	printf '%s' "$keyring_password" |
		gnome-keyring-daemon --foreground --unlock --components=secrets >&2 3>&- &
	keyring_pid=$!
	# shellcheck disable=SC2064 # keyring_pid is fixed from here on.
	trap "kill $keyring_pid 2>/dev/null; wait $keyring_pid 2>/dev/null || true" EXIT

	deadline=$((SECONDS + startup_timeout_seconds))
	until secrets_service_has_owner && [[ $(login_collection_locked) == false ]]; do
		if ((SECONDS >= deadline)) || ! kill -0 "$keyring_pid" 2>/dev/null; then
			echo "error: gnome-keyring-daemon exited or did not provide an unlocked $login_collection within ${startup_timeout_seconds}s" >&2
			return 1
		fi
		sleep 0.02
	done
	export GNOME_KEYRING_CONTROL=$XDG_RUNTIME_DIR/keyring

	# The outer stage prints session.log unless this file exists.
	: >"$session_dir/started"
	exec 2>&3 3>&-
	status=0
	"$@" || status=$?
	return "$status"
}

# Prints the ids of the live processes whose environment contains this session's
# XDG_RUNTIME_DIR, which are the session's processes and their descendants,
# including daemons that left the process group. Zombies have an empty environment.
list_session_processes() {
	local file
	# env -u keeps grep from matching itself if the variable is ever exported here.
	env -u XDG_RUNTIME_DIR grep -lzxF "XDG_RUNTIME_DIR=$session_dir/runtime" \
		/proc/[0-9]*/environ 2>/dev/null |
		while read -r file; do
			file=${file#/proc/}
			echo "${file%/environ}"
		done
}

stop_session_processes() {
	local pids attempt
	if [[ -n $session_pid ]]; then
		kill -TERM -- "-$session_pid" 2>/dev/null || true
	fi
	for attempt in {1..50}; do
		mapfile -t pids < <(list_session_processes)
		# An explicit status is needed, because a bare return in a trap handler
		# returns the status from before the trap, which set -e then acts on.
		((${#pids[@]} == 0)) && return 0
		if ((attempt == 1)); then
			kill -TERM "${pids[@]}" 2>/dev/null || true
		elif ((attempt == 50)); then
			echo "warning: killing session processes that ignored SIGTERM for 2s: ${pids[*]}" >&2
			kill -KILL "${pids[@]}" 2>/dev/null || true
		fi
		sleep 0.04
	done
	return 0
}

stop_xvfb() {
	[[ -n $xvfb_pid ]] || return 0
	kill -TERM "$xvfb_pid" 2>/dev/null || true
	wait "$xvfb_pid" 2>/dev/null || true
	return 0
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM HUP
	if [[ -n $session_dir ]]; then
		stop_session_processes
		stop_xvfb
		rm -rf -- "$session_dir"
	fi
	exit "$status"
}

# Prints the caller's Go directories as NAME=VALUE lines. Their defaults derive
# from HOME and XDG_CONFIG_HOME, so they are read before those change.
print_go_variables() {
	local values
	command -v go >/dev/null 2>&1 || return 0
	mapfile -t values < <(go env GOCACHE GOMODCACHE GOPATH GOENV)
	if ((${#values[@]} != 4)); then
		echo "warning: go env failed, so Go inside the session uses caches under the temporary HOME" >&2
		return 0
	fi
	printf '%s\n' "GOCACHE=${values[0]}" "GOMODCACHE=${values[1]}" \
		"GOPATH=${values[2]}" "GOENV=${values[3]}"
}

# Starts Xvfb and sets xvfb_pid and display_number once it accepts connections.
start_xvfb() {
	local xauthority=$1 display_fifo=$session_dir/display xvfb_log=$session_dir/xvfb.log
	local cookie

	# A FamilyWild entry with an empty display number matches any display, so one
	# file serves Xvfb and its clients before the display number is known. The
	# empty file keeps xauth from warning that it does not exist.
	: >"$xauthority"
	cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	echo "ffff 0000  0000  0012 4d49542d4d414749432d434f4f4b49452d31 0010 $cookie" |
		xauth -q -f "$xauthority" nmerge -

	# -displayfd makes Xvfb pick a free display and write its number to the FIFO
	# once it accepts connections. setsid keeps a Ctrl-C in the terminal from
	# stopping Xvfb before cleanup has stopped its clients.
	mkfifo "$display_fifo"
	setsid Xvfb -displayfd 3 -auth "$xauthority" -nolisten tcp -screen 0 1280x1024x24 \
		3>"$display_fifo" </dev/null >"$xvfb_log" 2>&1 &
	xvfb_pid=$!
	read -r -t "$startup_timeout_seconds" display_number <"$display_fifo" || true
	if [[ ! $display_number =~ ^[0-9]+$ ]]; then
		echo "error: Xvfb exited or did not report a display number within ${startup_timeout_seconds}s" >&2
		show_log "$xvfb_log"
		return 1
	fi
}

run_outer_stage() {
	local tool script_path go_variables home_dir runtime_dir xauthority
	local session_log status

	(($# >= 1)) || usage
	for tool in Xvfb xauth dbus-run-session dbus-send gnome-keyring-daemon; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "error: $tool not found on PATH. Run scripts/install-deps.sh test." >&2
			exit 1
		fi
	done
	script_path=$(readlink -f -- "${BASH_SOURCE[0]}")
	mapfile -t go_variables < <(print_go_variables)

	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	session_dir=$(mktemp -d "${TMPDIR:-/tmp}/desktop-session.XXXXXX")
	home_dir=$session_dir/home
	runtime_dir=$session_dir/runtime
	xauthority=$session_dir/Xauthority
	session_log=$session_dir/session.log
	mkdir -p "$home_dir/.config" "$home_dir/.local/share" "$home_dir/.cache"
	mkdir -m 0700 "$runtime_dir"

	start_xvfb "$xauthority"
	echo "desktop-session: DISPLAY=:$display_number, folder $session_dir" >&2

	# setsid makes the session a process group, so cleanup can signal all of it at
	# once. The stdin redirection on the subshell stops bash from giving a
	# background job /dev/null as stdin, and it needs an open stdin. Copying fd 0
	# to fd 9 fails when fd 0 is closed, unlike the no-op <&0.
	if ! { : 9<&0; } 2>/dev/null; then
		exec </dev/null
	fi
	(
		export HOME=$home_dir
		export XDG_CONFIG_HOME=$home_dir/.config
		export XDG_DATA_HOME=$home_dir/.local/share
		export XDG_CACHE_HOME=$home_dir/.cache
		export XDG_RUNTIME_DIR=$runtime_dir
		export DISPLAY=:$display_number
		export XAUTHORITY=$xauthority
		# github.com/atotto/clipboard uses wl-copy instead of xclip when
		# WAYLAND_DISPLAY is set.
		unset WAYLAND_DISPLAY GNOME_KEYRING_CONTROL
		if ((${#go_variables[@]} > 0)); then
			export "${go_variables[@]}"
		fi
		export "$inner_stage_variable=$session_dir"
		# Fyne logs an error for the C locale, and it reads LC_ALL and LC_MESSAGES
		# before LANG (github.com/jeandeaual/go-locale). env sets them, because
		# bash warns when an assignment selects a locale that is not generated.
		exec env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=en_US.UTF-8 \
			setsid dbus-run-session -- "$BASH" "$script_path" "$@" \
			3>&2 2>>"$session_log"
	) <&0 &
	session_pid=$!
	status=0
	wait "$session_pid" || status=$?

	if [[ ! -e $session_dir/started ]]; then
		echo "error: the D-Bus session or gnome-keyring-daemon failed to start (exit status $status)" >&2
		show_log "$session_log"
		((status != 0)) || status=1
	fi
	exit "$status"
}

# Both stages are functions, and each call shares its line with an exit, so once
# a stage runs, bash reads no more of this file. An edit to the file during a long
# run then cannot change the running copy.
if [[ -n ${!inner_stage_variable:-} ]]; then
	# Under set -e a failed start or a non-zero CMD status exits with that status.
	run_inner_stage "$@"; exit 0
fi
run_outer_stage "$@"; exit
