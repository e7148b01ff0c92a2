#!/usr/bin/env bash
# sftp-server-bench.sh - `ferry serve` against OpenSSH sshd (internal-sftp), in the same run, on
# 127.0.0.1, both driven by the OpenSSH sftp client with the same cipher, key exchange and ed25519
# keys.
#
# Builds `ferry` (release), starts `ferry serve --storage local` (its own data directory, an ed25519
# host key, one user with the client key) and a private sshd (temporary configuration and host key,
# `Subsystem sftp internal-sftp -d DIR`), then for ROUNDS rounds, alternating which server goes
# first, runs the scenarios (SCENARIOS):
#
#   upload      `put` of a SIZE random file (sftp -b)                  -> MB/s, server CPU s per GiB
#   download    `get` of a SIZE random file                            -> MB/s, server CPU s per GiB
#               (both compared byte for byte with the original)
#   small_put   `put -r` of a directory of SMALL_COUNT x SMALL_KB KiB  -> files/s, server CPU ms per file
#   small_get   `get -r` of such a directory                           -> files/s, server CPU ms per file
#               (count and contents checked with diff -r)
#   list        `ls -l` of a directory of LIST_COUNT entries, LIST_REPEAT times per round -> seconds
#   concurrent  CONC sftp processes at once (`-R CONC_REQUESTS`), each uploading its own CONC_SIZE
#               file -> aggregate MB/s; lost files = missing or wrong size, plus sha256 of SAMPLE files
#   idle        IDLE sftp sessions held open (sftp -b FIFO, the FIFO kept open) on a freshly
#               restarted server; server memory before and after -> KiB per session
#               (ferry: its one process; sshd: all its processes; RSS and PSS)
#   handshake   HANDSHAKES sequential `sftp -b` logins running one `ls` -> server CPU ms per login
#
# Server CPU: each server runs in its own cgroup (v2 cpu.stat, or v1 cpuacct) when one can be
# created, so sshd's per-connection processes are counted; otherwise from /proc (see README.md).
#
# Environment:
#   ROUNDS=3                      rounds (1..50); summary values are medians over rounds
#   SIZE=1G                       bytes of the upload/download file; suffix K, M or G (binary)
#   SMALL_COUNT=2000 SMALL_KB=4   the small-file directory
#   LIST_COUNT=10000 LIST_REPEAT=3
#   CONC=50 CONC_SIZE=20M CONC_REQUESTS=64 SAMPLE=10
#   IDLE=100                      idle sessions
#   HANDSHAKES=50                 sequential logins
#   SCENARIOS="upload download small_put small_get list concurrent idle handshake"
#   CIPHER=aes128-gcm@openssh.com KEX=curve25519-sha256
#   SFTP_OPTS="..."               extra sftp options for every client (e.g. "-B 65536")
#   WORK_DIR=auto                 where test files live: /dev/shm when it has room, else /var/tmp
#   TIMEOUT=600                   seconds allowed for one client command
#   FERRY_BIN=PATH                use this ferry binary instead of building one
#   FERRY_BENCH_BUILD_LOCK=FILE   run the build under `flock FILE`
#   FERRY_LOG_LEVEL=info          ferry's log level (its default; logins and transfers are logged)
#   SSHD=/usr/sbin/sshd  SSHD_SFTP=internal-sftp (or /usr/lib/openssh/sftp-server)
#   SSHD_LOG_LEVEL=INFO           sshd's LogLevel (its default)
#   CPU_ACCOUNTING=auto           auto (cgroup if possible), cgroup (required) or proc
#   KEEP_TMP=1                    keep the temporary directory (keys, configs, logs, files)
#
# Output: "RESULT ..." per scenario, server and round, then a summary table with ratios and the
# targets. Exit status non-zero on any failure, wrong data or lost file.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$ROOT/Benchmarks/lib/common.sh"
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-1G}
SMALL_COUNT=${SMALL_COUNT:-2000}
SMALL_KB=${SMALL_KB:-4}
LIST_COUNT=${LIST_COUNT:-10000}
LIST_REPEAT=${LIST_REPEAT:-3}
CONC=${CONC:-50}
CONC_SIZE=${CONC_SIZE:-20M}
CONC_REQUESTS=${CONC_REQUESTS:-64}
SAMPLE=${SAMPLE:-10}
IDLE=${IDLE:-100}
HANDSHAKES=${HANDSHAKES:-50}
SCENARIOS=${SCENARIOS:-upload download small_put small_get list concurrent idle handshake}
CIPHER=${CIPHER:-aes128-gcm@openssh.com}
KEX=${KEX:-curve25519-sha256}
SFTP_OPTS=${SFTP_OPTS:-}
WORK_DIR=${WORK_DIR:-auto}
TIMEOUT=${TIMEOUT:-600}
FERRY_BIN=${FERRY_BIN:-}
FERRY_LOG_LEVEL=${FERRY_LOG_LEVEL:-info}
SSHD=${SSHD:-$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)}
SSHD_SFTP=${SSHD_SFTP:-internal-sftp}
SSHD_LOG_LEVEL=${SSHD_LOG_LEVEL:-INFO}
KEEP_TMP=${KEEP_TMP:-0}
CPU_ACCOUNTING=${CPU_ACCOUNTING:-auto}
HZ=$(getconf CLK_TCK)
SERVERS="ferry sshd"

die() {
    echo "sftp-server-bench: ERROR: $*" >&2
    exit 1
}

