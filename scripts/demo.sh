#!/bin/sh
# The demo: starts loket-sim on its fixture, runs the importer on the samples, ends in a report.
set -eu
BUILD=${1:-build}
"$BUILD/loket-import" --help
