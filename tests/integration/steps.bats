#!/usr/bin/env bats
# Steps of the case language beyond the catalog's: getsockopt, getsockname,
# getpeername, captured variables ($x = ...), the socket options the kernel's
# selftests use (IP_FREEBIND, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT,
# SO_INCOMING_CPU, reuseport CBPF programs), each asserted against what this
# kernel does in a real lab (two-nics, under a run-unique name).
load helpers

setup_file() {
	export L=$(uniq_lab st)
	"$REUSELAB" up topologies/two-nics.yml --name "$L" >/dev/null
}

teardown_file() {
	force_down "$L"
}

# step N FIELD: a field of step N (1-based) of the only case in $output.
step() {
	echo "$output" | jq -r --argjson n "$1" --arg k "$2" '.cases[0].steps[$n - 1][$k] // empty'
}

@test "getsockname/getpeername: the ephemeral port captured as \$x and used later (bind_wildcard.c's pattern)" {
	user_topology 'cases:
  - id: cap
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:0", expect: ok}
      - {on: server, do: "$srv = getsockname s", expect: ok >0}
      - {on: server, do: "listen s"}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "getpeername c", expect: ENOTCONN}
      - {on: client-b, do: "connect c $srv", expect: ok}
      - {on: client-b, do: "$me = getsockname c", expect: ok}
      - {on: client-b, do: "getpeername c", expect: ok =$srv}
      - {on: server, do: "a = accept s", expect: ok =$me.port}
      - {on: server, do: "getpeername a", expect: ok =$me}
      - {on: client-b, do: "d = socket tcp4"}
      - {on: client-b, do: "bind d $me.addr:$me.port", expect: EADDRINUSE}
      - {on: server, do: "t = socket tcp4"}
      - {on: server, do: "bind t 10.0.1.2:$srv.port", expect: ok}'
	run "$REUSELAB" probe "$f" --name "$L" --case cap --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	port=$(step 3 value)
	[ "$port" -gt 0 ]
	[ "$(step 3 text)" = "10.0.1.1:$port" ]
	# the variable was substituted where it was used
	[ "$(step 7 args)" = "connect c 10.0.1.1:$port" ]
	[ "$(step 15 args)" = "bind t 10.0.1.2:$port" ]
	me=$(step 8 text)
	[[ "$me" == 10.0.1.3:* ]]
	[ "$(step 11 text)" = "$me" ]
	[ "$(step 13 args)" = "bind d $me" ]
	# the kernel holds what getsockname said
	[ "$(step 10 value)" = "${me#10.0.1.3:}" ]
}

@test "a text expectation that does not hold fails the case and says what was seen" {
	user_topology 'cases:
  - id: wrong
    steps:
      - {on: server, do: "s = socket udp4"}
      - {on: server, do: "bind s 10.0.1.1:0"}
      - {on: server, do: "$a = getsockname s"}
      - {on: server, do: "getsockname s", expect: ok =10.0.1.2:1}
      - {on: server, do: "getsockopt s SO_TYPE", expect: ok =SOCK_STREAM}
      - {on: client-b, do: "c = socket udp4"}
      - {on: client-b, do: "getsockname c", expect: ok =$a}'
	run "$REUSELAB" probe "$f" --name "$L" --case wrong --json
	[ "$status" -eq 1 ]
	obs=$(echo "$output" | jq -r '.cases[0].observed')
	[[ "$obs" == *"step 4 getsockname: got ok =10.0.1.1:"* ]]
	[[ "$obs" == *"step 5 getsockopt: got ok =SOCK_DGRAM"* ]]
	[[ "$obs" == *"step 7 getsockname: got ok =0.0.0.0:0"* ]]
}

@test "a variable used before its capture, or in another case: check says FILE:LINE:COL, exit 2" {
	user_topology 'cases:
  - id: early
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:$port.port"}
      - {on: server, do: "$port = getsockname s"}
  - id: bad-name
    steps:
      - {on: server, do: "$Port = getsockname s"}'
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	line=$(grep -n 'port.port' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"case 'early': variable '\$port' is used before a step captures it"* ]]
	line=$(grep -n 'Port = ' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"bad variable name '\$Port'"* ]]
}

