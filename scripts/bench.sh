#!/bin/sh
# The benchmark harness (docs/benchmarks.md).
set -eu
sh scripts/bench-readers.sh "${1:-build}"
sh scripts/bench-client.sh "${1:-build}"
sh scripts/bench-import.sh "${1:-build}"
sh scripts/bench-signals.sh "${1:-build}"
