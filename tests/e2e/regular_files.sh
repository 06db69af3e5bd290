#!/bin/sh
# regular_files.sh: only regular files are read as inputs, mappings, plans and configurations.
# /dev/zero as an input or as the mapping used to be read forever by plan and apply (an
# independent review saw it still running 699 s after the first SIGTERM); now each of /dev/zero,
# a FIFO nobody writes to and a Unix socket is refused by name within a second, exit 2 (3 for a
# configuration), nothing sent. A plan nested 200,000 deep is "not a valid plan", not a missing
# FILE.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
mkfifo "$SIM_DIR/fifo.csv" "$SIM_DIR/fifo.json"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SIM_DIR/sock.csv" ||
    fail "cannot make a Unix socket"
quick() { # expected-exit expected-text command args...: within 10 s, nothing sent
    want=$1 text=$2
    shift 2
    start=$(date +%s)
    timeout -k 2 10 "$IMPORT_BIN" "$@" --config "$SIM_DIR/config.json" >"$SIM_DIR/o" 2>"$SIM_DIR/e"
    rc=$?
    [ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "$*: still reading after 10 s (exit $rc)"
    [ "$rc" = "$want" ] || { cat "$SIM_DIR/o" "$SIM_DIR/e"; fail "$*: exit $rc, expected $want"; }
    grep -q "$text" "$SIM_DIR/o" "$SIM_DIR/e" || fail "$*: no '$text' in: $(cat "$SIM_DIR/e")"
    [ $(($(date +%s) - start)) -le 2 ] || fail "$*: took more than 2 s"
    [ "$(patch_count)" = 0 ] || fail "$*: something was sent"
}
for cmd in plan apply; do
    quick 2 "/dev/zero is a character device" $cmd /dev/zero -m "$MAP" --period 2026-11
    quick 2 "/dev/zero is a character device" $cmd "$CSV" -m /dev/zero --period 2026-11
    quick 2 "fifo.csv is a FIFO" $cmd "$SIM_DIR/fifo.csv" -m "$MAP" --period 2026-11
    quick 2 "fifo.json is a FIFO" $cmd "$CSV" -m "$SIM_DIR/fifo.json" --period 2026-11
    quick 2 "sock.csv is a socket" $cmd "$SIM_DIR/sock.csv" -m "$MAP" --period 2026-11
done
timeout 10 "$IMPORT_BIN" validate /dev/zero -m "$MAP" >"$SIM_DIR/o" 2>&1
[ $? = 2 ] && grep -q "/dev/zero is a character device" "$SIM_DIR/o" || fail "validate /dev/zero: $(cat "$SIM_DIR/o")"
quick 2 "fifo.json is a FIFO" apply "$SIM_DIR/fifo.json"
timeout 10 "$IMPORT_BIN" employers --config /dev/zero >/dev/null 2>"$SIM_DIR/e"
[ $? = 3 ] || fail "--config /dev/zero: expected exit 3"
grep -q "not a regular file" "$SIM_DIR/e" || fail "--config /dev/zero: $(cat "$SIM_DIR/e")"
# SIGTERM during a refused read is moot; a read that cannot end no longer exists
python3 -c 'print("[" * 200000 + "]" * 200000)' >"$SIM_DIR/deep.json"
quick 2 "not a valid plan" apply "$SIM_DIR/deep.json"
# ---- SIGTERM while a long file is read: exit 5 within a second, nothing sent (the reader stops
# within a row; it used to read on to the end: 4.5 s for 115 MB)
python3 -c '
import sys
hdr = open(sys.argv[1], "rb").readline()
with open(sys.argv[2], "wb") as f:
    f.write(hdr)
    f.write(b"1001;1;Jansen, J.;152,00;1,75;;;4,00;160,00;\r\n" * 1500000)' "$CSV" "$SIM_DIR/long.csv"
"$IMPORT_BIN" plan "$SIM_DIR/long.csv" -m "$MAP" --period 2026-11 --config "$SIM_DIR/config.json" >/dev/null 2>"$SIM_DIR/e" &
pid=$!
sleep 0.3
t0=$(date +%s%N)
kill -TERM $pid
wait $pid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "SIGTERM while reading 69 MB: exit $rc after $ms ms"
[ "$rc" = 5 ] || fail "SIGTERM while reading: exit $rc, expected 5"
[ "$ms" -le 1000 ] || fail "SIGTERM while reading took $ms ms"
[ "$(patch_count)" = 0 ] || fail "SIGTERM while reading: something was sent"
rm -f "$SIM_DIR/long.csv"
echo "regular_files: OK"
