# Helpers shared by the benchmark scripts (sourced, not run): logging, arithmetic, ports, process trees,
# server CPU from a cgroup or /proc, and stopping a server. They use the scripts' globals (TMP, HZ,
# CPU_ACCOUNTING, the per-server PID_ and CGROUP_ variables) under the same names in each script.

log() { echo "# $*" >&2; }

now() { date +%s.%N; }

is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

in_range() { is_uint "$1" && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'; }

# proc_tree PID: "<cpu seconds> <live descendants>" where cpu = utime+stime+cutime+cstime summed
# over PID and its live descendants (reaped children are in their parent's cutime/cstime).
proc_tree() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" -v hz="$HZ" '
        { pid = $1; r = $0; sub(/^.*\) /, "", r); split(r, f, " ")
          parent[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
        END {
          for (p in parent) {
            q = p; n = 0
            while (q != root && q > 1 && n++ < 64) q = parent[q]
            if (q == root) { sum += ticks[p]; if (p != root) kids++ }
          }
          printf "%.4f %d\n", sum / hz, kids
        }'
}

port_busy() {
    if command -v ss >/dev/null; then
        ss -Htan "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

port_listening() {
    if command -v ss >/dev/null; then
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

server_cpu() { # server_cpu NAME: CPU seconds used so far by the server, all its processes
    local cg=${CG[$1]:-}
    case $CG_KIND in
    v2) awk '/^usage_usec/ { printf "%.6f\n", $2 / 1e6 }' "$cg/cpu.stat" ;;
    v1) awk '{ printf "%.6f\n", $1 / 1e9 }' "$cg/cpuacct.usage" ;;
    none) proc_tree "${PID[$1]}" | awk '{ print $1 }' ;;
    esac
}

stop_server() { # stop_server NAME: TERM the listener (and what is left in its cgroup), then KILL
    local name=$1 pid=${PID[$1]:-} cg=${CG[$1]:-} p _
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ -n "$cg" ] && [ -d "$cg" ]; then
        while read -r p; do kill -KILL "$p" 2>/dev/null || true; done <"$cg/cgroup.procs" || true
        for _ in $(seq 1 20); do
            rmdir "$cg" 2>/dev/null && break
            sleep 0.1
        done
    fi
    PID[$name]=
}

round_ratio() { # round_ratio SCENARIO COLUMN: median over rounds of ferry/sshd within the round
    awk -v s="$1" -v c="$2" '$1 == s { v[$2, $3] = $c; r[$3] = 1 }
        END { for (i in r) if ((("ferry", i) in v) && (("sshd", i) in v) && v["sshd", i] + 0 != 0)
                  print v["ferry", i] / v["sshd", i] }' "$RESULTS" | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
              printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
