#!/usr/bin/env bash
# The NAT lab's network: namespaces and veth pairs only, never linked to the machine's own
# interfaces or routes. Nothing here touches the root namespace (no routes, no nft rules, no
# links): every `ip` command names a lab namespace with -n, every nft/sysctl runs inside one.
#
#   lab.sh check            exit 0 when the lab can run here, else print why and exit 1
#   lab.sh up               backbone + public host (removes a stale lab first)
#   lab.sh home N MODE [slow]
#                           (re)create home N (1|2) behind its NAT; MODE: eim | sym. With
#                           `slow`, the NAT's uplink is a user-space wire (wire.py) with 50 ms of
#                           delay and 0.5% loss each way: between the two homes, 100 ms and ~1%
#   lab.sh uplink N up|down the NAT's WAN link of home N
#   lab.sh down             kill what runs in the lab namespaces and remove them all
#
# Addresses (private ranges only):
#   backbone 172.31.0.0/24: public host .2 and .3 (two addresses, for STUN mapping checks),
#   NAT 1 WAN .11, NAT 2 WAN .12; home N LAN 10.N.0.0/24: NAT .1, home .2.
set -euo pipefail

P=tcl-
BB=${P}bb
PUB=${P}pub
PUB_IP=172.31.0.2
PUB_IP2=172.31.0.3

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# Every lab namespace's own settings: loopback up, no IPv6 (no link-local candidates, no DAD waits).
ns_new() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# Kills the processes still inside a lab namespace (a server, coturn, a browser), then removes it.
ns_del() {
  local ns=$1 pids
  ns_exists "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    kill $pids 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -z "$(ip netns pids "$ns" 2>/dev/null || true)" ] && break
      sleep 0.1
    done
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  fi
  ip netns del "$ns"
}

# A veth pair from namespace $1 (name $2) to the backbone bridge (port $3).
to_backbone() {
  ip -n "$1" link add "$2" type veth peer name "$3" netns "$BB"
  ip -n "$BB" link set "$3" master br0 up
  ip -n "$1" link set "$2" up
}

check() {
  if [ "$(id -u)" != 0 ]; then echo "not root"; return 1; fi
  for tool in ip nft python3 openssl; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (iproute2, nftables, python3, openssl)"; return 1; }
  done
  [ -c /dev/net/tun ] || { echo "no /dev/net/tun (the slow uplinks are TAP devices)"; return 1; }
  command -v turnserver >/dev/null || { echo "turnserver is missing (coturn)"; return 1; }
  # CAP_NET_ADMIN (and a kernel with network namespaces): try one.
  local probe=${P}probe-$$
  if ! ip netns add "$probe" 2>/dev/null; then echo "cannot create a network namespace (no CAP_NET_ADMIN?)"; return 1; fi
  local ok=1
  ip -n "$probe" link add probe0 type veth peer name probe1 2>/dev/null || { echo "cannot create veth pairs (no CAP_NET_ADMIN?)"; ok=0; }
  if [ $ok = 1 ] && ! ip netns exec "$probe" nft -f - 2>/dev/null <<'EOF'
table ip probe {
  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "probe0" masquerade fully-random; }
}
EOF
  then echo "nftables cannot masquerade in a namespace (kernel modules nf_tables/nft_masq?)"; ok=0; fi
  ip netns del "$probe"
  [ $ok = 1 ]
}

down() {
  local ns
  # Homes and NATs first (a slow uplink's wire runs in its NAT), the backbone last.
  for ns in $(ip netns list | awk '{print $1}' | grep "^${P}" | sort -r || true); do ns_del "$ns"; done
}

up() {
  down
  ns_new "$BB"
  ip -n "$BB" link add br0 type bridge
  ip -n "$BB" link set br0 up
  ns_new "$PUB"
  to_backbone "$PUB" eth0 pub
  ip -n "$PUB" addr add "$PUB_IP/24" dev eth0
  ip -n "$PUB" addr add "$PUB_IP2/24" dev eth0
}

# Home N behind NAT N. A fresh NAT namespace each time: a fresh conntrack table, no mapping
# left over from an earlier mode.
home() {
  local n=$1 mode=$2 slow=${3:-} nat=${P}nat$1 home=${P}home$1 random
  case "$mode" in
    eim) random="" ;;            # Linux keeps the source port: one mapping for every destination
    sym) random="fully-random" ;; # a random port per destination: symmetric
    *) echo "mode must be eim or sym" >&2; return 2 ;;
  esac
  ns_del "$home"
  ns_del "$nat"
  # The kernel tears a deleted namespace down asynchronously, and the backbone's end of the old
  # NAT's uplink goes with it only then: under load it was still there ("RTNETLINK answers: File
  # exists" when the uplink was made again). Deleted here (a veth goes with either end).
  ip -n "$BB" link del "nat$n" 2>/dev/null || true
  ns_new "$nat"
  ns_new "$home"
  if [ "$slow" = slow ]; then
    # tc netem would do, but kernels without CONFIG_NET_SCH_NETEM (this CI's) have none.
    setsid python3 "$(dirname "$0")/wire.py" "$BB" "nat$n" "$nat" wan 50 0.5 </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
      ip -n "$nat" link show wan >/dev/null 2>&1 && ip -n "$BB" link show "nat$n" >/dev/null 2>&1 && break
      sleep 0.05
    done
    ip -n "$BB" link set "nat$n" master br0 up
    ip -n "$nat" link set wan up
  else
    to_backbone "$nat" wan "nat$n"
  fi
  ip -n "$nat" addr add "172.31.0.1$n/24" dev wan
  ip -n "$nat" link add lan type veth peer name eth0 netns "$home"
  ip -n "$nat" addr add "10.$n.0.1/24" dev lan
  ip -n "$nat" link set lan up
  ip -n "$home" addr add "10.$n.0.2/24" dev eth0
  ip -n "$home" link set eth0 up
  ip -n "$home" route add default via "10.$n.0.1"
  ip netns exec "$nat" sysctl -qw net.ipv4.ip_forward=1
  # Outbound from the LAN is masqueraded; from the WAN only replies come in (a home router).
  # Unsolicited packets to the NAT itself are dropped before conntrack confirms an entry for
  # them: a peer's first hole-punching packet, arriving before ours went out, would otherwise
  # leave an entry that takes our mapping's port, and the NAT would pick another one for us.
  ip netns exec "$nat" nft -f - <<EOF
table ip lab {
  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade $random; }
  chain input { type filter hook input priority filter; policy accept; iifname "wan" drop; }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
EOF
}

uplink() {
  ip -n "${P}nat$1" link set wan "$2"
}

cmd=${1:-}
shift || true
case "$cmd" in
  check) check ;;
  up) up ;;
  down) down ;;
  home) home "$@" ;;
  uplink) uplink "$@" ;;
  *) sed -n '2,21p' "$0"; exit 2 ;;
esac
