#!/usr/bin/env bash
# System packages the test suite needs beyond Node.js: Java (DynamoDB Local, npm-groovy-lint)
# and Debian's Chromium (the local twin's HTML page test). Idempotent; skips what is present.
set -euo pipefail
# --with-training: also Debian's XGBoost, numpy and pandas for /usr/bin/python3, to retrain the model
# (tools/model-training) or run bench/scoring; never needed by npm start or npm test.
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${1:-}" = "--with-training" ]; then
  /usr/bin/python3 -c 'import xgboost, numpy, pandas' 2>/dev/null || need+=(python3-xgboost python3-numpy python3-pandas)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
