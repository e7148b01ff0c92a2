#!/usr/bin/env bash
# sftp-client-bench.sh - `ferry get` (or `put`) of one big file from (to) OpenSSH's sshd, side by side with
# OpenSSH's sftp, rclone and Paramiko, in the same run, on 127.0.0.1.
#
# Starts a private sshd (temporary host key and configuration, `Subsystem sftp internal-sftp`, one
# authorised ed25519 client key), writes a SIZE random file, then for ROUNDS rounds runs every client in
# turn (the order rotates each round), each downloading the file to a fresh local name (DIRECTION=get) or
# uploading it to a fresh remote name (DIRECTION=put):
#
#   ferry          ferry get / put (defaults: 64 requests in flight, sizes from limits@openssh.com)
#   openssh        sftp -b with `get` / `put` (its defaults)
#   rclone         rclone copyto from / to an :sftp: remote (defaults: 4 streams for downloads over 256 MiB)
#   rclone_single  the same with --multi-thread-streams 0 (one stream, like the others)
#   paramiko       SFTPClient.get() / put() (prefetch on for get, its default)
#
# Every copy is checked with sha256 against the original. Every client uses the same cipher (CIPHER) and
# key exchange, the same key, and the same file system (WORK_DIR) on both sides.
#
# Environment:
#   DIRECTION=get            get (download) or put (upload)
#   ROUNDS=3 SIZE=1G CLIENTS="ferry openssh rclone rclone_single paramiko"
#   CIPHER=aes128-gcm@openssh.com KEX=curve25519-sha256
#   WORK_DIR=auto            /dev/shm when it has room for two copies, else /var/tmp
#   FERRY_BIN=PATH           use this ferry binary instead of building one (release)
#   FERRY_BENCH_BUILD_LOCK=FILE  run the build under `flock FILE`
#   PYTHON=python3           an interpreter with paramiko (scripts/test.sh's venv has it)
#   KEEP_TMP=1               keep the temporary directory
#
# Output: "RESULT client=NAME round=N mbps=… secs=… cpu_s_per_gib=…" per run, then per client: the median
# speed and its ratio to OpenSSH's median, the median of the per-round ratios to OpenSSH's sftp (the two ran
# back to back), and the median CPU time the client spent per GiB (user + system, child processes included).
# Ferry's target: >= 1.00 x OpenSSH sftp. Exit status non-zero on any failure or checksum mismatch.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$ROOT/Benchmarks/lib/common.sh"
ROUNDS=${ROUNDS:-3}
DIRECTION=${DIRECTION:-get}
case $DIRECTION in get | put) ;; *) log "DIRECTION must be get or put"; exit 2 ;; esac
SIZE=${SIZE:-1G}
CLIENTS=${CLIENTS:-ferry openssh rclone rclone_single paramiko}
CIPHER=${CIPHER:-aes128-gcm@openssh.com}
KEX=${KEX:-curve25519-sha256}
PYTHON=${PYTHON:-python3}
SSHD=${SSHD:-/usr/sbin/sshd}

case $SIZE in
*G) BYTES=$((${SIZE%G} << 30)) ;;
*M) BYTES=$((${SIZE%M} << 20)) ;;
*K) BYTES=$((${SIZE%K} << 10)) ;;
*) BYTES=$SIZE ;;
esac
in_range "$ROUNDS" 1 50 || { log "ROUNDS must be 1..50"; exit 2; }

if [ -z "${WORK_DIR:-}" ] || [ "$WORK_DIR" = auto ]; then
    free=$(df -B1 --output=avail /dev/shm 2>/dev/null | tail -1 || echo 0)
    if [ "${free:-0}" -gt $((BYTES * 3)) ]; then WORK_DIR=/dev/shm; else WORK_DIR=/var/tmp; fi
