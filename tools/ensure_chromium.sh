#!/bin/bash
# Install what the browser and team-serving tests need, when missing and when we may (root with
# apt-get): Debian's Chromium, CJK fonts for readable screenshots, and HAProxy (the balancer of
# `python -m atlas serve`). Never downloads a browser build itself.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# the browser tests run Chromium's headless shell (the same engine, less CPU: tests/e2e/conftest.py)
[ -x /usr/lib/chromium/chromium-headless-shell ] || missing+=(chromium-headless-shell)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing+=(fonts-noto-cjk)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
# the reports' PDF (WeasyPrint) lays text out with Pango
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages ${missing[*]} for the browser and team-serving tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
        || echo "warning: could not install ${missing[*]}; their tests will be skipped (a failure under CI)"
else
    echo "note: ${missing[*]} not installed; their tests will be skipped (a failure under CI)," \
        "except that without chromium-headless-shell the browser tests run on chromium"
fi
exit 0
