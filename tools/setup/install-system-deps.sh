#!/usr/bin/env bash
# System packages the test suite needs beyond Node.js: Java (DynamoDB Local, npm-groovy-lint)
# and Debian's Chromium (the local twin's HTML page test). Idempotent; skips what is present.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
