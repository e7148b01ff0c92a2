#!/usr/bin/env bash
# ssh-channel-bench.sh - Ferry's SSH server against OpenSSH sshd, in the same run, on 127.0.0.1.
#
# Builds `ferry` (release), starts `ferry ssh-serve --builtin-subsystems` and a private sshd
# (temporary configuration and host key; Subsystem discard = sh -c "cat >/dev/null", echo = cat),
# then for ROUNDS rounds, alternating which server goes first, drives both with the OpenSSH client:
#
#   discard    SIZE bytes of zeros into `ssh -s discard`          -> MB/s, server CPU s per GiB
#   echo       SIZE bytes into `ssh -s echo`, SIZE bytes back      -> MB/s (per direction), CPU s per GiB
#              (the returned byte count, or its sha256 with CHECK=sha256, must match)
#   handshake  HANDSHAKES sequential `ssh -s discard </dev/null`   -> logins/s, server CPU ms per login
#              (key exchange, ed25519 host key, ed25519 user key, one channel)
#
# Server CPU: each server runs in its own cgroup (v2 cpu.stat, or v1 cpuacct) when one can be
# created, so sshd's per-connection processes and subsystem children are counted; otherwise from
# /proc: utime+stime+cutime+cstime of the listener and its live descendants, read after the
# connection's processes have been reaped (see README.md).  Client CPU is the ssh process's.
#
# Environment:
#   ROUNDS=5                      rounds (1..50); summary values are medians over rounds
#   SIZE=1G                       bytes per transfer; suffix K, M or G (binary)
#   CIPHER=aes128-gcm@openssh.com cipher for both servers
#   KEX=curve25519-sha256         key exchange for both servers
#   MACS=hmac-sha2-256-etm@openssh.com   MAC (only used by non-AEAD ciphers)
#   HANDSHAKES=50                 logins per handshake measurement (1..1000)
#   SCENARIOS="discard echo handshake"
#   CHECK=count                   echo check: count (wc -c) or sha256
#   TIMEOUT=300                   seconds allowed for one client command
#   FERRY_BIN=PATH                use this ferry binary instead of building one
#   FERRY_BENCH_BUILD_LOCK=FILE   run the build under `flock FILE` (machines where builds must not overlap)
#   FERRY_SUBSYSTEMS=builtin      builtin: Ferry's in-process echo/discard; process: the same programs
#                                 as sshd's (cat, sh -c "cat>/dev/null") on pipes, like for like
#   FERRY_ARGS="..."              extra arguments for `ferry ssh-serve` (e.g. "--rekey-limit 4G")
#   SSHD=/usr/sbin/sshd           the sshd binary
#   CPU_ACCOUNTING=auto           auto (cgroup if possible), cgroup (required) or proc
#   KEEP_TMP=1                    keep the temporary directory (keys, configs, logs)
#
# Output: "RESULT ..." per scenario, server and round, then a summary table.
# Exit status non-zero on any failure or wrong byte count.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$ROOT/Benchmarks/lib/common.sh"
ROUNDS=${ROUNDS:-5}
SIZE=${SIZE:-1G}
CIPHER=${CIPHER:-aes128-gcm@openssh.com}
KEX=${KEX:-curve25519-sha256}
MACS=${MACS:-hmac-sha2-256-etm@openssh.com}
HANDSHAKES=${HANDSHAKES:-50}
SCENARIOS=${SCENARIOS:-discard echo handshake}
CHECK=${CHECK:-count}
TIMEOUT=${TIMEOUT:-300}
FERRY_BIN=${FERRY_BIN:-}
FERRY_SUBSYSTEMS=${FERRY_SUBSYSTEMS:-builtin}
FERRY_ARGS=${FERRY_ARGS:-}
SSHD=${SSHD:-$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)}
KEEP_TMP=${KEEP_TMP:-0}
CPU_ACCOUNTING=${CPU_ACCOUNTING:-auto}
HZ=$(getconf CLK_TCK)
SERVERS="ferry sshd"

die() {
    echo "ssh-channel-bench: ERROR: $*" >&2
    exit 1
}

