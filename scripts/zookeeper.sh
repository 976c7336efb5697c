# Sourced by the demos: start_zookeeper DIR starts a private ZooKeeper on a free loopback port,
# data and log in DIR, and sets zk_pid and zk_port once it answers (the caller kills zk_pid).
start_zookeeper() {
  local dir=$1
  zk_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  cat > "$dir/zoo.cfg" <<CFG
tickTime=500
dataDir=$dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr
CFG
  java -Xmx128m -XX:TieredStopAtLevel=1 -Dzookeeper.admin.enableServer=false \
    -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" \
    > "$dir/zk.log" 2>&1 &
  zk_pid=$!
  local _
  for _ in $(seq 100); do
    # bounded: a server still starting may accept the connection and answer nothing
    if timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && echo srvr >&3 && grep -q Mode <&3' "$zk_port" 2>/dev/null; then
      return 0
    fi
    sleep 0.2 # polling until it answers
  done
  echo "demo: ZooKeeper did not start:" >&2
  cat "$dir/zk.log" >&2
  return 1
}