@test "getsockopt: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY, SO_BINDTODEVICE, SO_ERROR, SO_ACCEPTCONN" {
	user_topology 'cases:
  - id: get
    steps:
      - {on: server, do: "s = socket tcp6"}
      - {on: server, do: "getsockopt s SO_TYPE", expect: ok =SOCK_STREAM}
      - {on: server, do: "getsockopt s SO_DOMAIN", expect: ok =AF_INET6}
      - {on: server, do: "getsockopt s SO_PROTOCOL", expect: ok =IPPROTO_TCP}
      - {on: server, do: "getsockopt s SO_REUSEADDR", expect: ok =0}
      - {on: server, do: "setsockopt s SO_REUSEADDR 1"}
      - {on: server, do: "getsockopt s SO_REUSEADDR", expect: ok =1}
      - {on: server, do: "setsockopt s SO_REUSEPORT 1"}
      - {on: server, do: "getsockopt s SO_REUSEPORT", expect: ok =1}
      - {on: server, do: "getsockopt s IPV6_V6ONLY", expect: ok =0}
      - {on: server, do: "getsockopt s SO_BINDTODEVICE", expect: ok =0}
      - {on: server, do: "setsockopt s SO_BINDTODEVICE eth1"}
      - {on: server, do: "getsockopt s SO_BINDTODEVICE", expect: ok =eth1}
      - {on: server, do: "getsockopt s SO_ACCEPTCONN", expect: ok =0}
      - {on: server, do: "bind s [::]:$P"}
      - {on: server, do: "listen s"}
      - {on: server, do: "getsockopt s SO_ACCEPTCONN", expect: ok =1}
      - {on: server, do: "getsockopt s SO_LINGER", expect: ok =-1}
      - {on: client-c, do: "c = socket tcp4"}
      - {on: client-c, do: "connect c 10.0.2.1:$P2", expect: ECONNREFUSED}
      - {on: client-c, do: "getsockopt c SO_ERROR", expect: ok =0}
      - {on: client-c, do: "u = socket udp4"}
      - {on: client-c, do: "getsockopt u SO_TYPE", expect: ok =SOCK_DGRAM}
      - {on: client-c, do: "getsockopt u IP_MULTICAST_IF", expect: ok =0.0.0.0}
      - {on: client-c, do: "setsockopt u IP_MULTICAST_IF 10.0.2.3"}
      - {on: client-c, do: "getsockopt u IP_MULTICAST_IF", expect: ok =10.0.2.3}'
	run "$REUSELAB" probe "$f" --name "$L" --case get --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	# the interface index of eth1 in the server, as the kernel numbers it
	[ "$(step 13 value)" = "$(ip netns exec "rl-$L.server" cat /sys/class/net/eth1/ifindex)" ]
}

@test "IP_FREEBIND and IP_TRANSPARENT bind a foreign address; check lets such a socket" {
	user_topology 'cases:
  - id: nonlocal
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 192.0.2.1:$P", expect: EADDRNOTAVAIL}
      - {on: server, do: "f = socket tcp4"}
      - {on: server, do: "setsockopt f IP_FREEBIND 1", expect: ok}
      - {on: server, do: "getsockopt f IP_FREEBIND", expect: ok =1}
      - {on: server, do: "bind f 192.0.2.1:$P", expect: ok}
      - {on: server, do: "t = socket udp4"}
      - {on: server, do: "setsockopt t IP_TRANSPARENT 1", expect: ok}
      - {on: server, do: "bind t 192.0.2.2:$P", expect: ok}'
	run "$REUSELAB" probe "$f" --name "$L" --case nonlocal --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
}

@test "IP_BIND_ADDRESS_NO_PORT: bind leaves the port to connect; SO_INCOMING_CPU reads back" {
	user_topology 'cases:
  - id: noport
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:$P"}
      - {on: server, do: "listen s"}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "setsockopt c IP_BIND_ADDRESS_NO_PORT 1"}
      - {on: client-b, do: "bind c 10.0.1.3:0"}
      - {on: client-b, do: "getsockname c", expect: ok =10.0.1.3:0}
      - {on: client-b, do: "connect c 10.0.1.1:$P", expect: ok >0}
      - {on: client-b, do: "getsockname c", expect: ok >0}
      - {on: client-b, do: "getsockopt c SO_INCOMING_CPU", expect: ok >-2}
      - {on: client-b, do: "setsockopt c SO_INCOMING_CPU 1"}
      - {on: client-b, do: "getsockopt c SO_INCOMING_CPU", expect: ok =1}'
	run "$REUSELAB" probe "$f" --name "$L" --case noport --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
}

