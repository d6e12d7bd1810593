#!/bin/bash
# Install Debian's Chromium (and CJK fonts for readable screenshots) for the browser tests,
# when missing and when we may: root with apt-get. Never downloads a browser build itself.
set -u
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages chromium and fonts-noto-cjk for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
        || echo "warning: could not install chromium; browser tests will be skipped (a failure under CI)"
else
    echo "note: /usr/bin/chromium not found; browser tests will be skipped (a failure under CI)"
fi
exit 0
