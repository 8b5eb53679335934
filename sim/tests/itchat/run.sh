#!/usr/bin/env bash
# The simulator's fidelity check: ItChat 1.3.10, installed into a throwaway virtual environment,
# drives a whole session against a freshly started webwx-sim. Needs python3 and PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
cargo build --locked -q -p webwx-sim
work="$(mktemp -d)"
sim_pid=""
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "itchat==1.3.10"
"${CARGO_TARGET_DIR:-$root/target}/debug/webwx-sim" --port 0 > "$work/sim.out" 2> "$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 100); do
    grep -q '^listening on ' "$work/sim.out" 2>/dev/null && break
    sleep 0.1
done
base="$(head -1 "$work/sim.out" | awk '{print $3}')"
[ -n "$base" ] || { echo "webwx-sim did not start"; cat "$work/sim.err"; exit 1; }
cd "$work"
timeout 120 "$work/venv/bin/python" "$root/sim/tests/itchat/drive.py" "$base"