@test "SO_ATTACH_REUSEPORT_CBPF index N sends every datagram to socket N; detach restores the hash (reuseport_bpf.c)" {
	user_topology 'cases:
  - id: index
    steps:
      - {on: server, do: "r1 = socket udp4"}
      - {on: server, do: "setsockopt r1 SO_REUSEPORT 1"}
      - {on: server, do: "setsockopt r1 SO_DETACH_REUSEPORT_BPF", expect: ENOENT}
      - {on: server, do: "setsockopt r1 SO_ATTACH_REUSEPORT_CBPF index 2", expect: ok}
      - {on: server, do: "bind r1 127.0.0.1:$P"}
      - {on: server, do: "r2 = socket udp4"}
      - {on: server, do: "setsockopt r2 SO_REUSEPORT 1"}
      - {on: server, do: "bind r2 127.0.0.1:$P"}
      - {on: server, do: "r3 = socket udp4"}
      - {on: server, do: "setsockopt r3 SO_REUSEPORT 1"}
      - {on: server, do: "bind r3 127.0.0.1:$P"}
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "send u 127.0.0.1:$P 6", expect: ok =6}
      - {on: server, do: "recv r3", expect: ok =6}
      - {on: server, do: "recv r1 r2", expect: ok =0}
      - {on: server, do: "setsockopt r2 SO_DETACH_FILTER", expect: ENOENT}
      - {on: server, do: "setsockopt r2 SO_DETACH_REUSEPORT_BPF", expect: ok}
      - {on: server, do: "send u 127.0.0.1:$P 1", expect: ok}
      - {on: server, do: "recv r1 r2 r3", expect: ok =1}'
	run "$REUSELAB" probe "$f" --name "$L" --case index --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
}

@test "SO_ATTACH_REUSEPORT_CBPF cpu: the datagram goes to the socket of the sending CPU (reuseport_bpf_cpu.c)" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	cpucase() { # $1 id, $2 the socket that should receive
		printf '  - id: %s
    steps:
      - {on: server, do: "r0 = socket udp4"}
      - {on: server, do: "setsockopt r0 SO_REUSEPORT 1"}
      - {on: server, do: "setsockopt r0 SO_ATTACH_REUSEPORT_CBPF cpu", expect: ok}
      - {on: server, do: "bind r0 127.0.0.1:$P"}
      - {on: server, do: "r1 = socket udp4"}
      - {on: server, do: "setsockopt r1 SO_REUSEPORT 1"}
      - {on: server, do: "bind r1 127.0.0.1:$P"}
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "send u 127.0.0.1:$P 5", expect: ok =5}
      - {on: server, do: "recv %s", expect: ok =5}
' "$1" "$2"
	}
	user_topology "cases:
$(cpucase on-cpu0 r0)
$(cpucase on-cpu1 r1)"
	run taskset -c 0 "$REUSELAB" probe "$f" --name "$L" --case on-cpu0 --json
	[ "$status" -eq 0 ]
	run taskset -c 1 "$REUSELAB" probe "$f" --name "$L" --case on-cpu1 --json
	[ "$status" -eq 0 ]
	# and pinned to the other CPU, the same case fails: the program decides
	run taskset -c 1 "$REUSELAB" probe "$f" --name "$L" --case on-cpu0 --json
	[ "$status" -eq 1 ]
}

