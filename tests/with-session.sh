#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring (a real Secret
# Service) and, with --display, on a private Xvfb display. Nothing outlives the command: the
# keyring daemon dies with the session bus, Xvfb with xvfb-run, the keyring files with the temp dir.
#   tests/with-session.sh [--display] COMMAND...
set -euo pipefail

if [ "${1:-}" = --display ]; then
  shift
  # -noreset: an X server whose last client leaves resets, and a client that connects meanwhile
  # (the next app, WebKit's web process, xwd) is refused. Apps come and go here all the time.
  exec xvfb-run -a -s "-screen 0 1280x900x24 -noreset" "$0" "$@"
fi

if [ -z "${ONBOARD_IN_SESSION:-}" ]; then
  export ONBOARD_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export NO_AT_BRIDGE=1
# A new login keyring under a throw-away data dir, created and unlocked with this password.
printf 'onboard-test-keyring' | XDG_DATA_HOME="$keyring_home" \
  gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
"$@"
