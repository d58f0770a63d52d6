#!/usr/bin/env bash
# Runs the peer brokers' W1–W5 benchmarks on loopback and prints one JSON line per
# result on stdout (progress and server logs go to stderr / the temp dir).
#
#   bench/peers/run.sh [SCRIPT...]      SCRIPT: w1-nats w1-mosquitto w2-nats w2-mosquitto w3-nats w3-mosquitto
#                                       w4-nats w4-mosquitto (default: these eight)
#                                       w5-nats w5-mosquitto (large transfer: only when named)
#
# env: RUNS (2: each script this many times), NATS_PORT / MQTT_PORT (default: a
#      free port picked at start), KEEP_TMP=1 (keep the temp dir), and each
#      script's own variables (N, SIZE, WINDOW, TIMEOUT_S, ...) pass through;
#      for W5, SIZE is the one payload's size (256M by default; 1G for the other case).
#      The scripts get the servers' PIDs (NATS_SERVER_PID, MQTT_SERVER_PID) to read
#      their RSS and CPU time; a W5 script resets the server's VmHWM at its start.
#
# Installs what is missing (Debian nats-server and mosquitto via apt-get, the npm
# packages via npm ci), starts nats-server -js (file storage under a temp dir)
# and mosquitto (temp config, persistence off, max_queued_messages 0) on
# 127.0.0.1 only, and stops both on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
RUNS="${RUNS:-2}"
SCRIPTS=("$@")
[ ${#SCRIPTS[@]} -eq 0 ] && SCRIPTS=(w1-nats w1-mosquitto w2-nats w2-mosquitto w3-nats w3-mosquitto w4-nats w4-mosquitto)
for s in "${SCRIPTS[@]}"; do
  [ -f "$HERE/$s.mjs" ] || { echo "unknown script: $s" >&2; exit 64; }
done

log() { echo "[peers] $*" >&2; }

# --- install what is missing ---------------------------------------------------
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  $SUDO apt-get update >&2
  # Debian's postinst would start mosquitto's own service where an init system
  # allows it; this script never uses that instance (it starts its own on another port)
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}" >&2
fi
command -v node >/dev/null 2>&1 || { echo "node is required (Node.js >= 18)" >&2; exit 69; }
if ! node -e '
  const want = require("./package.json").dependencies;
  for (const [n, v] of Object.entries(want))
    if (require("./node_modules/" + n + "/package.json").version !== v) process.exit(1);
' 2>/dev/null; then
  log "npm ci"
  npm ci --no-audit --no-fund >&2
fi

# --- start the servers ---------------------------------------------------------
TMP="$(mktemp -d /tmp/tamtam-peers.XXXXXX)"
NATS_PID=""; MQTT_PID=""
cleanup() {
  local rc=$?
  for p in $NATS_PID $MQTT_PID; do
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  for p in $NATS_PID $MQTT_PID; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() { # pid port name
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || { echo "$3 exited at start; log:" >&2; cat "$TMP/$3.log" >&2; exit 70; }
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$3 did not listen on 127.0.0.1:$2 within 10 s" >&2; exit 70
}
vmhwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo null; }

need_nats=0; need_mqtt=0
for s in "${SCRIPTS[@]}"; do
  case "$s" in *nats) need_nats=1 ;; *mosquitto) need_mqtt=1 ;; esac
done

if [ $need_nats = 1 ]; then
  NATS_PORT="${NATS_PORT:-$(free_port)}"
  mkdir -p "$TMP/nats-store"
  nats-server -js -sd "$TMP/nats-store" -a 127.0.0.1 -p "$NATS_PORT" >"$TMP/nats-server.log" 2>&1 &
  NATS_PID=$!
  wait_port "$NATS_PID" "$NATS_PORT" nats-server
  log "nats-server pid $NATS_PID on 127.0.0.1:$NATS_PORT, store $TMP/nats-store"
  export NATS_SERVER_PID="$NATS_PID"
fi
if [ $need_mqtt = 1 ]; then
  MQTT_PORT="${MQTT_PORT:-$(free_port)}"
  cat >"$TMP/mosquitto.conf" <<CONF
# written by bench/peers/run.sh
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
# the default (1000) makes Mosquitto drop QoS 1 messages for a subscriber that
# lags a publisher with 1,000 publishes in flight; 0 = no limit, nothing dropped
max_queued_messages 0
log_dest stderr
CONF
  chmod 755 "$TMP"; chmod 644 "$TMP/mosquitto.conf" # mosquitto drops root for its own user
  mosquitto -c "$TMP/mosquitto.conf" >"$TMP/mosquitto.log" 2>&1 &
  MQTT_PID=$!
  wait_port "$MQTT_PID" "$MQTT_PORT" mosquitto
  log "mosquitto pid $MQTT_PID on 127.0.0.1:$MQTT_PORT"
  export MQTT_SERVER_PID="$MQTT_PID"
fi

# --- versions ------------------------------------------------------------------
NATS_V="$(nats-server --version 2>&1 | head -1)"
MQTT_V="$(mosquitto -h 2>&1 | head -1 || true)"
NODE_V="$(node --version)"
PKG_V="$(node -p 'const d=require("./package.json").dependencies; Object.keys(d).map(n=>n+" "+require("./node_modules/"+n+"/package.json").version).join(", ")')"
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?; }
printf '{"peer":"versions","nats_server":"%s","mosquitto":"%s","node":"%s","packages":"%s","cores":%s,"loadavg":"%s","date":"%s"}\n' \
  "$NATS_V" "$MQTT_V" "$NODE_V" "$PKG_V" "$(nproc)" "$(loadavg)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# --- run -----------------------------------------------------------------------
fails=0
for r in $(seq "$RUNS"); do
  for s in "${SCRIPTS[@]}"; do
    log "run $r/$RUNS: $s"
    case "$s" in
      *nats) export NATS_URL="127.0.0.1:$NATS_PORT" ;;
      *mosquitto) export MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" ;;
    esac
    # each script aborts itself after TIMEOUT_S (120 s; W5: 300 s); this is the backstop
    case "$s" in w5-*) limit="${TIMEOUT_S:-300}" ;; *) limit="${TIMEOUT_S:-120}" ;; esac
    if ! timeout -k 5 "$(( limit + 30 ))" node "$HERE/$s.mjs"; then
      fails=$((fails + 1))
      log "$s failed (run $r)"
    fi
  done
done

[ -n "$NATS_PID" ] && printf '{"peer":"nats","metric":"server_peak_rss_kb","vmhwm_kb":%s,"date":"%s"}\n' "$(vmhwm_kb "$NATS_PID")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
[ -n "$MQTT_PID" ] && printf '{"peer":"mosquitto","metric":"server_peak_rss_kb","vmhwm_kb":%s,"date":"%s"}\n' "$(vmhwm_kb "$MQTT_PID")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '{"peer":"host","loadavg_end":"%s","date":"%s"}\n' "$(loadavg)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
[ $fails -eq 0 ] || { log "$fails script run(s) failed"; exit 1; }