@test "shutdown wr: the peer reads EOF; connect S unspec: UDP forgets its peer, TCP disconnects; sleep" {
	user_topology 'cases:
  - id: shut
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:$P"}
      - {on: server, do: "listen s"}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "connect c 10.0.1.1:$P", expect: ok}
      - {on: server, do: "a = accept s", expect: ok}
      - {on: client-b, do: "shutdown c wr", expect: ok}
      - {on: server, do: "read a", expect: ok =0}
      - {on: client-b, do: "connect c unspec", expect: ok}
      - {on: client-b, do: "getpeername c", expect: ENOTCONN}
      - {on: client-b, do: "u = socket udp4"}
      - {on: client-b, do: "shutdown u rdwr", expect: ENOTCONN}
      - {on: client-b, do: "connect u 10.0.1.1:$P2", expect: ok}
      - {on: client-b, do: "getpeername u", expect: ok >0}
      - {on: client-b, do: "connect u unspec", expect: ok}
      - {on: client-b, do: "getpeername u", expect: ENOTCONN}
      - {on: client-b, do: "sleep 50"}'
	run "$REUSELAB" probe "$f" --name "$L" --case shut --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	[ "$(step 17 call)" = sleep ]
}

@test "without shutdown the peer reads no EOF: the read times out (the test above can fail)" {
	user_topology 'cases:
  - id: noshut
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:$P"}
      - {on: server, do: "listen s"}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "connect c 10.0.1.1:$P"}
      - {on: server, do: "a = accept s"}
      - {on: server, do: "read a", expect: ok =0}'
	run "$REUSELAB" probe "$f" --name "$L" --case noshut --json
	[ "$status" -eq 1 ]
	[[ "$(echo "$output" | jq -r '.cases[0].observed')" == *"step 7 read: got timeout"* ]]
}

