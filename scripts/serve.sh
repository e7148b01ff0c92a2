#!/usr/bin/env bash
# Runs `ferry serve` with its embedded defaults (or the options given), after installing the two C
# libraries the build links against when they are missing (Debian: libcrypt-dev, libsqlite3-dev).
#
#   scripts/serve.sh                      # data in ./ferry-data, listening on 127.0.0.1:2222
#   scripts/serve.sh --listen 0.0.0.0:2222 --data-dir /srv/ferry
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
for pkg in libcrypt-dev libsqlite3-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (needed to build ferry)" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

swift build -c release --product ferry >&2
exec "$(swift build -c release --show-bin-path)/ferry" serve "$@"
