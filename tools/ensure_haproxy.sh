#!/bin/bash
# `make serve`: HAProxy (Debian's package) is the balancer in front of the Streamlit processes.
set -u
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian package haproxy for the team server..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq haproxy >/dev/null \
        || echo "warning: could not install haproxy"
else
    echo "note: HAProxy is not installed: sudo apt-get install haproxy"
fi
exit 0