@test "recv and accept-all over 8 sockets: the sum over all of them; 65 sockets is an error that says so" {
	socks() { local s= i; for i in $(seq 1 "$2"); do s="$s $1$i"; done; echo "$s"; }
	steps=
	for i in $(seq 1 8); do
		steps="$steps
      - {on: server, do: \"r$i = socket udp4\"}
      - {on: server, do: \"setsockopt r$i SO_REUSEPORT 1\"}
      - {on: server, do: \"bind r$i 10.0.1.1:\$P\"}
      - {on: server, do: \"l$i = socket tcp4\"}
      - {on: server, do: \"setsockopt l$i SO_REUSEPORT 1\"}
      - {on: server, do: \"bind l$i 10.0.1.1:\$P2\"}
      - {on: server, do: \"listen l$i\"}
      - {on: client-b, do: \"u$i = socket udp4\"}
      - {on: client-b, do: \"send u$i 10.0.1.1:\$P 5\"}"
	done
	user_topology "cases:
  - id: many
    steps:$steps
      - {on: server, do: \"recv$(socks r 8)\", expect: ok =40}
      - {on: client-b, do: \"burst 10.0.1.1:\$P2 24\", expect: ok =24}
      - {on: server, do: \"accept-all$(socks l 8)\", expect: ok =24}"
	run "$REUSELAB" probe "$f" --name "$L" --case many --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
	# each socket's count is in the step's text, and they add up
	args=$(echo "$output" | jq -r '.cases[0].steps[-3].args')
	[[ "$args" == *"(r1="* ]]
	[ "$(echo "${args#*(}" | tr -d ')' | tr ' ' '\n' | awk -F= '{s += $2} END {print s}')" -eq 40 ]
	args=$(echo "$output" | jq -r '.cases[0].steps[-1].args')
	[ "$(echo "${args#*(}" | tr -d ')' | tr ' ' '\n' | awk -F= '{s += $2} END {print s}')" -eq 24 ]
	user_topology "cases:
  - id: too-many
    steps:
      - {on: server, do: \"recv$(socks r 65)\"}"
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	[[ "$output" == *"case 'too-many': recv takes at most 64 sockets"* ]]
}

@test "owner UID only owns the socket (root still binds port 80); as-user UID really is that user (EACCES, EPERM)" {
	user_topology 'cases:
  - id: who
    steps:
      - {on: server, do: "owner 65534"}
      - {on: server, do: "o = socket tcp4"}
      - {on: server, do: "bind o 10.0.1.2:80", expect: ok}
      - {on: server, do: "listen o"}
      - {on: server, do: "show"}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "u = socket tcp4", expect: ok}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "bind u 10.0.1.1:80", expect: EACCES}
      - {on: server, do: "bind u 10.0.1.1:81", expect: ok}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "setsockopt u IP_TRANSPARENT 1", expect: EPERM}
      - {on: server, do: "setsockopt u IP_TRANSPARENT 1", expect: ok}
      - {on: server, do: "r = socket tcp4"}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "bind r 10.0.1.1:$P", expect: ok}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "$p = getsockname r", expect: ok >0}
      - {on: server, do: "show"}'
	run "$REUSELAB" probe "$f" --name "$L" --case who --json
	echo "$output" | jq -c '.cases[0] | .observed, .error'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	# the socket owner made as owner 65534 listens on port 80
	[ "$(echo "$output" | jq -r '.cases[0].steps[4].sockets[] | select(.local == "10.0.1.2:80") | .uid')" = 65534 ]
	# the bind as-user used the case port, the one show looked at and getsockname saw
	port=$(echo "$output" | jq -r '.cases[0].steps[17].value')
	[ "$(echo "$output" | jq -r '.cases[0].steps[15].args')" = "bind r 10.0.1.1:$port" ]
}

@test "what an as-user step notes reaches the case: show sees the port it listened on, recv the datagram it sent" {
	user_topology 'cases:
  - id: notes
    steps:
      - {on: server, do: "o = socket udp4"}
      - {on: server, do: "bind o 10.0.1.1:4200", expect: ok}
      - {on: server, do: "l = socket tcp4"}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "listen l", expect: ok}
      - {on: server, do: "show"}
      - {on: client-b, do: "r = socket udp4"}
      - {on: client-b, do: "bind r 10.0.1.3:4243", expect: ok}
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "send u 10.0.1.3:4243", expect: ok =1}
      - {on: client-b, do: "recv r", expect: ok =1}'
	run "$REUSELAB" probe "$f" --name "$L" --case notes --json
	echo "$output" | jq -c '.cases[0] | .observed, .error, .steps[5]'
	[ "$status" -eq 0 ]
	[ "$(jq -r '.cases[0].verdict' <<<"$output")" = holds ]
	# listen bound the socket to a port of the kernel's choosing, which only
	# the child that listened learnt; show, in the parent, looked at it
	[ "$(jq -r '[.cases[0].steps[5].sockets[] | select(.state == "LISTEN")] | length' <<<"$output")" -eq 1 ]
	[ "$(jq -r '[.cases[0].steps[5].sockets[] | select(.local == "10.0.1.1:4200")] | length' <<<"$output")" -eq 1 ]
	# the datagram the child sent was waited for: recv counted it
	[ "$(jq -r '.cases[0].steps[11].value' <<<"$output")" -eq 1 ]
}

@test "as-user must be followed by a step that can run as that user: check says which" {
	user_topology 'cases:
  - id: bad-as-user
    steps:
      - {on: server, do: "s = socket udp4"}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "recv s"}
  - id: last-as-user
    steps:
      - {on: server, do: "as-user 65534"}'
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	line=$(grep -n 'do: "recv s"' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"case 'bad-as-user': 'recv' cannot run as-user (socket, setsockopt, join, bind, listen, connect, send, getsockopt, getsockname, getpeername, shutdown can)"* ]]
	[[ "$output" == *"case 'last-as-user': as-user runs the next step as that user; there is none"* ]]
}

@test "send ... fastopen: MSG_FASTOPEN connects an unconnected TCP socket (no cookie yet: EINPROGRESS, no data)" {
	user_topology 'cases:
  - id: tfo
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.1:$P"}
      - {on: server, do: "listen s"}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "send c 10.0.1.1:$P fastopen", expect: EINPROGRESS}
      - {on: server, do: "a = accept s", expect: ok}
      - {on: client-b, do: "getpeername c", expect: ok >0}
      - {on: client-b, do: "d = socket tcp4"}
      - {on: client-b, do: "send d 10.0.1.1:$P", expect: EPIPE}'
	run "$REUSELAB" probe "$f" --name "$L" --case tfo --json
	echo "$output" | jq -c '.cases[0].observed'
	[ "$status" -eq 0 ]
	[ "$(step 5 args)" = "send c 10.0.1.1:$(step 7 value) fastopen" ]
}
