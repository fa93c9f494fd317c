#!/usr/bin/env bash
# A hot standby (streaming replica) of this machine's PostgreSQL cluster, for the replica tests and `make bench`.
#
#   config/standby.sh start   prepare the primary if needed, create the standby once (pg_basebackup -R), start it,
#                             wait until it streams and has applied what the primary had written when it began;
#                             rebuilt from a fresh base backup when it cannot catch up
#   config/standby.sh stop    stop the standby (the primary is untouched)
#   config/standby.sh status  exit 0 when the standby is up and streaming
#
# Idempotent; needs root or sudo (pg_createcluster, the primary's pg_hba.conf). Debian's postgresql-common layout:
# the standby is cluster $PG_VERSION/$STANDBY_CLUSTER on $STANDBY_PORT, a copy of the whole primary cluster.
set -euo pipefail

PG_VERSION=${PG_VERSION:-15}
PRIMARY_CLUSTER=${PRIMARY_CLUSTER:-main}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
STANDBY_CLUSTER=${STANDBY_CLUSTER:-standby}
STANDBY_PORT=${STANDBY_PORT:-5433}
DATA=/var/lib/postgresql/$PG_VERSION/$STANDBY_CLUSTER

if [ "$(id -u)" = 0 ]; then SUDO=""; AS_PG="runuser -u postgres --"; else SUDO="sudo"; AS_PG="sudo -u postgres"; fi

primary() { psql -h localhost -p "$PRIMARY_PORT" -U postgres -d postgres -XtAq -c "$1"; }
standby() { psql -h localhost -p "$STANDBY_PORT" -U postgres -d postgres -XtAq -c "$1" 2>/dev/null; }
log() { echo "standby: $*"; }
exists() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$STANDBY_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; }
streaming() { [ "$(standby "SELECT status FROM pg_stat_wal_receiver" || true)" = streaming ]; }

prepare_primary() {
    local restart=""
    case "$(primary 'SHOW wal_level')" in
        replica|logical) ;;
        *) primary "ALTER SYSTEM SET wal_level = replica"; restart=1 ;;
    esac
    if [ "$(primary 'SHOW max_wal_senders')" -lt 2 ]; then
        primary "ALTER SYSTEM SET max_wal_senders = 10"; restart=1
    fi
    # "all" in pg_hba.conf does not cover replication connections: they need a line of their own.
    local hba
    hba=$(primary "SHOW hba_file")
    if ! $SUDO grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$hba"; then
        log "allowing local replication connections in $hba"
        echo "host replication postgres 127.0.0.1/32 trust  # shequ standby (config/standby.sh)" | $SUDO tee -a "$hba" >/dev/null
        primary "SELECT pg_reload_conf()" >/dev/null
    fi
    if [ -n "$restart" ]; then
        log "restarting the primary for the replication settings"
        $SUDO pg_ctlcluster "$PG_VERSION" "$PRIMARY_CLUSTER" restart
    fi
}

build() {
    log "base backup of port $PRIMARY_PORT into $DATA"
    if exists; then
        $SUDO pg_ctlcluster "$PG_VERSION" "$STANDBY_CLUSTER" stop -m fast 2>/dev/null || true
    else
        $SUDO pg_createcluster "$PG_VERSION" "$STANDBY_CLUSTER" -p "$STANDBY_PORT" >/dev/null
        # Long reports on the standby must not be cancelled by the primary's vacuum.
        echo "hot_standby_feedback = on" | $SUDO tee -a "/etc/postgresql/$PG_VERSION/$STANDBY_CLUSTER/postgresql.conf" >/dev/null
    fi
    # The same clients may connect as to the primary (the tests and the portal use one set of credentials).
    $SUDO cp "$(primary 'SHOW hba_file')" "/etc/postgresql/$PG_VERSION/$STANDBY_CLUSTER/pg_hba.conf"
    $SUDO rm -rf "$DATA"
    $SUDO install -d -o postgres -g postgres -m 700 "$DATA"
    $AS_PG pg_basebackup -h localhost -p "$PRIMARY_PORT" -U postgres -D "$DATA" -R -X stream -c fast
}

wait_streaming() {
    for _ in $(seq 1 "$1"); do
        streaming && return 0
        sleep 1
    done
    return 1
}

wait_caught_up() {
    # Streaming is not enough: a standby that was down (or just built while the primary was busy) replays a
    # backlog first, and a reader would see it minutes behind. Wait until it has applied what the primary had
    # written when we asked.
    local target
    target=$(primary "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 "$1"); do
        [ "$(standby "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '$target') >= 0" || true)" = t ] && return 0
        sleep 0.5
    done
    return 1
}

start() {
    prepare_primary
    exists || build
    $SUDO pg_ctlcluster "$PG_VERSION" "$STANDBY_CLUSTER" start 2>/dev/null || true
    if ! wait_streaming 30; then
        # Down too long: the primary recycled the WAL it needs. A fresh copy is quicker than a diagnosis.
        log "not streaming; rebuilding"
        build
        $SUDO pg_ctlcluster "$PG_VERSION" "$STANDBY_CLUSTER" start
        wait_streaming 60 || { log "still not streaming; see /var/log/postgresql/"; exit 1; }
    fi
    wait_caught_up 600 || { log "streaming but still replaying after 5 minutes; see /var/log/postgresql/"; exit 1; }
    log "port $STANDBY_PORT streaming from port $PRIMARY_PORT, caught up"
}

case "${1:-start}" in
    start) start ;;
    stop) exists && $SUDO pg_ctlcluster "$PG_VERSION" "$STANDBY_CLUSTER" stop -m fast 2>/dev/null || true ;;
    status) streaming ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
