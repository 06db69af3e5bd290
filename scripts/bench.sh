#!/bin/sh
# The benchmark harness (docs/benchmarks.md).
set -eu
echo "bench: no benchmarks yet" >&2
