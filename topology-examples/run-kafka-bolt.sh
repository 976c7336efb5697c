#!/bin/sh
# Starts kafka-bolt from the topology's resources/ directory. exec keeps the pid Storm records.
chmod +x ./kafka-bolt 2>/dev/null
exec ./kafka-bolt "$@"
