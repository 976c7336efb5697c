#!/usr/bin/env bash
# Installs the PyPI peers of the tests and benchmarks (pykafka, confluent-kafka, pystorm) into a venv in the cache outside the tree.
#
# usage: scripts/fetch-python-peers.sh
# The venv is ${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/python-peers, made from Debian's python3
# with its site packages (kazoo, snappy and lz4 come from there). A file `complete` in it holds
# the requirements it was made from; while they are unchanged, a second run does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requirements=$root/tests/peers/python/requirements.txt
venv=${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/python-peers
python=/usr/bin/python3

if [[ -x $venv/bin/python && -f $venv/complete ]] && cmp -s "$requirements" "$venv/complete"; then
  exit 0
fi
echo "fetch-python-peers: $(grep -v '^\s*\(#\|$\)' "$requirements" | tr '\n' ' ')" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv --system-site-packages "$venv"
if ! "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >"$venv/pip.log" 2>&1; then
  echo "fetch-python-peers: pip could not install $requirements:" >&2
  tail -n 5 "$venv/pip.log" >&2
  exit 1
fi
# The peers must import with what the venv sees, Debian's packages included.
"$venv/bin/python" -c 'import pykafka, kazoo, snappy, lz4.frame, pystorm, kafka; from pykafka.balancedconsumer import BalancedConsumer'
cp "$requirements" "$venv/complete"
