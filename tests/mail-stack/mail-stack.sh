#!/usr/bin/env bash
# A real IMAP/SMTP server for tests and the sandbox: Dovecot (imap + submission) on loopback ports,
# accepting XOAUTH2 and OAUTHBEARER through oauth2 passdbs that ask the simulator's introspection
# endpoint, with implicit TLS for IMAP (like outlook.office365.com:993) and STARTTLS for submission
# (like smtp.office365.com:587). Everything lives under DIR; nothing is installed system-wide.
#
#   mail-stack.sh start DIR INTROSPECTION_URL SIM_CA_FILE RELAY_PORT [OWNER_PID]
#       prints one JSON line: {"imaps": PORT, "imap": PORT, "submission": PORT, "ca_file": PATH}
#       With OWNER_PID, the stack stops itself and removes DIR when that process ends, however it
#       ends (the sandbox passes the app's pid, so a killed app leaves no Dovecot behind).
#       MAIL_ROOT (environment) is where the mailboxes live (<address>/Maildir); the simulator's
#       mail_root, so that IMAP and Graph show one mailbox. Default: DIR/mail.
#   mail-stack.sh stop DIR
#   mail-stack.sh restart DIR     (a stopped stack again, on its ports: for the fault tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# N free loopback ports, all bound at once so that they differ (ports taken one after the other
# can come back the same: "duplicate listener").
free_ports() {
  python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])' "$1"
}

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mail-stack: port $1 did not open; see $dir/log/dovecot.log" >&2
  exit 1
}

# Dovecot daemonizes; it must not keep the caller's stdout open (callers read it to EOF).
start_dovecot() {
  if ! dovecot -c "$dir/dovecot.conf" </dev/null >"$dir/log/start.log" 2>&1; then
    cat "$dir/log/start.log" >&2
    exit 1
  fi
  for port in $(sed -n 's/^ *port = \([0-9]*\)$/\1/p' "$dir/dovecot.conf"); do
    wait_port "$port"
  done
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR INTROSPECTION_URL SIM_CA_FILE RELAY_PORT | stop DIR" >&2; exit 2; }

case "$cmd" in
start)
  introspection=$3 sim_ca=$4 relay_port=$5
  if [ "$(id -u)" -ne 0 ]; then
    echo "IMAP and SMTP need root here: Dovecot's mail belongs to the unprivileged mail user" >&2
    exit 1
  fi
  mkdir -p "$dir"/{run,state,log,tls}
  dir=$(cd "$dir" && pwd)
  mail_root=${MAIL_ROOT:-$dir/mail}
  mkdir -p "$mail_root"
  # Mail belongs to the unprivileged `mail` user; Dovecot's login processes run as dovenull.
  chown -R mail:mail "$mail_root"

  # A CA and a server certificate for 127.0.0.1/localhost, made fresh for this stack.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mail-stack test CA" \
    -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/tls/key.pem" -out "$dir/tls/req.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$dir/tls/ext.cnf"
  openssl x509 -req -in "$dir/tls/req.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/tls/ext.cnf" -out "$dir/tls/cert.pem" 2>/dev/null
  chmod 600 "$dir/tls/key.pem" "$dir/tls/ca.key"

  read -r imap imaps submission < <(free_ports 3)
  # The simulator's CA, readable by Dovecot's unprivileged processes.
  install -m 0644 "$sim_ca" "$dir/tls/sim-ca.pem"
  for proto in imap smtp; do
    scope=IMAP.AccessAsUser.All
    [ "$proto" = smtp ] && scope=SMTP.Send
    sed -e "s#@INTROSPECTION_URL@#$introspection#" -e "s#@SIM_CA@#$dir/tls/sim-ca.pem#" -e "s#@SCOPE@#$scope#" \
      "$here/oauth2.conf.ext.in" > "$dir/oauth2-$proto.conf.ext"
  done
  install -m 0755 "$here/shared-mailbox-check" "$dir/shared-mailbox-check"
  install -m 0755 "$here/smtp-client-auth-check" "$dir/smtp-client-auth-check"
  printf 'INTROSPECTION_URL=%q\nSIM_CA=%q\n' "$introspection" "$dir/tls/sim-ca.pem" > "$dir/introspection.conf"
  sed -e "s#@DIR@#$dir#g" -e "s#@MAIL_ROOT@#$mail_root#g" -e "s#@IMAP@#$imap#" -e "s#@IMAPS@#$imaps#" -e "s#@SUBMISSION@#$submission#" \
    -e "s#@RELAY_PORT@#$relay_port#" -e "s#@MAIL_UID@#$(id -u mail)#" -e "s#@MAIL_GID@#$(id -g mail)#" \
    "$here/dovecot.conf.in" > "$dir/dovecot.conf"
  start_dovecot
  if [ -n "${6:-}" ]; then
    owner=$6
    nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; "$2" stop "$3"; rm -rf "$3"' \
      _ "$owner" "$here/mail-stack.sh" "$dir" </dev/null >/dev/null 2>&1 &
  fi
  printf '{"imap": %s, "imaps": %s, "submission": %s, "ca_file": "%s", "log": "%s"}\n' \
    "$imap" "$imaps" "$submission" "$dir/tls/ca.pem" "$dir/log/dovecot.log"
  ;;
stop)
  pid=$(cat "$dir/run/master.pid" 2>/dev/null) || exit 0
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # The master does not wait for its children: end the sessions it leaves (their titles carry
  # the instance name), so that a stopped stack serves no kept connection.
  instance=$(sed -n 's/^instance_name = //p' "$dir/dovecot.conf")
  pkill -KILL -f "^dovecot-$instance/" 2>/dev/null || true
  ;;
restart)
  start_dovecot
  ;;
*)
  echo "usage: $0 start DIR INTROSPECTION_URL SIM_CA_FILE RELAY_PORT | stop DIR" >&2
  exit 2
  ;;
esac
