#!/usr/bin/env bash
# deploy/haproxy.cfg in front of three relays of one cluster on loopback, without docker: the compose
# names replaced by 127.0.0.1 ports, maxconn lowered to this shell's file limit. A small fanout goes
# through the proxy (nothing may be lost), then one relay is stopped and haproxy must mark it DOWN.
# Needs daemon/target/agentchat.jar, bench/target/agentchat-bench.jar, redis-server, haproxy, curl.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar=$root/daemon/target/agentchat.jar
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf $work' EXIT
redis-server --port 17970 --bind 127.0.0.1 --save '' --appendonly no --requirepass pw --dir $work > $work/redis.log 2>&1 & pids+=($!)
for _ in $(seq 100); do [[ "$(REDISCLI_AUTH=pw redis-cli -p 17970 ping 2>/dev/null)" == PONG ]] && break; sleep 0.05; done
for p in 17971 17972 17973; do
  java -XX:+UseSerialGC -jar $jar serve -H 127.0.0.1 -p $p --no-rate-limits --buffer-size 0 --channels '#general,#bench' --proxy-protocol \
      --data-dir $work/d$p --cluster redis://:pw@127.0.0.1:17970 > $work/relay-$p.log 2>&1 & pids+=($!)
  eval "pid_$p=$!"
done
for p in 17971 17972 17973; do until curl -sf http://127.0.0.1:$p/health >/dev/null; do sleep 0.05; done; done
sed -e 's/^    bind :6667/    bind 127.0.0.1:17974/' -e 's/ resolvers docker init-addr last,libc,none//' \
    -e '/^resolvers docker/,/^$/d' -e 's/relay1:6667/127.0.0.1:17971/' -e 's/relay2:6667/127.0.0.1:17972/' \
    -e 's/relay3:6667/127.0.0.1:17973/' $root/deploy/haproxy.cfg > $work/haproxy.cfg; sed -i "s/maxconn 30000/maxconn 5000/" $work/haproxy.cfg
haproxy -f $work/haproxy.cfg -db > $work/haproxy.log 2>&1 & pids+=($!)
for _ in $(seq 200); do curl -sf http://127.0.0.1:17974/health >/dev/null && break; sleep 0.05; done; tail -3 $work/haproxy.log
echo "through the proxy: $(curl -s http://127.0.0.1:17974/health | head -c 60)..."
java -jar $root/bench/target/agentchat-bench.jar fanout --url ws://127.0.0.1:17974 --channel '#bench' --subs 9 --pubs 3 \
    --rate 50 --seconds 3 --warmup 1 --readers 1 | grep -E "delivered|lost|latency|disconnected"
kill $pid_17972
for _ in $(seq 100); do grep -q "relay2 is DOWN" $work/haproxy.log && break; sleep 0.1; done  # checks every 2 s, 2 failures
grep -E "DOWN|is UP|UP" $work/haproxy.log | head -5
