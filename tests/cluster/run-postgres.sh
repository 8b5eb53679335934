#!/usr/bin/env bash
# The `webwx serve` failover test on PostgreSQL: a throwaway PostgreSQL cluster in a temporary
# directory (listening on a unix socket there only), three nodes, 300 accounts, one node
# SIGKILLed (tests/src/bin/cluster/). The cluster is stopped and the directory removed whatever
# happens; the exit status is the test's.
#
#   bash tests/cluster/run-postgres.sh [extra arguments for `cluster`]
#
# PostgreSQL's initdb and pg_ctl are taken from PATH or /usr/lib/postgresql/*/bin; when neither
# has them and this runs as root, Debian's `postgresql` package is installed. PostgreSQL refuses
# to run as root: as root, the server runs as the `postgres` user (created if missing).
# SKIP_BUILD=1 skips building the binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."

pg_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
        return 0
    fi
    return 1
}

if ! bin=$(pg_bin); then
    if [ "$(id -u)" != 0 ]; then
        echo "run-postgres.sh: PostgreSQL (initdb, pg_ctl) is not installed and this is not root" >&2
        exit 1
    fi
    echo "run-postgres.sh: installing PostgreSQL (Debian's postgresql package)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >/dev/null; then
        apt-get update >/dev/null
        apt-get install -y --no-install-recommends postgresql >/dev/null
    fi
    bin=$(pg_bin) || { echo "run-postgres.sh: no initdb after installing postgresql" >&2; exit 1; }
fi

# PostgreSQL's own user when we are root.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    pg_user=postgres
    if ! id -u "$pg_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
    fi
    as_pg=(runuser -u "$pg_user" --)
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --locked -p webwx-tests -p webwx-cli --bin cluster --bin webwx
fi
target="${CARGO_TARGET_DIR:-target}"

tmp=$(mktemp -d /tmp/webwx-pg.XXXXXX)
started=0
cleanup() {
    if [ "$started" = 1 ]; then
        "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$tmp/sock"
if [ "$(id -u)" = 0 ]; then
    chown -R "$pg_user" "$tmp"
fi
"${as_pg[@]}" "$bin/initdb" -D "$tmp/data" -U webwx --auth=trust --no-locale -E UTF8 -N >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }
started=1
"${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$tmp/sock' -c fsync=off -c max_connections=200" \
    start >/dev/null ||
    { cat "$tmp/postgres.log" >&2; exit 1; }
"$bin/createdb" -h "$tmp/sock" -U webwx webwx
echo "run-postgres.sh: $("$bin/postgres" --version) at $tmp/sock"

status=0
timeout --signal=TERM --kill-after=20 "${CLUSTER_TIMEOUT:-420}" \
    "$target/debug/cluster" --database "postgres://webwx@localhost/webwx?host=$tmp/sock" \
    --nodes 3 --accounts 300 "$@" || status=$?
if [ "$status" != 0 ]; then
    echo "run-postgres.sh: the test failed ($status); the end of PostgreSQL's log:" >&2
    tail -n 20 "$tmp/postgres.log" >&2 || true
fi
exit "$status"
