#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Installs it when missing and we may (root with
# apt-get); otherwise says how, and the browser tests skip with that reason — unless
# REQUIRE_BROWSER is set (CI), where a missing Chromium is an error.
set -euo pipefail
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests (apt-get, about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; } \
    || true
fi
[ -x "$chromium" ] && exit 0
message="no Chromium at $chromium: install Debian's chromium package (apt-get install chromium) or set CHROMIUM"
if [ -n "${REQUIRE_BROWSER:-}" ]; then
  echo "error: $message" >&2
  exit 1
fi
echo "warning: $message; the browser tests will be skipped" >&2
