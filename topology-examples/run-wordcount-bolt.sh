#!/bin/sh
# Starts a word count bolt from the topology's resources/ directory: "split" or "count".
# exec keeps the pid Storm records; the jar's extraction drops the execute bit.
chmod +x "./wordcount-$1-bolt" 2>/dev/null
exec "./wordcount-$1-bolt"