# ---- parameters ----------------------------------------------------------------------------
bytes_of() {
    case $1 in
    *[Kk]) echo $((${1%?} * 1024)) ;;
    *[Mm]) echo $((${1%?} * 1048576)) ;;
    *[Gg]) echo $((${1%?} * 1073741824)) ;;
    *) echo "$1" ;;
    esac
}
in_range "$ROUNDS" 1 50 || die "ROUNDS must be 1..50"
in_range "$SMALL_COUNT" 1 100000 || die "SMALL_COUNT must be 1..100000"
in_range "$SMALL_KB" 1 1048576 || die "SMALL_KB must be 1..1048576"
in_range "$LIST_COUNT" 1 1000000 || die "LIST_COUNT must be 1..1000000"
in_range "$LIST_REPEAT" 1 100 || die "LIST_REPEAT must be 1..100"
in_range "$CONC" 1 500 || die "CONC must be 1..500"
in_range "$CONC_REQUESTS" 1 1024 || die "CONC_REQUESTS must be 1..1024"
in_range "$SAMPLE" 0 500 || die "SAMPLE must be 0..500"
in_range "$IDLE" 1 500 || die "IDLE must be 1..500"
in_range "$HANDSHAKES" 1 1000 || die "HANDSHAKES must be 1..1000"
in_range "$TIMEOUT" 1 86400 || die "TIMEOUT must be a number of seconds"
BYTES=$(bytes_of "$SIZE")
in_range "$BYTES" 1 $((64 * 1073741824)) || die "SIZE must be 1 byte .. 64G (suffix K, M, G)"
CONC_BYTES=$(bytes_of "$CONC_SIZE")
in_range "$CONC_BYTES" 1 $((4 * 1073741824)) || die "CONC_SIZE must be 1 byte .. 4G"
case $CPU_ACCOUNTING in auto | cgroup | proc) ;; *) die "CPU_ACCOUNTING must be auto, cgroup or proc" ;; esac
for s in $SCENARIOS; do
    case $s in upload | download | small_put | small_get | list | concurrent | idle | handshake) ;;
    *) die "unknown scenario '$s'" ;;
    esac