# ---- parameters ----------------------------------------------------------------------------
in_range "$ROUNDS" 1 50 || die "ROUNDS must be 1..50"
in_range "$HANDSHAKES" 1 1000 || die "HANDSHAKES must be 1..1000"
in_range "$TIMEOUT" 1 86400 || die "TIMEOUT must be a number of seconds"
case $SIZE in
*[Kk]) BYTES=$((${SIZE%?} * 1024)) ;;
*[Mm]) BYTES=$((${SIZE%?} * 1048576)) ;;
*[Gg]) BYTES=$((${SIZE%?} * 1073741824)) ;;
*) BYTES=$SIZE ;;
esac
in_range "$BYTES" 1 $((64 * 1073741824)) || die "SIZE must be 1 byte .. 64G (suffix K, M, G)"
case $CHECK in count | sha256) ;; *) die "CHECK must be count or sha256" ;; esac
case $FERRY_SUBSYSTEMS in builtin | process) ;; *) die "FERRY_SUBSYSTEMS must be builtin or process" ;; esac
case $CPU_ACCOUNTING in auto | cgroup | proc) ;; *) die "CPU_ACCOUNTING must be auto, cgroup or proc" ;; esac
for s in $SCENARIOS; do
    case $s in discard | echo | handshake) ;; *) die "unknown scenario '$s'" ;; esac
