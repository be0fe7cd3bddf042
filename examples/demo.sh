#!/usr/bin/env bash
# make demo: runs hxe on the examples in a throw-away home, shows each step, then stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export HXE_HOME="${HXE_HOME:-$(mktemp -d /tmp/hxe-demo.XXXXXX)}"
hxe() { ./bin/hxe "$@"; }
step() { printf '\n\033[1m$ hxe %s\033[0m\n' "$*"; }
trap 'hxe agent stop >/dev/null 2>&1 || true' EXIT

step validate -f examples/; hxe validate -f examples/
step diff -f examples/; hxe diff -f examples/ || true
step apply -f examples/ --wait; hxe apply -f examples/ --wait --timeout 30s
step get -o wide; hxe get -o wide
sleep 2
step logs worker --tail 3; hxe logs worker --tail 3
step describe web; hxe describe web
step diff -f examples/; hxe diff -f examples/ && echo "(exit 0: running state equals the manifests)"
step agent stop; hxe agent stop
echo; echo "Home used: $HXE_HOME"
