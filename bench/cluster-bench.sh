#!/usr/bin/env bash
# One relay alone versus three relays of one cluster (and their Redis) on this machine, at the same
# offered load, with the members spread over the three (docs/benchmarks.md, "Cluster: one relay vs
# three"). Needs daemon/target/agentchat.jar and bench/target/agentchat-bench.jar (mvn package),
# redis-server and redis-cli. Starts everything on loopback ports 17800-17803 and 17900, runs
# `fanout` RUNS times (the order of the two targets alternates), prints Redis's per-command cost for
# each cluster run, and stops every process it started.
#   bench/cluster-bench.sh [RUNS] [fanout options...]     e.g. bench/cluster-bench.sh 3 --subs 100 --pubs 10
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
shift || true
load=("$@")
[[ ${#load[@]} -gt 0 ]] || load=(--subs 100 --pubs 10 --rate 100)
jar="$root/daemon/target/agentchat.jar"
bench="$root/bench/target/agentchat-bench.jar"
work="$(mktemp -d)"
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap stop EXIT

redis-server --port 17900 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 100); do [[ "$(redis-cli -p 17900 ping 2>/dev/null)" == PONG ]] && break; sleep 0.05; done
for port in 17800 17801 17802 17803; do
    ! curl -s "http://127.0.0.1:$port/health" > /dev/null || { echo "port $port is taken" >&2; exit 1; }
done

relay() { # port [--cluster uri]; its pid in $! and in pids (not run in a subshell, so the trap stops it)
    local port=$1
    shift
    java -XX:+UseSerialGC -jar "$jar" serve -H 127.0.0.1 -p "$port" --no-rate-limits --buffer-size 0 \
        --channels '#general,#agents,#bench' --data-dir "$work/data-$port" "$@" > "$work/relay-$port.log" 2>&1 &
    pids+=("$!")
}
relay 17800; one=$!
relay 17801 --cluster redis://127.0.0.1:17900; a=$!
relay 17802 --cluster redis://127.0.0.1:17900; b=$!
relay 17803 --cluster redis://127.0.0.1:17900; c=$!
for port in 17800 17801 17802 17803; do
    for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.05; done
    curl -sf "http://127.0.0.1:$port/health" > /dev/null || { cat "$work/relay-$port.log" >&2; exit 1; }
done
echo "relays: one pid $one; cluster pids $a $b $c, redis pid $redis_pid"

single="one=ws://127.0.0.1:17800"
cluster="three=ws://127.0.0.1:17801+ws://127.0.0.1:17802+ws://127.0.0.1:17803"
fanout() { # target pids
    java -jar "$bench" fanout --target "$1" --server-pid "$2" --channel '#bench' "${load[@]}" --seconds 10 --warmup 5 \
        || echo "fanout exited $?"
}
on_cluster() {
    redis-cli -p 17900 config resetstat > /dev/null
    # PING round trips to Redis from a separate client during the measured part (after set-up and warm-up)
    (sleep 8; redis-cli -p 17900 --latency --raw -i 8 > "$work/latency" 2>&1) &
    fanout "$cluster" "$a+$b+$c+$redis_pid"
    wait $!
    echo "redis PING round trip while loaded (min max avg samples; ms): $(cat "$work/latency")"
    redis-cli -p 17900 info commandstats | grep -E 'cmdstat_(evalsha|eval|publish|rpush|hincrby|ltrim|pexpire|hsetnx|hget):' || true
    redis-cli -p 17900 info stats | grep -E '^(total_commands_processed|total_net_input_bytes|total_net_output_bytes):' || true
    redis-cli -p 17900 info memory | grep -E '^used_memory:' || true
    echo "#bench history: $(redis-cli -p 17900 --raw llen 'agentchat:{#bench}:log') messages," \
        "$(redis-cli -p 17900 --raw memory usage 'agentchat:{#bench}:log') bytes"
}
for run in $(seq "$runs"); do
    echo "=== run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if (( run % 2 )); then fanout "$single" "$one"; on_cluster
    else on_cluster; fanout "$single" "$one"; fi
done