fi
TMP=$(mktemp -d "$WORK_DIR/ferry-client-bench.XXXXXX")
cleanup() {
    [ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null || true
    [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT

# ---- ferry binary --------------------------------------------------------------------------------
if [ -z "${FERRY_BIN:-}" ]; then
    log "building ferry (release)"
    build=(swift build -c release --package-path "$ROOT" --product ferry)
    if [ -n "${FERRY_BENCH_BUILD_LOCK:-}" ]; then build=(flock "$FERRY_BENCH_BUILD_LOCK" "${build[@]}"); fi
    "${build[@]}" >&2
    FERRY_BIN=$(swift build -c release --package-path "$ROOT" --show-bin-path)/ferry
fi
[ -x "$FERRY_BIN" ] || { log "no ferry binary at $FERRY_BIN"; exit 2; }

# ---- sshd ----------------------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMP/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/client_key"
cp "$TMP/client_key.pub" "$TMP/authorized_keys"
PORT=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 30000) }')
while port_busy "$PORT"; do PORT=$((PORT + 1)); done
mkdir -p /run/sshd
cat >"$TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $TMP/host_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
"$SSHD" -D -e -f "$TMP/sshd_config" 2>"$TMP/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 100); do port_listening "$PORT" && break; sleep 0.05; done
port_listening "$PORT" || { log "sshd did not start"; cat "$TMP/sshd.log" >&2; exit 1; }
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1-2 "$TMP/host_key.pub")" >"$TMP/known_hosts"
USER_NAME=$(id -un)

log "writing $SIZE of random data to $WORK_DIR"
head -c "$BYTES" /dev/urandom >"$TMP/source.bin"
SOURCE_SHA=$(sha256sum "$TMP/source.bin" | cut -d' ' -f1)

SSH_OPTS=(-P "$PORT" -i "$TMP/client_key" -o IdentitiesOnly=yes -o UserKnownHostsFile="$TMP/known_hosts"
    -o StrictHostKeyChecking=yes -o Ciphers="$CIPHER" -o KexAlgorithms="$KEX" -o LogLevel=ERROR)
RCLONE_REMOTE=":sftp,host=127.0.0.1,port=$PORT,user=$USER_NAME,key_file=$TMP/client_key,known_hosts_file=$TMP/known_hosts,ciphers=$CIPHER,key_exchange=$KEX,disable_hashcheck=true,shell_type=none"
cat >"$TMP/paramiko_copy.py" <<'EOF'
import sys, paramiko
host, port, user, key, known, direction, remote, local, cipher, kex = sys.argv[1:11]
client = paramiko.SSHClient()
client.load_host_keys(known)
client.connect(host, int(port), username=user, key_filename=key, look_for_keys=False, allow_agent=False,
               disabled_algorithms={"cipher": [c for c in paramiko.Transport._preferred_ciphers if c != cipher]}
               if cipher in paramiko.Transport._preferred_ciphers else None)
sftp = client.open_sftp()
if direction == "get":
    sftp.get(remote, local)
else:
    sftp.put(local, remote, confirm=True)
client.close()
EOF

