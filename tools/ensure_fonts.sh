#!/bin/bash
# Exported chart images use Noto Sans CJK (one family for Latin and Chinese). Install Debian's
# fonts-noto-cjk when it is missing and we may (root with apt-get); never fetched at run time.
set -u
if fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian package fonts-noto-cjk for exported chart images..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq fonts-noto-cjk >/dev/null \
        || echo "note: could not install fonts-noto-cjk; exported images fall back to the system's fonts"
else
    echo "note: fonts-noto-cjk is not installed (sudo apt-get install fonts-noto-cjk); exported images fall back to the system's fonts"
fi
exit 0
