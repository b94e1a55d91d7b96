#!/usr/bin/env bash
# Checks deploy/systemd/* with `systemd-analyze verify`, which needs no running systemd: it
# parses the unit files offline. verify also insists that each ExecStart program exists, so
# the units are checked from a copy whose /opt/planner/venv/bin points at stub programs.
# Any message (an unknown key, a bad calendar spec, a missing unit) fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v systemd-analyze >/dev/null; then
  echo "Installing systemd (for systemd-analyze) …"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/units"
for program in planner gunicorn; do
  printf '#!/bin/sh\n' > "$work/bin/$program"
  chmod +x "$work/bin/$program"
done
for unit in deploy/systemd/*.service deploy/systemd/*.timer; do
  sed "s#/opt/planner/venv/bin/#$work/bin/#g" "$unit" > "$work/units/$(basename "$unit")"
done
output=$(cd "$work/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no ./*.service ./*.timer 2>&1) || status=$?
if [ -n "$output" ] || [ "${status:-0}" != 0 ]; then
  echo "$output"
  echo "systemd-analyze verify found problems in deploy/systemd/"
  exit 1
fi
for timer in deploy/systemd/*.timer; do
  spec=$(sed -n 's/^OnCalendar=//p' "$timer")
  systemd-analyze calendar "$spec" >/dev/null || { echo "$timer: bad OnCalendar=$spec"; exit 1; }
done
echo "deploy/systemd: $(ls deploy/systemd | wc -l) units verified"