# copy CLIENT DEST: one download of the source file to the local DEST, or one upload of it to the remote DEST
# (sshd serves this machine's files, so both are paths here).
copy() {
    local client=$1 dest=$2 remote local_file
    if [ "$DIRECTION" = get ]; then remote=$TMP/source.bin local_file=$dest; else remote=$dest local_file=$TMP/source.bin; fi
    case $client in
    ferry)
        local args=("127.0.0.1:$remote" "$local_file")
        [ "$DIRECTION" = put ] && args=("$local_file" "127.0.0.1:$remote")
        HOME=$TMP SSH_AUTH_SOCK="" "$FERRY_BIN" "$DIRECTION" -q --batch -P "$PORT" --user "$USER_NAME" \
            --ciphers "$CIPHER" --kex "$KEX" -i "$TMP/client_key" --known-hosts "$TMP/known_hosts" \
            --ssh-config none "${args[@]}" ;;
    openssh)
        # `get REMOTE LOCAL` and `put LOCAL REMOTE`: the source first either way.
        printf '%s %s %s\n' "$DIRECTION" "$TMP/source.bin" "$dest" >"$TMP/batch"
        sftp -q "${SSH_OPTS[@]}" -b "$TMP/batch" "$USER_NAME@127.0.0.1" >/dev/null ;;
    rclone | rclone_single)
        local streams=()
        [ "$client" = rclone_single ] && streams=(--multi-thread-streams 0)
        if [ "$DIRECTION" = get ]; then
            rclone copyto --config /dev/null "${streams[@]}" "$RCLONE_REMOTE:$remote" "$local_file"
        else
            rclone copyto --config /dev/null "${streams[@]}" "$local_file" "$RCLONE_REMOTE:$remote"
        fi ;;
    paramiko)
        "$PYTHON" "$TMP/paramiko_copy.py" 127.0.0.1 "$PORT" "$USER_NAME" "$TMP/client_key" "$TMP/known_hosts" \
            "$DIRECTION" "$remote" "$local_file" "$CIPHER" "$KEX" ;;
    *) log "unknown client $client"; return 2 ;;
    esac
}

read -r -a CLIENT_LIST <<<"$CLIENTS"
TIMEFORMAT='%3U %3S'
RESULTS=$TMP/results
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    count=${#CLIENT_LIST[@]}
    for index in $(seq 0 $((count - 1))); do
        client=${CLIENT_LIST[$(((index + round - 1) % count))]}
        dest=$TMP/copy-$client-$round.bin
        sync
        start=$(now)
        # The client's CPU time (user + system, its child processes included: OpenSSH's sftp runs ssh).
        { time copy "$client" "$dest" 2>&3; } 3>&2 2>"$TMP/cpu"
        cpu=$(awk 'END { print $1 + $2 }' "$TMP/cpu")
        secs=$(calc "$(now) - $start" 4)
        sha=$(sha256sum "$dest" | cut -d' ' -f1)
        [ "$sha" = "$SOURCE_SHA" ] || { log "$client: checksum mismatch"; exit 1; }
        rm -f "$dest"
        mbps=$(calc "$BYTES / $secs / 1000000" 1)
        cpu_per_gib=$(calc "$cpu / ($BYTES / 1073741824)" 2)
        echo "RESULT client=$client round=$round mbps=$mbps secs=$secs cpu_s_per_gib=$cpu_per_gib"
        echo "$client $round $mbps $cpu_per_gib" >>"$RESULTS"
    done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
median_of() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$RESULTS" | median; }
# The median over rounds of CLIENT's speed divided by OpenSSH's in the same round: both ran back to back, so a
# slow spell of the machine weighs on both sides of each ratio.
paired_ratio_of() {
    awk -v c="$1" '{ v[$1, $2] = $3; r[$2] = 1 }
        END { for (i in r) if (((c, i) in v) && (("openssh", i) in v) && v["openssh", i] + 0 != 0)
                  print v[c, i] / v["openssh", i] }' "$RESULTS" | median
}
base=$(median_of openssh 3)
echo
printf '%-15s %14s %17s %22s %15s\n' client "MB/s (median)" "vs OpenSSH sftp" "per-round vs OpenSSH" "CPU s per GiB"
for client in "${CLIENT_LIST[@]}"; do
    value=$(median_of "$client" 3)
    paired=$(paired_ratio_of "$client")
    [ "$paired" = nan ] || paired=$(calc "$paired" 2)
    cpu=$(median_of "$client" 4)
    [ "$cpu" = nan ] || cpu=$(calc "$cpu" 2)
    printf '%-15s %14s %17s %22s %15s\n' "$client" "$value" "$(ratio "$value" "$base")" "$paired" "$cpu"
done
echo "# $SIZE $DIRECTION, $ROUNDS rounds, cipher $CIPHER, kex $KEX, files in $WORK_DIR; target: ferry >= 1.00 x OpenSSH sftp"