done
for tool in ssh ssh-keygen timeout head wc awk sort; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$SSHD" ] || die "no sshd at '$SSHD' (set SSHD=)"
case $SSHD in /*) ;; *) die "SSHD must be an absolute path (sshd re-executes itself)" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
declare -A PID=() CG=() PORT=()
CG_KIND=none

cleanup() {
    local rc=$? name
    trap - EXIT INT TERM
    for name in $SERVERS; do stop_server "$name"; done
    if [ "$KEEP_TMP" = 1 ] || [ "$rc" != 0 ]; then
        [ "$rc" != 0 ] && [ -d "$TMP" ] && for f in "$TMP"/*.log; do
            [ -s "$f" ] && { echo "---- $(basename "$f") (last lines)" >&2; tail -n 15 "$f" >&2; }
        done
        echo "ssh-channel-bench: temporary files kept in $TMP" >&2
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

# ---- keys -----------------------------------------------------------------------------------
USER_NAME=$(id -un)
ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$TMP/client_key"
ssh-keygen -q -t ed25519 -N '' -C bench-ferry-host -f "$TMP/ferry_host_key"
ssh-keygen -q -t ed25519 -N '' -C bench-sshd-host -f "$TMP/sshd_host_key"
cp "$TMP/client_key.pub" "$TMP/authorized_keys"
mkdir "$TMP/home"

# ---- CPU accounting -------------------------------------------------------------------------
# A cgroup per server: cgroup v2 (cpu.stat usage_usec, needs no controller), else v1 cpuacct.
CG_BASE=
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts 2>/dev/null || true)
v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuacct(,|$)/ { print $2; exit }' /proc/mounts 2>/dev/null || true)
if [ "$CPU_ACCOUNTING" = proc ]; then
    :
elif [ -n "$v2" ] && mkdir "$v2/ferry-bench-$$-probe" 2>/dev/null; then
    rmdir "$v2/ferry-bench-$$-probe"
    CG_KIND=v2 CG_BASE=$v2
elif [ -n "$v1" ] && mkdir "$v1/ferry-bench-$$-probe" 2>/dev/null; then
    rmdir "$v1/ferry-bench-$$-probe"
    CG_KIND=v1 CG_BASE=$v1
fi
[ "$CPU_ACCOUNTING" = cgroup ] && [ "$CG_KIND" = none ] && die "cannot create a cgroup (CPU_ACCOUNTING=cgroup)"

settle() { # settle NAME: wait (up to 10 s) until only the listener is left, all children reaped
    local n _
    for _ in $(seq 1 100); do
        if [ "$CG_KIND" = none ]; then
            n=$(proc_tree "${PID[$1]}" | awk '{ print $2 }')
        else
            n=$(($(wc -l <"${CG[$1]}/cgroup.procs") - 1))
        fi
        [ "$n" -le 0 ] && return 0
        sleep 0.1
    done
    log "warning: $1 still has $n child process(es) 10 s after the client finished"
}

# launch NAME CMD...: start CMD in the background (inside the server's cgroup, if any)
launch() {
    local name=$1 cg=
    shift
    if [ "$CG_KIND" != none ]; then
        cg=$CG_BASE/ferry-bench-$$-$name
        mkdir "$cg"
        CG[$name]=$cg
    fi
    # the wrapper joins the cgroup before exec, so no process of the server runs outside it
    bash -c 'if [ -n "$1" ]; then echo $$ >"$1/cgroup.procs" || exit 1; fi; shift; exec "$@"' \
        bench-launch "$cg" "$@" </dev/null >"$TMP/$name.log" 2>&1 &
    PID[$name]=$!
}


start_ferry() {
    rm -f "$TMP/ferry.port"
    local subsystems=(--builtin-subsystems)
    # ferry splits a --subsystem program line at spaces, hence "cat>/dev/null" in one word
    [ "$FERRY_SUBSYSTEMS" = process ] &&
        subsystems=(--subsystem "discard=/bin/sh -c cat>/dev/null" --subsystem "echo=/bin/cat")
    # shellcheck disable=SC2086 # FERRY_ARGS is a list of words
    launch ferry "$FERRY" ssh-serve --listen 127.0.0.1:0 --port-file "$TMP/ferry.port" \
        --host-key "$TMP/ferry_host_key" --user "$USER_NAME" --authorized-keys "$TMP/authorized_keys" \
        "${subsystems[@]}" --log-level warning $FERRY_ARGS
    local _
    for _ in $(seq 1 100); do
        [ -s "$TMP/ferry.port" ] && break
        kill -0 "${PID[ferry]}" 2>/dev/null || die "ferry ssh-serve exited at start"
        sleep 0.1
    done
    [ -s "$TMP/ferry.port" ] || die "ferry ssh-serve did not report its port within 10 s"
    PORT[ferry]=$(tr -d '[:space:]' <"$TMP/ferry.port")
    is_uint "${PORT[ferry]}" || die "bad port file from ferry"
}

start_sshd() {
    [ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null ||
        die "/run/sshd (sshd's privilege separation directory) is missing and cannot be created"
    local attempt port _
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        port_busy "$port" && continue
        cat >"$TMP/sshd_config" <<EOF
# private benchmark sshd: loopback only, temporary keys
Port $port
ListenAddress 127.0.0.1
HostKey $TMP/sshd_host_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
AllowUsers $USER_NAME
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
PermitUserRC no
UseDNS no
PrintMotd no
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel ERROR
# sshd runs subsystems through the login shell; bash started by sshd reads ~/.bashrc, whose cost
# (often 100 ms or more) would be charged to sshd: sessions get an empty home instead
SetEnv HOME=$TMP/home
Subsystem discard /bin/sh -c "cat >/dev/null"
Subsystem echo /bin/cat
EOF
        "$SSHD" -t -f "$TMP/sshd_config" >"$TMP/sshd-check.log" 2>&1 || {
            cat "$TMP/sshd-check.log" >&2
            die "sshd rejects the configuration"
        }
        launch sshd "$SSHD" -D -e -f "$TMP/sshd_config"
        for _ in $(seq 1 100); do
            if port_listening "$port"; then
                PORT[sshd]=$port
                return 0
            fi
            kill -0 "${PID[sshd]}" 2>/dev/null || break
            sleep 0.1
        done
        log "sshd did not start on port $port (attempt $attempt); retrying"
        stop_server sshd
    done
    die "could not start sshd"
}

# ---- client ---------------------------------------------------------------------------------
# client NAME CPUFILE SUBSYSTEM: run the OpenSSH client against server NAME; its CPU seconds
# (user+sys of ssh, read as the cutime/cstime of the subshell that waited for it) go to CPUFILE.
client() {
    local name=$1 cpuf=$2 subsystem=$3
    (
        rc=0
        timeout -k 5 "$TIMEOUT" ssh -F /dev/null -T -p "${PORT[$name]}" -l "$USER_NAME" \
            -i "$TMP/client_key" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
            -o PubkeyAuthentication=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
            -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$TMP/known_hosts" \
            -o GlobalKnownHostsFile=/dev/null -o HostKeyAlgorithms=ssh-ed25519 -o UpdateHostKeys=no \
            -o Ciphers="$CIPHER" -o KexAlgorithms="$KEX" -o MACs="$MACS" -o Compression=no \
            -o ConnectTimeout=10 -o ControlMaster=no -o ControlPath=none -o LogLevel=ERROR \
            -s 127.0.0.1 "$subsystem" 2>>"$TMP/client.log" || rc=$?
        me=$BASHPID
        sed 's/^.*) //' "/proc/$me/stat" | awk -v hz="$HZ" '{ printf "%.4f\n", ($14 + $15) / hz }' >"$cpuf"
        exit "$rc"
    )
}


ZERO_SHA=
if [ "$CHECK" = sha256 ]; then
    ZERO_SHA=$(head -c "$BYTES" /dev/zero | sha256sum | cut -d' ' -f1)
fi

FAILED=0
RESULTS=$TMP/results
: >"$RESULTS"

fail() { # fail SCENARIO NAME ROUND WHY [FIGURES]
    echo "RESULT scenario=$1 server=$2 round=$3 ${5:+$5 }status=failed reason=\"$4\""
    FAILED=1
    kill -0 "${PID[$2]}" 2>/dev/null || die "$2 server is no longer running"
}

# transfer SCENARIO NAME ROUND
transfer() {
    local sc=$1 name=$2 round=$3 c0 c1 t0 t1 out='' ok=1 why='' secs scpu ccpu gib
    local cpuf=$TMP/client.cpu
    c0=$(server_cpu "$name")
    t0=$(now)
    if [ "$sc" = discard ]; then
        head -c "$BYTES" /dev/zero | client "$name" "$cpuf" discard >/dev/null || {
            ok=0 why="pipeline failed (${PIPESTATUS[*]})"
        }
    elif [ "$CHECK" = sha256 ]; then
        out=$(head -c "$BYTES" /dev/zero | client "$name" "$cpuf" echo | sha256sum | cut -d' ' -f1) || {
            ok=0 why="pipeline failed"
        }
        [ "$ok" = 0 ] || [ "$out" = "$ZERO_SHA" ] || ok=0 why="echoed data has sha256 $out, expected $ZERO_SHA"
    else
        out=$(head -c "$BYTES" /dev/zero | client "$name" "$cpuf" echo | wc -c) || ok=0 why="pipeline failed"
        out=${out//[[:space:]]/}
        [ "$ok" = 0 ] || [ "$out" = "$BYTES" ] || ok=0 why="echoed $out bytes, expected $BYTES"
    fi
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    secs=$(calc "$t1 - $t0" 4)
    scpu=$(calc "$c1 - $c0" 4)
    if [ "$ok" = 0 ]; then
        fail "$sc" "$name" "$round" "$why" "secs=$secs server_cpu_s=$scpu"
        return 0
    fi
    ccpu=$(cat "$cpuf")
    gib=$(calc "$BYTES / 1073741824" 6)
    local mbps cpg ccpg
    mbps=$(calc "$BYTES / 1e6 / $secs" 1)
    cpg=$(calc "$scpu / $gib" 3)
    ccpg=$(calc "$ccpu / $gib" 3)
    echo "RESULT scenario=$sc server=$name round=$round cipher=$CIPHER bytes=$BYTES secs=$secs mbps=$mbps server_cpu_s=$scpu server_cpu_s_per_gib=$cpg client_cpu_s=$ccpu client_cpu_s_per_gib=$ccpg status=ok"
    printf '%s %s %s %s %s %s\n' "$sc" "$name" "$round" "$mbps" "$cpg" "$ccpg" >>"$RESULTS"
}

# handshake NAME ROUND: HANDSHAKES sequential logins, each opening the discard subsystem
handshake() {
    local name=$1 round=$2 c0 c1 t0 t1 i csum=0 ok=1 why=''
    local cpuf=$TMP/client.cpu
    c0=$(server_cpu "$name")
    t0=$(now)
    for i in $(seq 1 "$HANDSHAKES"); do
        client "$name" "$cpuf" discard </dev/null >/dev/null || {
            ok=0 why="login $i failed"
            break
        }
        csum=$(calc "$csum + $(cat "$cpuf")" 4)
    done
    t1=$(now)
    settle "$name"
    c1=$(server_cpu "$name")
    if [ "$ok" = 0 ]; then
        fail handshake "$name" "$round" "$why"
        return 0
    fi
    local secs rate sms cms
    secs=$(calc "$t1 - $t0" 4)
    rate=$(calc "$HANDSHAKES / $secs" 1)
    sms=$(calc "($c1 - $c0) * 1000 / $HANDSHAKES" 2)
    cms=$(calc "$csum * 1000 / $HANDSHAKES" 2)
    echo "RESULT scenario=handshake server=$name round=$round cipher=$CIPHER kex=$KEX logins=$HANDSHAKES secs=$secs logins_per_s=$rate server_cpu_ms_per_login=$sms client_cpu_ms_per_login=$cms status=ok"
    printf 'handshake %s %s %s %s %s\n' "$name" "$round" "$rate" "$sms" "$cms" >>"$RESULTS"
}

# ---- start ----------------------------------------------------------------------------------
start_ferry
start_sshd
{
    printf '[127.0.0.1]:%s %s\n' "${PORT[ferry]}" "$(cut -d' ' -f1,2 "$TMP/ferry_host_key.pub")"
    printf '[127.0.0.1]:%s %s\n' "${PORT[sshd]}" "$(cut -d' ' -f1,2 "$TMP/sshd_host_key.pub")"
} >"$TMP/known_hosts"

rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && rev="$rev+dirty"
case $CG_KIND in
v2 | v1) acct="cgroup $CG_KIND (one per server)" ;;
*) acct="/proc listener+descendants incl. reaped children (no cgroup available)" ;;
esac
echo "# ferry $rev vs sshd $("$SSHD" -V 2>&1 | head -n1 || true); client $(ssh -V 2>&1)"
echo "# $(uname -sr), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
echo "# cipher=$CIPHER kex=$KEX size=$BYTES rounds=$ROUNDS handshakes=$HANDSHAKES check=$CHECK ferry_subsystems=$FERRY_SUBSYSTEMS"
echo "# ferry pid ${PID[ferry]} port ${PORT[ferry]}; sshd pid ${PID[sshd]} port ${PORT[sshd]}; server CPU: $acct"

# both servers must accept a login before anything is measured
for name in $SERVERS; do
    client "$name" "$TMP/client.cpu" discard </dev/null >/dev/null ||
        die "cannot log in to $name (see client.log / $name.log)"
done

# ---- rounds ---------------------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="ferry sshd"; else order="sshd ferry"; fi
    log "round $round/$ROUNDS (order: $order)"
    for sc in $SCENARIOS; do
        for name in $order; do
            kill -0 "${PID[$name]}" 2>/dev/null || die "$name server died"
            if [ "$sc" = handshake ]; then
                handshake "$name" "$round"
            else
                transfer "$sc" "$name" "$round"
            fi
        done
    done
done
ferry_rss=$(awk '/^VmHWM/ { printf "%.1f MiB\n", $2 / 1024 }' "/proc/${PID[ferry]}/status" 2>/dev/null || echo "?")

# ---- summary --------------------------------------------------------------------------------
median() { # median SCENARIO SERVER COLUMN: median over rounds, "nan" if none
    awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$RESULTS" | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
              printf "%.4g\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
row() { printf '%-10s %-14s %10s %18s %18s\n' "$@"; }
table() { # table SCENARIO
    local name
    for name in $SERVERS; do
        row "$1" "$name" "$(median "$1" "$name" 4)" "$(median "$1" "$name" 5)" "$(median "$1" "$name" 6)"
    done
    row "$1" "ferry/sshd" "$(ratio "$(median "$1" ferry 4)" "$(median "$1" sshd 4)")" \
        "$(ratio "$(median "$1" ferry 5)" "$(median "$1" sshd 5)")" \
        "$(ratio "$(median "$1" ferry 6)" "$(median "$1" sshd 6)")"
    row "$1" "  per round" "$(round_ratio "$1" 4)" "$(round_ratio "$1" 5)" "$(round_ratio "$1" 6)"
}

echo
echo "SUMMARY (medians over $ROUNDS rounds; MB/s = 1e6 bytes/s; echo MB/s counts one direction)"
row scenario server "MB/s" "server CPU s/GiB" "client CPU s/GiB"
for sc in discard echo; do
    case " $SCENARIOS " in *" $sc "*) table "$sc" ;; esac
done
case " $SCENARIOS " in
*" handshake "*)
    row scenario server "logins/s" "server CPU ms" "client CPU ms"
    table handshake
    ;;
esac
echo "(ferry/sshd: ratio of the medians; per round: median of the ratios within each round."
echo " Above 1 means Ferry is faster in MB/s and logins/s, and uses more CPU in the CPU columns.)"
echo "ferry peak RSS: $ferry_rss"

[ "$FAILED" = 0 ] || die "some measurements failed (see RESULT lines with status=failed)"