done
has() { case " $SCENARIOS " in *" $1 "*) return 0 ;; esac; return 1; }
for tool in sftp ssh-keygen timeout head split cmp diff sha256sum awk sort mkfifo flock; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$SSHD" ] || die "no sshd at '$SSHD' (set SSHD=)"
case $SSHD in /*) ;; *) die "SSHD must be an absolute path (sshd re-executes itself)" ;; esac
[ $((SAMPLE)) -le "$CONC" ] || SAMPLE=$CONC

# ---- where the files live -------------------------------------------------------------------
# Client files and both servers' storage: the original SIZE file, a downloaded copy, each server's
# copy and upload, the concurrent files (CONC x CONC_SIZE, once locally and once per server).
NEED_KIB=$(((5 * BYTES + 3 * CONC * CONC_BYTES + 4 * SMALL_COUNT * (SMALL_KB + 4) * 1024) / 1024 + 262144))
if [ "$WORK_DIR" = auto ]; then
    shm_free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }' || echo 0)
    mem_free=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
    if [ -n "$shm_free" ] && [ "$shm_free" -gt "$NEED_KIB" ] && [ "$mem_free" -gt $((NEED_KIB + 2097152)) ]; then
        WORK_DIR=/dev/shm
    else
        WORK_DIR=/var/tmp
    fi
fi
[ -d "$WORK_DIR" ] || die "WORK_DIR $WORK_DIR is not a directory"
WORK_FS=$(df -PT "$WORK_DIR" | awk 'NR == 2 { print $2 }')
free_kib=$(df -Pk "$WORK_DIR" | awk 'NR == 2 { print $4 }')
[ "$free_kib" -gt "$NEED_KIB" ] || die "$WORK_DIR has $((free_kib / 1024)) MiB free, needs $((NEED_KIB / 1024)) MiB"

TMP=$(mktemp -d "$WORK_DIR/ferry-sftp-bench.XXXXXX")
chmod 755 "$TMP"
declare -A PID=() CG=() PORT=() RDIR=() RUSER=()
CG_KIND=none
CLIENT_PIDS=()
IDLE_FDS=()

stop_clients() {
    local p fd
    for fd in "${IDLE_FDS[@]}"; do eval "exec $fd>&-" 2>/dev/null || true; done
    IDLE_FDS=()
    for p in "${CLIENT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${CLIENT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    CLIENT_PIDS=()
}
cleanup() {
    local rc=$? name
    trap - EXIT INT TERM
    stop_clients
    for name in $SERVERS; do stop_server "$name"; done
    if [ "$KEEP_TMP" = 1 ] || [ "$rc" != 0 ]; then
        [ "$rc" != 0 ] && [ -d "$TMP" ] && for f in "$TMP"/*.log; do
            [ -s "$f" ] && { echo "---- $(basename "$f") (last lines)" >&2; tail -n 15 "$f" >&2; }
        done
        # the big test files are not worth keeping (they may fill a tmpfs)
        rm -rf "$TMP/client" "$TMP/ferry-data/home" "$TMP/sshd-root"
        echo "sftp-server-bench: temporary files (keys, configs, logs) kept in $TMP" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ferry ----------------------------------------------------------------------------------
if [ -z "$FERRY_BIN" ]; then
    build=(swift build -c release --product ferry)
    [ -n "${FERRY_BENCH_BUILD_LOCK:-}" ] && build=(flock "$FERRY_BENCH_BUILD_LOCK" "${build[@]}")
    log "building ferry (release) ..."
    (cd "$ROOT" && "${build[@]}") >"$TMP/build.log" 2>&1 || {
        tail -n 30 "$TMP/build.log" >&2
        die "build failed"
    }
    FERRY_BIN=$(cd "$ROOT" && swift build -c release --show-bin-path)/ferry
fi
[ -x "$FERRY_BIN" ] || die "no ferry binary at '$FERRY_BIN'"
# a private copy, so that a rebuild during the run cannot swap the binary under us
cp "$FERRY_BIN" "$TMP/ferry"
FERRY=$TMP/ferry

# ---- keys, users, directories ---------------------------------------------------------------
SSHD_USER=$(id -un)
FERRY_USER=bench
ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$TMP/client_key"
ssh-keygen -q -t ed25519 -N '' -C bench-ferry-host -f "$TMP/ferry_host_key"
ssh-keygen -q -t ed25519 -N '' -C bench-sshd-host -f "$TMP/sshd_host_key"
cp "$TMP/client_key.pub" "$TMP/authorized_keys"
mkdir "$TMP/home" "$TMP/client" "$TMP/ferry-data" "$TMP/sshd-root"
"$FERRY" user add "$FERRY_USER" --no-password --key "$TMP/client_key.pub" --data-dir "$TMP/ferry-data" \
    >"$TMP/ferry-user.log" 2>&1 || die "ferry user add failed: $(cat "$TMP/ferry-user.log")"
mkdir -p "$TMP/ferry-data/home/$FERRY_USER"
RDIR[ferry]=$TMP/ferry-data/home/$FERRY_USER # what the client sees as "/", its start directory
RDIR[sshd]=$TMP/sshd-root                     # internal-sftp -d: the start directory
RUSER[ferry]=$FERRY_USER
RUSER[sshd]=$SSHD_USER

# ---- CPU accounting -------------------------------------------------------------------------
CG_BASE=
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts 2>/dev/null || true)
v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuacct(,|$)/ { print $2; exit }' /proc/mounts 2>/dev/null || true)
if [ "$CPU_ACCOUNTING" = proc ]; then
    :
elif [ -n "$v2" ] && mkdir "$v2/ferry-sftp-bench-$$-probe" 2>/dev/null; then
    rmdir "$v2/ferry-sftp-bench-$$-probe"
    CG_KIND=v2 CG_BASE=$v2
elif [ -n "$v1" ] && mkdir "$v1/ferry-sftp-bench-$$-probe" 2>/dev/null; then
    rmdir "$v1/ferry-sftp-bench-$$-probe"
    CG_KIND=v1 CG_BASE=$v1
fi
[ "$CPU_ACCOUNTING" = cgroup ] && [ "$CG_KIND" = none ] && die "cannot create a cgroup (CPU_ACCOUNTING=cgroup)"

server_pids() { # server_pids NAME: every process of the server, one per line
    if [ "$CG_KIND" != none ]; then
        cat "${CG[$1]}/cgroup.procs"
    else
        { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="${PID[$1]}" '
            { pid = $1; r = $0; sub(/^.*\) /, "", r); split(r, f, " "); parent[pid] = f[2] }
            END { for (p in parent) { q = p; n = 0
                    while (q != root && q > 1 && n++ < 64) q = parent[q]
                    if (q == root) print p } }'
    fi
}
server_mem() { # server_mem NAME: "<rss KiB> <pss KiB> <processes>" summed over the server's processes
    local p
    for p in $(server_pids "$1"); do
        awk -v p="$p" '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { if (r != "") print r, s }' \
            "/proc/$p/smaps_rollup" 2>/dev/null || true
    done | awk '{ r += $1; s += $2; n++ } END { printf "%d %d %d\n", r, s, n }'
}
settle() { # settle NAME: wait (up to 20 s) until only the listener is left, all children reaped
    local n _
    for _ in $(seq 1 200); do
        if [ "$CG_KIND" = none ]; then
            n=$(proc_tree "${PID[$1]}" | awk '{ print $2 }')
        else
            n=$(($(wc -l <"${CG[$1]}/cgroup.procs") - 1))
        fi
        [ "$n" -le 0 ] && { sleep 0.2; return 0; }
        sleep 0.1
    done
    log "warning: $1 still has $n child process(es) 20 s after the client finished"
}

launch() { # launch NAME CMD...: start CMD in the background, inside the server's cgroup if any
    local name=$1 cg=
    shift
    if [ "$CG_KIND" != none ]; then
        cg=$CG_BASE/ferry-sftp-bench-$$-$name
        mkdir "$cg"
        CG[$name]=$cg
    fi
    bash -c 'if [ -n "$1" ]; then echo $$ >"$1/cgroup.procs" || exit 1; fi; shift; exec "$@"' \
        bench-launch "$cg" "$@" </dev/null >>"$TMP/$name.log" 2>&1 &
    PID[$name]=$!
}

wait_listening() { # wait_listening NAME PORT: up to 15 s
    local _
    for _ in $(seq 1 150); do
        port_listening "$2" && return 0
        kill -0 "${PID[$1]}" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
random_port() { echo $((20000 + (RANDOM * 32768 + RANDOM) % 40000)); }

start_ferry() {
    local attempt port
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$(random_port)
        port_busy "$port" && continue
        launch ferry env FERRY_HOST_KEYS="$TMP/ferry_host_key" FERRY_BAN_ENABLED=false \
            FERRY_LIMITS_MAX_CONNECTIONS=100000 FERRY_LIMITS_MAX_CONNECTIONS_PER_IP=100000 \
            FERRY_LOG_LEVEL="$FERRY_LOG_LEVEL" FERRY_USERS= \
            "$FERRY" serve --data-dir "$TMP/ferry-data" --listen "127.0.0.1:$port" --storage local
        if wait_listening ferry "$port"; then
            PORT[ferry]=$port
            return 0
        fi
        log "ferry did not start on port $port (attempt $attempt); retrying"
        stop_server ferry
    done
    die "could not start ferry serve"
}

start_sshd() {
    [ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null ||
        die "/run/sshd (sshd's privilege separation directory) is missing and cannot be created"
    local attempt port
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$(random_port)
        port_busy "$port" && continue
        cat >"$TMP/sshd_config" <<EOF
# private benchmark sshd: loopback only, temporary keys
Port $port
ListenAddress 127.0.0.1
HostKey $TMP/sshd_host_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
AllowUsers $SSHD_USER
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
PermitUserRC no
UseDNS no
PrintMotd no
PrintLastLog no
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel $SSHD_LOG_LEVEL
# many logins at once (concurrent uploads, idle sessions): no random early drops
MaxStartups 100000
# sftp-server as a program is run through the login shell; bash started by sshd reads ~/.bashrc
SetEnv HOME=$TMP/home
Subsystem sftp $SSHD_SFTP -d ${RDIR[sshd]}
EOF
        "$SSHD" -t -f "$TMP/sshd_config" >"$TMP/sshd-check.log" 2>&1 || {
            cat "$TMP/sshd-check.log" >&2
            die "sshd rejects the configuration"
        }
        launch sshd "$SSHD" -D -e -f "$TMP/sshd_config"
        if wait_listening sshd "$port"; then
            PORT[sshd]=$port
            return 0
        fi
        log "sshd did not start on port $port (attempt $attempt); retrying"
        stop_server sshd
    done
    die "could not start sshd"
}
write_known_hosts() {
    local name
    for name in $SERVERS; do
        if [ -n "${PORT[$name]:-}" ]; then
            printf '[127.0.0.1]:%s %s\n' "${PORT[$name]}" "$(cut -d' ' -f1,2 "$TMP/${name}_host_key.pub")"
        fi
    done >"$TMP/known_hosts"
}
start_server() {
    "start_$1"
    write_known_hosts
}

# ---- client ---------------------------------------------------------------------------------
# shellcheck disable=SC2206 # SFTP_OPTS is a list of words
EXTRA=($SFTP_OPTS)
sftp_cmd() { # sftp_cmd NAME BATCH [SFTP OPTIONS...]: the command line, into the array CMD
    local name=$1 batch=$2
    shift 2
    CMD=(sftp -F /dev/null -P "${PORT[$name]}" -i "$TMP/client_key"
        -o IdentitiesOnly=yes -o IdentityAgent=none -o PubkeyAuthentication=yes
        -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no
        -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$TMP/known_hosts"
        -o GlobalKnownHostsFile=/dev/null -o HostKeyAlgorithms=ssh-ed25519 -o UpdateHostKeys=no
        -o Ciphers="$CIPHER" -o KexAlgorithms="$KEX" -o Compression=no -o ConnectTimeout=20
        -o ControlMaster=no -o ControlPath=none -o LogLevel=ERROR
        "${EXTRA[@]}" "$@" -b "$batch" "${RUSER[$name]}@127.0.0.1")
}
# client NAME BATCH OUT [CPUFILE [SFTP OPTIONS...]]: run one sftp -b session; the CPU seconds of
# sftp and its ssh (cutime+cstime of the subshell that waited for them) go to CPUFILE.
client() {
    local name=$1 batch=$2 out=$3 cpuf=${4:-/dev/null}
    shift 3
    [ $# -gt 0 ] && shift
    sftp_cmd "$name" "$batch" "$@"
    (
        rc=0
        timeout -k 5 "$TIMEOUT" "${CMD[@]}" >"$out" 2>>"$TMP/client.log" </dev/null || rc=$?
        me=$BASHPID # (in the pipeline below, BASHPID would be that of sed's process)
        sed 's/^.*) //' "/proc/$me/stat" | awk -v hz="$HZ" '{ printf "%.4f\n", ($14 + $15) / hz }' >"$cpuf"
        exit "$rc"
    )
}
batch() { # batch LINES...: write an sftp batch file, print its path
    local f=$TMP/batch.$((++BATCH_SEQ))
    printf '%s\n' "$@" >"$f"
    echo "$f"
}
BATCH_SEQ=0

FAILED=0
RESULTS=$TMP/results
: >"$RESULTS"
load1() { # the 1-minute load average now (also kept for the summary)
    local l
    l=$(cut -d' ' -f1 /proc/loadavg)
    echo "$l" >>"$TMP/loads"
    echo "$l"
}

busy_cpus() { # busy_cpus: CPUs kept busy over one second (from /proc/stat), run while the servers are idle
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ")
        busy = y[1] - x[1]; idle = y[2] - x[2]
        printf "%.2f", (busy + idle > 0) ? n * busy / (busy + idle) : 0 }'
}

fail() { # fail SCENARIO NAME ROUND WHY [FIGURES]
    echo "RESULT scenario=$1 server=$2 round=$3 ${5:+$5 }status=failed reason=\"$4\""
    FAILED=1
    kill -0 "${PID[$2]}" 2>/dev/null || die "$2 server is no longer running"
}
record() { # record SCENARIO NAME ROUND V1 V2 V3 (the summary's three columns)
    printf '%s %s %s %s %s %s\n' "$@" >>"$RESULTS"
}

# ---- test data ------------------------------------------------------------------------------
log "test files in $TMP ($WORK_FS)"
C=$TMP/client
head -c "$BYTES" /dev/urandom >"$C/big.bin"
mkdir "$C/small" "$C/conc" "$C/list"
head -c $((SMALL_COUNT * SMALL_KB * 1024)) /dev/urandom | split -a 6 -d -b $((SMALL_KB * 1024)) - "$C/small/f"
for i in $(seq -f '%03g' 0 $((CONC - 1))); do
    head -c "$CONC_BYTES" /dev/urandom >"$C/conc/c$i.bin"
done
(cd "$C/conc" && sha256sum c*.bin) >"$C/conc.sha256"
(cd "$C/list" && seq -f 'entry%06g' 1 "$LIST_COUNT" | xargs touch)
# what the download scenarios read is put on each server's storage directly (both use local disk)
for name in $SERVERS; do
    d=${RDIR[$name]}
    has download && cp "$C/big.bin" "$d/big.bin"
    has small_get && cp -r "$C/small" "$d/small"
    has list && cp -r "$C/list" "$d/list"
    mkdir "$d/up"
done

# ---- scenarios ------------------------------------------------------------------------------
# big NAME ROUND upload|download
big() {
    local name=$1 round=$2 sc=$3 c0 c1 t0 t1 b out=$TMP/out ok=1 why='' ld
    local cpuf=$TMP/client.cpu target=${RDIR[$name]}/up/big.$round.bin
    rm -f "$C/down.bin"
    if [ "$sc" = upload ]; then
        b=$(batch "put $C/big.bin up/big.$round.bin")
    else
        b=$(batch "get big.bin $C/down.bin")
    fi
    ld=$(load1)
    c0=$(server_cpu "$name")
    t0=$(now)
    client "$name" "$b" "$out" "$cpuf" || ok=0 why="sftp failed"
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    if [ "$ok" = 1 ]; then
        if [ "$sc" = upload ]; then
            cmp -s "$C/big.bin" "$target" || ok=0 why="uploaded file differs from the original"
        else
            cmp -s "$C/big.bin" "$C/down.bin" || ok=0 why="downloaded file differs from the original"
        fi
    fi
    rm -f "$C/down.bin" "$target"
    local secs scpu ccpu gib
    secs=$(calc "$t1 - $t0" 4)
    scpu=$(calc "$c1 - $c0" 4)
    [ "$ok" = 1 ] || { fail "$sc" "$name" "$round" "$why" "secs=$secs load1=$ld"; return 0; }
    ccpu=$(cat "$cpuf")
    gib=$(calc "$BYTES / 1073741824" 6)
    local mbps cpg ccpg
    mbps=$(calc "$BYTES / 1e6 / $secs" 1)
    cpg=$(calc "$scpu / $gib" 3)
    ccpg=$(calc "$ccpu / $gib" 3)
    echo "RESULT scenario=$sc server=$name round=$round bytes=$BYTES secs=$secs mbps=$mbps server_cpu_s=$scpu server_cpu_s_per_gib=$cpg client_cpu_s_per_gib=$ccpg load1=$ld status=ok"
    record "$sc" "$name" "$round" "$mbps" "$cpg" "$ccpg"
}

# small NAME ROUND small_put|small_get
small() {
    local name=$1 round=$2 sc=$3 c0 c1 t0 t1 b out=$TMP/out ok=1 why='' ld n dest
    if [ "$sc" = small_put ]; then
        dest=${RDIR[$name]}/up/small.$round
        b=$(batch "put -r $C/small up/small.$round")
    else
        dest=$C/small.get
        rm -rf "$dest"
        b=$(batch "get -r small $dest")
    fi
    ld=$(load1)
    c0=$(server_cpu "$name")
    t0=$(now)
    client "$name" "$b" "$out" || ok=0 why="sftp failed"
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    if [ "$ok" = 1 ]; then
        n=$(find "$dest" -type f | wc -l)
        if [ "$n" != "$SMALL_COUNT" ]; then
            ok=0 why="$n files arrived, expected $SMALL_COUNT"
        elif ! diff -rq "$C/small" "$dest" >/dev/null; then
            ok=0 why="contents differ"
        fi
    fi
    rm -rf "$dest"
    local secs scpu
    secs=$(calc "$t1 - $t0" 4)
    scpu=$(calc "$c1 - $c0" 4)
    [ "$ok" = 1 ] || { fail "$sc" "$name" "$round" "$why" "secs=$secs load1=$ld"; return 0; }
    local fps cpf
    fps=$(calc "$SMALL_COUNT / $secs" 1)
    cpf=$(calc "$scpu * 1000 / $SMALL_COUNT" 3)
    echo "RESULT scenario=$sc server=$name round=$round files=$SMALL_COUNT file_kib=$SMALL_KB secs=$secs files_per_s=$fps server_cpu_s=$scpu server_cpu_ms_per_file=$cpf load1=$ld status=ok"
    record "$sc" "$name" "$round" "$fps" "$cpf" "$secs"
}

# list NAME ROUND: LIST_REPEAT times `ls -l list`; the round's figure is their median
list() {
    local name=$1 round=$2 c0 c1 t0 t1 b out=$TMP/out ld i n secs all=() scpu=0
    b=$(batch "ls -l list")
    ld=$(load1)
    for i in $(seq 1 "$LIST_REPEAT"); do
        c0=$(server_cpu "$name")
        t0=$(now)
        client "$name" "$b" "$out" || { fail list "$name" "$round" "sftp failed" "load1=$ld"; return 0; }
        t1=$(now)
        settle "$name"
        c1=$(server_cpu "$name")
        n=$(grep -c 'entry[0-9]' "$out" || true)
        [ "$n" = "$LIST_COUNT" ] || { fail list "$name" "$round" "listed $n entries, expected $LIST_COUNT" "load1=$ld"; return 0; }
        all+=("$(calc "$t1 - $t0" 4)")
        scpu=$(calc "$scpu + $c1 - $c0" 4)
    done
    secs=$(printf '%s\n' "${all[@]}" | sort -g | awk '{ a[NR] = $1 } END {
        printf "%.4f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    local eps cpl
    eps=$(calc "$LIST_COUNT / $secs" 0)
    cpl=$(calc "$scpu * 1000 / $LIST_REPEAT" 1)
    echo "RESULT scenario=list server=$name round=$round entries=$LIST_COUNT runs=\"${all[*]}\" secs=$secs entries_per_s=$eps server_cpu_ms_per_listing=$cpl load1=$ld status=ok"
    record list "$name" "$round" "$secs" "$cpl" "$eps"
}

# concurrent NAME ROUND: CONC sftp processes at once, each uploading its own file
concurrent() {
    local name=$1 round=$2 c0 c1 t0 t1 ld i pids=() rc failed=0
    local dir=up/conc.$round
    local d=${RDIR[$name]}/up/conc.$round
    mkdir -p "$d" # the target directory, made behind the server's back (both serve local disk)
    for i in $(seq -f '%03g' 0 $((CONC - 1))); do
        echo "put $C/conc/c$i.bin $dir/c$i.bin" >"$TMP/conc.$i.batch"
    done
    ld=$(load1)
    c0=$(server_cpu "$name")
    t0=$(now)
    for i in $(seq -f '%03g' 0 $((CONC - 1))); do
        sftp_cmd "$name" "$TMP/conc.$i.batch" -R "$CONC_REQUESTS"
        timeout -k 5 "$TIMEOUT" "${CMD[@]}" >/dev/null 2>"$TMP/conc.$i.err" </dev/null &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        rc=0
        wait "${pids[$i]}" || rc=$?
        [ "$rc" = 0 ] || failed=$((failed + 1))
    done
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    # verification on the server's disk: every file there with the right size, a sample hashed
    local present=0 right=0 sampled=0 badsum=0 f sz want extra
    for i in $(seq -f '%03g' 0 $((CONC - 1))); do
        f=$d/c$i.bin
        [ -f "$f" ] || continue
        present=$((present + 1))
        sz=$(stat -c %s "$f")
        [ "$sz" = "$CONC_BYTES" ] && right=$((right + 1))
    done
    extra=$(find "$d" -mindepth 1 -not -name 'c[0-9][0-9][0-9].bin' | wc -l)
    if [ "$SAMPLE" -gt 0 ]; then
        for i in $(seq 0 $((CONC / SAMPLE)) $((CONC - 1)) | head -n "$SAMPLE"); do
            i=$(printf '%03d' "$i")
            want=$(awk -v f="c$i.bin" '$2 == f { print $1 }' "$C/conc.sha256")
            sampled=$((sampled + 1))
            [ -f "$d/c$i.bin" ] && [ "$(sha256sum <"$d/c$i.bin" | cut -d' ' -f1)" = "$want" ] ||
                badsum=$((badsum + 1))
        done
    fi
    rm -rf "$d"
    local lost=$((CONC - right)) secs scpu mbps cpg total=$((CONC * CONC_BYTES))
    secs=$(calc "$t1 - $t0" 4)
    scpu=$(calc "$c1 - $c0" 4)
    mbps=$(calc "$total / 1e6 / $secs" 1)
    cpg=$(calc "$scpu / ($total / 1073741824)" 3)
    local figures="sessions=$CONC bytes_each=$CONC_BYTES secs=$secs mbps=$mbps server_cpu_s=$scpu server_cpu_s_per_gib=$cpg failed_clients=$failed present=$present right_size=$right lost=$lost stray_files=$extra sampled=$sampled bad_checksums=$badsum load1=$ld"
    if [ "$failed" != 0 ] || [ "$lost" != 0 ] || [ "$badsum" != 0 ] || [ "$extra" != 0 ]; then
        local e
        e=$(cat "$TMP"/conc.*.err | grep -v '^$' | head -n 1 || true)
        fail concurrent "$name" "$round" "$failed clients failed, $lost lost, $badsum bad checksums, $extra stray files${e:+; e.g. $e}" "$figures"
        record concurrent "$name" "$round" "$mbps" "$cpg" "$lost"
        return 0
    fi
    echo "RESULT scenario=concurrent server=$name round=$round $figures status=ok"
    record concurrent "$name" "$round" "$mbps" "$cpg" "$lost"
}

# idle NAME ROUND: restart the server, hold IDLE sessions open, memory before and after
idle() {
    local name=$1 round=$2 i fd pids=() ld b out=$TMP/out
    stop_server "$name"
    start_server "$name"
    # a couple of logins first, so one-time initialisation is not charged to the sessions
    b=$(batch "pwd")
    for i in 1 2 3; do client "$name" "$b" "$out" || { fail idle "$name" "$round" "warm-up login failed"; return 0; }; done
    settle "$name"
    sleep 1
    ld=$(load1)
    local before after
    before=$(server_mem "$name")
    rm -rf "$TMP/idle"
    mkdir "$TMP/idle"
    for i in $(seq 1 "$IDLE"); do
        mkfifo "$TMP/idle/$i.fifo"
        exec {fd}<>"$TMP/idle/$i.fifo" # read-write: never blocks, and sftp sees no EOF while it is open
        IDLE_FDS+=("$fd")
    done
    local t0 t1
    t0=$(now)
    for i in $(seq 1 "$IDLE"); do
        sftp_cmd "$name" "$TMP/idle/$i.fifo"
        (
            for fd in "${IDLE_FDS[@]}"; do eval "exec $fd>&-"; done # only the script holds the FIFOs
            exec timeout -k 5 "$TIMEOUT" "${CMD[@]}" >"$TMP/idle/$i.out" 2>&1 </dev/null
        ) &
        pids+=($!)
        CLIENT_PIDS+=($!)
        echo pwd >&"${IDLE_FDS[$((i - 1))]}"
    done
    # every session has logged in and answered pwd
    local ready=0 deadline
    deadline=$(($(date +%s) + 180))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        ready=$({ grep -l 'Remote working directory' "$TMP"/idle/*.out 2>/dev/null || true; } | wc -l)
        [ "$ready" -ge "$IDLE" ] && break
        sleep 0.5
    done
    t1=$(now)
    sleep 2
    after=$(server_mem "$name")
    local alive=0 p
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
    # EOF on every FIFO: the clients quit
    for fd in "${IDLE_FDS[@]}"; do eval "exec $fd>&-"; done
    IDLE_FDS=()
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    CLIENT_PIDS=()
    settle "$name"
    local est
    est=$(calc "$t1 - $t0" 2)
    if [ "$ready" -lt "$IDLE" ] || [ "$alive" -lt "$IDLE" ]; then
        fail idle "$name" "$round" "only $ready of $IDLE sessions ready, $alive still connected" "load1=$ld"
        return 0
    fi
    local r0 p0 n0 r1 p1 n1
    read -r r0 p0 n0 <<<"$before"
    read -r r1 p1 n1 <<<"$after"
    local rps pps ppp
    rps=$(calc "($r1 - $r0) / $IDLE" 1)
    pps=$(calc "($p1 - $p0) / $IDLE" 1)
    ppp=$(calc "($n1 - $n0) / $IDLE" 1)
    echo "RESULT scenario=idle server=$name round=$round sessions=$IDLE rss_kib_before=$r0 rss_kib_after=$r1 pss_kib_before=$p0 pss_kib_after=$p1 procs_before=$n0 procs_after=$n1 rss_kib_per_session=$rps pss_kib_per_session=$pps procs_per_session=$ppp establish_secs=$est load1=$ld status=ok"
    record idle "$name" "$round" "$rps" "$pps" "$ppp"
}

# handshake NAME ROUND: HANDSHAKES sequential logins, each running one `ls`
handshake() {
    local name=$1 round=$2 c0 c1 t0 t1 i ok=1 why='' b ld out=$TMP/out
    b=$(batch "ls")
    ld=$(load1)
    c0=$(server_cpu "$name")
    t0=$(now)
    for i in $(seq 1 "$HANDSHAKES"); do
        client "$name" "$b" "$out" || { ok=0 why="login $i failed"; break; }
    done
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    [ "$ok" = 1 ] || { fail handshake "$name" "$round" "$why" "load1=$ld"; return 0; }
    local secs rate sms
    secs=$(calc "$t1 - $t0" 4)
    rate=$(calc "$HANDSHAKES / $secs" 1)
    sms=$(calc "($c1 - $c0) * 1000 / $HANDSHAKES" 2)
    echo "RESULT scenario=handshake server=$name round=$round logins=$HANDSHAKES secs=$secs logins_per_s=$rate server_cpu_ms_per_login=$sms load1=$ld status=ok"
    record handshake "$name" "$round" "$rate" "$sms" "$secs"
}

run_scenario() { # run_scenario SCENARIO NAME ROUND
    case $1 in
    upload | download) big "$2" "$3" "$1" ;;
    small_put | small_get) small "$2" "$3" "$1" ;;
    *) "$1" "$2" "$3" ;;
    esac
}

# ---- start ----------------------------------------------------------------------------------
start_server ferry
start_server sshd

rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && rev="$rev+dirty"
case $CG_KIND in
v2 | v1) acct="cgroup $CG_KIND (one per server)" ;;
*) acct="/proc listener+descendants incl. reaped children (no cgroup available)" ;;
esac
echo "# ferry $FERRY_BIN (repository at $rev) vs sshd $("$SSHD" -V 2>&1 | head -n1 || true) with $SSHD_SFTP; client $(ssh -V 2>&1)"
echo "# $(uname -sr), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true), $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM"
echo "# files on $WORK_DIR ($WORK_FS), ferry --storage local; cipher=$CIPHER kex=$KEX rounds=$ROUNDS size=$BYTES small=${SMALL_COUNT}x${SMALL_KB}KiB list=$LIST_COUNT conc=${CONC}x$CONC_BYTES idle=$IDLE handshakes=$HANDSHAKES"
echo "# ferry log level $FERRY_LOG_LEVEL, sshd LogLevel $SSHD_LOG_LEVEL; server CPU: $acct"

# both servers must accept a login before anything is measured
for name in $SERVERS; do
    client "$name" "$(batch pwd)" "$TMP/out" || die "cannot log in to $name (see client.log / $name.log)"
done

# ---- rounds ---------------------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="ferry sshd"; else order="sshd ferry"; fi
    other=$(busy_cpus)
    echo "$other" >>"$TMP/busy"
    log "round $round/$ROUNDS (order: $order), loadavg $(cut -d' ' -f1-3 /proc/loadavg), other load $other CPUs"
    echo "# round $round: loadavg $(cut -d' ' -f1-3 /proc/loadavg); CPUs busy with other work (1 s, servers idle): $other of $(nproc)"
    for sc in $SCENARIOS; do
        for name in $order; do
            kill -0 "${PID[$name]}" 2>/dev/null || die "$name server died"
            run_scenario "$sc" "$name" "$round"
        done
    done
done
ferry_rss=$(awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/${PID[ferry]}/status" 2>/dev/null || echo "?")

# ---- summary --------------------------------------------------------------------------------
median() { # median SCENARIO SERVER COLUMN: median over rounds, "nan" if none
    awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$RESULTS" | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
              m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
              if (m >= 1000 || m <= -1000) printf "%.0f\n", m; else printf "%.4g\n", m }'
}
row() { printf '%-11s %-11s %16s %20s %20s\n' "$@"; }
table() { # table SCENARIO HEADER1 HEADER2 HEADER3
    local sc=$1 name
    has "$sc" || return 0
    row scenario server "$2" "$3" "$4"
    for name in $SERVERS; do
        row "$sc" "$name" "$(median "$sc" "$name" 4)" "$(median "$sc" "$name" 5)" "$(median "$sc" "$name" 6)"
    done
    row "$sc" "ferry/sshd" "$(ratio "$(median "$sc" ferry 4)" "$(median "$sc" sshd 4)")" \
        "$(ratio "$(median "$sc" ferry 5)" "$(median "$sc" sshd 5)")" \
        "$(ratio "$(median "$sc" ferry 6)" "$(median "$sc" sshd 6)")"
    row "$sc" "  per round" "$(round_ratio "$sc" 4)" "$(round_ratio "$sc" 5)" "$(round_ratio "$sc" 6)"
}

echo
echo "SUMMARY (medians over $ROUNDS rounds; MB/s = 1e6 bytes/s of wall time, login included; files on $WORK_FS)"
table upload "MB/s" "server CPU s/GiB" "client CPU s/GiB"
table download "MB/s" "server CPU s/GiB" "client CPU s/GiB"
table small_put "files/s" "server CPU ms/file" "seconds"
table small_get "files/s" "server CPU ms/file" "seconds"
table list "seconds" "server CPU ms/ls" "entries/s"
table concurrent "MB/s" "server CPU s/GiB" "lost files"
table idle "RSS KiB/session" "PSS KiB/session" "processes/session"
table handshake "logins/s" "server CPU ms/login" "seconds"
echo "(ferry/sshd: ratio of the medians; per round: median of the ratios within each round."
echo " Above 1 means Ferry is faster in MB/s, files/s, entries/s and logins/s, and uses more in the"
echo " CPU, memory and seconds columns.)"
echo "ferry peak RSS (VmHWM, since the idle scenario's restart): $ferry_rss"
echo "CPUs busy with other work at each round's start: $(tr '\n' ' ' <"$TMP/busy") (of $(nproc))"
echo "loadavg (1 min) at the measurements (includes this script's own clients): $(sort -g "$TMP/loads" 2>/dev/null | awk '{ a[NR] = $1 } END { if (NR) printf "min %s median %s max %s", a[1], a[int((NR + 1) / 2)], a[NR] }')"

# ---- targets --------------------------------------------------------------------------------
target() { # target LABEL VALUE OP LIMIT UNIT
    local verdict
    verdict=$(awk -v v="$2" -v op="$3" -v t="$4" 'BEGIN { if (v == "nan" || v == "n/a") { print "n/a"; exit }
        ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
        printf "%s (%+.0f%% of the target)", ok ? "met" : "MISSED", (v / t - 1) * 100 }')
    printf 'TARGET %-34s %10s %s %s %-6s %s\n' "$1" "$2" "$3" "$4" "$5" "$verdict"
}
echo
for sc in upload download small_put small_get concurrent; do
    has "$sc" && target "$sc ferry/sshd throughput" "$(ratio "$(median "$sc" ferry 4)" "$(median "$sc" sshd 4)")" ">=" 1.5 "x"
done
if has concurrent; then
    lost=$(awk '$1 == "concurrent" && $2 == "ferry" { s += $6 } END { print s + 0 }' "$RESULTS")
    printf 'TARGET %-34s %10s == 0 files  %s\n' "concurrent ferry lost files" "$lost" "$([ "$lost" = 0 ] && echo met || echo MISSED)"
fi
has idle && target "idle ferry RSS per session" "$(median idle ferry 4)" "<=" 32 "KiB"
has handshake && target "handshake ferry server CPU" "$(median handshake ferry 5)" "<=" 3 "ms"

[ "$FAILED" = 0 ] || die "some measurements failed (see RESULT lines with status=failed)"
