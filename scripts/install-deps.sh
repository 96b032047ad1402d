#!/usr/bin/env bash
# Installs the Debian packages that building, running or testing Athos Token Tray needs.
#
# Usage: scripts/install-deps.sh build|run|test|windows
#
#   build  C compiler, pkg-config, OpenGL and X11 headers for Fyne's cgo GLFW driver
#   run    build + xclip (the clipboard tool github.com/atotto/clipboard calls) + D-Bus
#   test   run + Xvfb, gnome-keyring, secret-tool and xauth for scripts/desktop-session.sh,
#          and xwininfo, xdotool and xwd for the end-to-end tests of the windows
#   windows  the mingw-w64 C compiler for cross-compiling the Windows binary
#
# On Debian and Ubuntu it installs only the missing packages with apt-get, as root or
# through passwordless sudo, and otherwise prints the apt-get command and exits 1.
# On systems without dpkg and apt-get it prints what to install and exits 0, so a build
# can still be attempted. Prints nothing when everything is present.
set -euo pipefail

readonly min_go_minor=24 # go.mod requires Go 1.24.

usage() {
	echo "usage: $0 build|run|test|windows" >&2
	exit 2
}

[[ $# -eq 1 ]] || usage
target=$1
case $target in
build | run | test | windows) ;;
*) usage ;;
esac

# Prints the Debian packages for a target, one per line.
debian_packages() {
	if [[ $1 == windows ]]; then
		printf '%s\n' gcc-mingw-w64-x86-64
		return
	fi
	# Fyne's GLFW driver compiles against the OpenGL and X11 headers.
	printf '%s\n' gcc pkg-config libgl1-mesa-dev xorg-dev
	[[ $1 == build ]] && return
	# dbus provides the session bus daemon and, through dbus-bin, dbus-run-session.
	printf '%s\n' xclip dbus
	[[ $1 == run ]] && return
	# libgl1-mesa-dri is Mesa's software OpenGL, which Fyne windows need under Xvfb.
	printf '%s\n' xvfb xauth libgl1-mesa-dri gnome-keyring libsecret-tools
	# x11-utils provides xwininfo, which the end-to-end tests use to find windows;
	# xdotool types into them and x11-apps provides xwd for their screenshots.
	printf '%s\n' x11-utils xdotool x11-apps
}

# Prints the packages for a system without dpkg, or a hint where none are known.
other_system_packages() {
	local os_id=""
	if [[ $OSTYPE == darwin* ]]; then
		echo "macOS: install the Xcode command line tools (xcode-select --install)."
		echo "The clipboard uses pbcopy and secrets use the Keychain, so nothing else is needed."
		if [[ $target == test ]]; then
			echo "scripts/desktop-session.sh needs Xvfb, D-Bus and gnome-keyring, so it runs on Linux only."
		fi
		return
	fi

	if [[ -r /etc/os-release ]]; then
		# shellcheck disable=SC1091 # /etc/os-release is not part of this repository.
		os_id=$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")
	fi

	case " $os_id " in
	*" fedora "* | *" rhel "*)
		local packages="gcc libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel"
		[[ $target != build ]] && packages+=" xclip dbus-daemon dbus-tools"
		[[ $target == test ]] && packages+=" xorg-x11-server-Xvfb xorg-x11-xauth mesa-dri-drivers gnome-keyring libsecret xwininfo xdotool xwd"
		echo "Fedora: sudo dnf install $packages"
		;;
	*" arch "*)
		local packages="gcc pkgconf libxcursor libxrandr libxinerama libxi libxxf86vm mesa"
		[[ $target != build ]] && packages+=" xclip dbus"
		[[ $target == test ]] && packages+=" xorg-server-xvfb xorg-xauth gnome-keyring libsecret xorg-xwininfo xdotool xorg-xwd"
		echo "Arch Linux: sudo pacman -S --needed $packages"
		;;
	*)
		echo "Install a C compiler, pkg-config and the development headers of OpenGL, Xcursor,"
		echo "Xrandr, Xinerama, Xi and Xxf86vm."
		if [[ $target != build ]]; then
			echo "Running needs xclip and a D-Bus session bus."
		fi
		if [[ $target == test ]]; then
			echo "Testing needs Xvfb, xauth, Mesa's DRI drivers, gnome-keyring, secret-tool (libsecret), xwininfo, xdotool and xwd."
		fi
		;;
	esac
}

check_go() {
	if ! command -v go >/dev/null 2>&1; then
		echo "error: go not found on PATH. Install Go >= 1.$min_go_minor from the distribution (apt-get install golang-go on Debian 13 or later) or from https://go.dev/dl/." >&2
		exit 1
	fi

	# GOTOOLCHAIN=local reports the installed toolchain, because the default
	# GOTOOLCHAIN=auto would try to download a newer one inside this module.
	local version
	version=$(GOTOOLCHAIN=local go env GOVERSION)
	if [[ $version =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < min_go_minor)); then
		echo "error: $version is too old. Install Go >= 1.$min_go_minor from the distribution or from https://go.dev/dl/." >&2
		exit 1
	fi
}

check_go

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: no dpkg/apt-get here, so nothing was installed. Packages for '$target':"
	other_system_packages
	exit 0
fi

missing=()
while read -r package; do
	status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$package")
done < <(debian_packages "$target")

((${#missing[@]} == 0)) && exit 0

install_command=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}")
if ((EUID == 0)); then
	echo "install-deps: installing for '$target': ${missing[*]}" >&2
	apt-get update
	"${install_command[@]}"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	echo "install-deps: installing for '$target' with sudo: ${missing[*]}" >&2
	sudo -n apt-get update
	sudo -n "${install_command[@]}"
else
	echo "error: missing packages, and installing them needs root. Run:" >&2
	echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
