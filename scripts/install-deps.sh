#!/usr/bin/env bash
# Installs the Debian 12 packages kafka-spout needs to build, test and benchmark, then the Kafka brokers,
# Apache Storm and the PyPI peers (idempotent).
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  libboost-dev libboost-system-dev nlohmann-json3-dev libzookeeper-mt-dev libyaml-cpp-dev
  libssl-dev openssl  # TLS to the brokers; the tests make their certificates with the CLI
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers for the tests: ZooKeeper server, librdkafka's mock cluster, kcat, kafka-python
  zookeeper librdkafka-dev kcat
  python3-kafka python3-snappy python3-lz4 python3-xxhash python3-zstandard python3-kazoo
  python3-venv  # the venv of the PyPI peers (pykafka), made by scripts/fetch-python-peers.sh
  # real Kafka brokers: fetched from Maven into a cache by scripts/fetch-peers.sh
  maven default-jdk-headless  # javac, for the Java peers in tests/peers/java
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

"$(dirname "$0")/fetch-peers.sh"
"$(dirname "$0")/fetch-storm.sh"
"$(dirname "$0")/fetch-python-peers.sh"
