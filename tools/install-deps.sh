#!/usr/bin/env bash
# Makes sure the machine has what Companion's build and tests need, installing
# Debian packages when running as root and saying exactly what to install
# otherwise. Usage: tools/install-deps.sh [run|test]
set -euo pipefail
what=${1:-run}

need_cmds=(go node npm)
pkgs=()
[ "$what" = test ] && {
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-tools) # makes the test clusters
  # PostgreSQL's server programs: the tests use the machine's server when
  # one answers on 127.0.0.1:5432, else start a private one with initdb.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || pkgs+=(postgresql)
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  # python-icalendar, an independent reader of the calendar files, under
  # Debian's own python3 (the one on PATH may be another).
  /usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1 || pkgs+=(python3-icalendar)
  # Java for the Nu Html Checker (vnu.jar), which validates the pages' HTML.
  command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)
}

for c in "${need_cmds[@]}"; do
  if ! command -v "$c" >/dev/null 2>&1; then
    echo "Companion needs '$c' on PATH: install Go 1.25 or newer and Node.js 20 with npm." >&2
    exit 1
  fi
done

if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  else
    echo "Companion's tests need these Debian packages: ${pkgs[*]}" >&2
    echo "Install them with: sudo apt-get install ${pkgs[*]}" >&2
    exit 1
  fi
fi
