#!/bin/sh
# The benchmark harness (docs/benchmarks.md).
set -eu
sh scripts/bench-readers.sh "${1:-build}"
