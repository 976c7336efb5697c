#!/bin/sh
# Starts kafka-spout from the topology's resources/ directory. exec keeps the pid Storm records.
chmod +x ./kafka-spout 2>/dev/null
exec ./kafka-spout "$@"
