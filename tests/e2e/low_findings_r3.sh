#!/bin/sh
# low_findings_r3.sh: the smaller findings of the third review, as an operator meets them.
# - A CSV cut inside its last field (no line break after it) is named in a warning with its row
#   and value, by plan and in validate's report (it used to pass with exit 0 and no word).
# - A cell holding a line break and a fake "loket-import: error:" line cannot print a line of
#   its own: the error is one line.
# - A file whose name holds an escape sequence and a line break is shown by `runs` and
#   `runs show` on one line, without the escape byte.
# - A server that answers with a 2 MB header line gets an error saying so, not "Out of memory".
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
ESC=$(printf '\033')

# ---- a file cut inside its last field: "...;37," instead of "...;37,50" and its line break
head -c -4 "$CSV" >"$SIM_DIR/cut.csv"
tail -c 3 "$SIM_DIR/cut.csv" | grep -q '37,$' || fail "the cut file does not end in 37,"
li plan "$SIM_DIR/cut.csv" -m "$MAP" --period 2026-11
cat "$SIM_DIR/li.out" "$SIM_DIR/li.err" >"$SIM_DIR/both"
grep -q 'cut.csv: row [0-9]*, the last, has no line break after it: was the file cut off? Its last value reads "37,"' "$SIM_DIR/both" ||
    fail "plan does not warn of the cut last line: $(cat "$SIM_DIR/both")"
"$IMPORT_BIN" validate "$SIM_DIR/cut.csv" -m "$MAP" --period 2026-11 --report "$SIM_DIR/v.json" >/dev/null 2>&1
jq -e '.run.warnings | map(select(test("the last, has no line break"))) | length == 1' "$SIM_DIR/v.json" >/dev/null ||
    fail "validate's report lacks the warning: $(jq -c .run.warnings "$SIM_DIR/v.json")"
# a complete file gives no such warning
li plan "$CSV" -m "$MAP" --period 2026-11
grep -q "has no line break" "$SIM_DIR/li.out" "$SIM_DIR/li.err" && fail "a complete file is called cut off"

# ---- a cell with a line break cannot fake a line
{ head -n 1 "$CSV"; printf '"1001\nloket-import: error: fake line";1;Jansen;10;;;;;;\r\n'; } >"$SIM_DIR/nl.csv"
"$IMPORT_BIN" validate "$SIM_DIR/nl.csv" -m "$MAP" --period 2026-11 >"$SIM_DIR/v.out" 2>&1
grep -q "fake line" "$SIM_DIR/v.out" || fail "the cell's text is not quoted at all: $(cat "$SIM_DIR/v.out")"
grep -q "^loket-import: error: fake line" "$SIM_DIR/v.out" && fail "a cell printed a line of its own: $(cat "$SIM_DIR/v.out")"
li plan "$SIM_DIR/nl.csv" -m "$MAP" --period 2026-11
grep -q "^loket-import: error: fake line" "$SIM_DIR/li.out" "$SIM_DIR/li.err" && fail "plan: a cell printed a line of its own"

# ---- runs and runs show: a file name with an escape sequence and a line break, on one line
NAME=$(printf 'uren\033[31mROOD\nloket-import: fake.csv')
cp "$CSV" "$SIM_DIR/$NAME"
li apply "$SIM_DIR/$NAME" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "apply of the oddly named file: exit $LI_RC"
R=$(ls "$SIM_DIR/runs" | tail -n 1)
"$IMPORT_BIN" runs show "$R" --config "$SIM_DIR/config.json" >"$SIM_DIR/show" 2>&1 || fail "runs show failed"
"$IMPORT_BIN" runs --config "$SIM_DIR/config.json" >"$SIM_DIR/list" 2>&1 || fail "runs failed"
for f in show list; do
    grep -q "$ESC" "$SIM_DIR/$f" && fail "runs $f prints the escape byte"
    grep -q "^loket-import: fake.csv" "$SIM_DIR/$f" && fail "runs $f prints the file name's second line as a line"
    grep -q "ROOD" "$SIM_DIR/$f" || fail "runs $f does not show the file name"
done

# ---- a 2 MB header line: named, not "Out of memory"
cat >"$SIM_DIR/bighdr.py" <<'PY'
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
def serve(c):
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            d = c.recv(65536)
            if not d: return
            data += d
        if data.startswith(b"POST /token"):
            body = b'{"access_token":"a","token_type":"bearer","expires_in":3600,"refresh_token":"r"}'
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        else:
            c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"x" * (2 * 1024 * 1024) + b"\r\nContent-Length: 2\r\n\r\n{}")
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$SIM_DIR/bighdr.py" >"$SIM_DIR/bighdr.port" &
BIG=$!
i=0; while [ ! -s "$SIM_DIR/bighdr.port" ]; do i=$((i + 1)); [ $i -lt 50 ] || { kill $BIG; fail "header server did not start"; }; sleep 0.1; done
PORT=$(cat "$SIM_DIR/bighdr.port")
jq --arg a "http://127.0.0.1:$PORT/v2" --arg t "http://127.0.0.1:$PORT/token" \
    '.apiUrl = $a | .tokenUrl = $t | .tokenStore = "'"$SIM_DIR"'/big/tokens.json"' "$SIM_DIR/config.json" >"$SIM_DIR/big.json"
mkdir -m 700 "$SIM_DIR/big"
echo r | "$IMPORT_BIN" auth set-refresh-token --config "$SIM_DIR/big.json" >/dev/null 2>&1
timeout -k 2 60 "$IMPORT_BIN" employers --config "$SIM_DIR/big.json" >/dev/null 2>"$SIM_DIR/big.err"
rc=$?
kill $BIG 2>/dev/null; wait $BIG 2>/dev/null
[ "$rc" = 3 ] || fail "a 2 MB header: exit $rc, expected 3 ($(cat "$SIM_DIR/big.err"))"
grep -qi "out of memory" "$SIM_DIR/big.err" && fail "a 2 MB header is reported as out of memory: $(cat "$SIM_DIR/big.err")"
grep -q "headers are larger than a Loket answer's can be" "$SIM_DIR/big.err" || fail "a 2 MB header: $(cat "$SIM_DIR/big.err")"
echo "low_findings_r3: OK"
