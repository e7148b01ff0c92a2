#!/usr/bin/env bash
# Ferry's test command: installs what the tests need, builds everything (warnings are errors) and runs
# `swift test`. Extra arguments go to `swift test` (e.g. `scripts/test.sh --filter IntegrationTests`).
#
# Environment:
#   FERRY_TEST_SKIP_INSTALL=1   skip the apt/pip install step
#   FERRY_TEST_INSTALL_ONLY=1   install, then stop (no build, no tests)
#   FERRY_TEST_VENV=DIR         Python virtualenv for the test peers
#                               (default: ${XDG_CACHE_HOME:-$HOME/.cache}/ferry-tests/venv)
#
# Installed once, quickly skipped when present:
#   Debian: libcrypt-dev, libsqlite3-dev, rclone, lftp, openssh-client, openssh-server (only /usr/sbin/sshd with private configs is used; the
#           package's own service is kept from starting), sshpass, curl, python3 + python3-venv
#   PyPI (into the virtualenv above): paramiko, asyncssh, cryptography
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_debian_packages() {
    local wanted=(openssh-client openssh-server sshpass curl python3 python3-venv libcrypt-dev libsqlite3-dev whois rclone lftp)
    local missing=()
    local pkg
    for pkg in "${wanted[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        info "Debian packages present: ${wanted[*]}"
        return
    fi
    info "missing Debian packages: ${missing[*]}"

    # Installing openssh-server must not start (or enable) the system's sshd: a policy-rc.d that
    # answers 101 ("action forbidden") makes invoke-rc.d / deb-systemd-invoke skip the start.
    local policy=/usr/sbin/policy-rc.d
    local own_policy=0
    if [ ! -e "$policy" ]; then
        info "installing a temporary $policy so package scripts start no services"
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        own_policy=1
    fi

    local status=0
    (
        set -e
        export DEBIAN_FRONTEND=noninteractive
        step "apt-get update"
        as_root apt-get update -qq
        step "apt-get install ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    ) || status=$?

    if [ "$own_policy" -eq 1 ]; then
        as_root rm -f "$policy"
    fi
    if [ "$status" -ne 0 ]; then
        echo "error: apt-get failed ($status)" >&2
        exit "$status"
    fi
    # The package enables its service for the next boot on systemd machines; the tests never use
    # it, so when this script installed it, switch it off again (best effort; `disable` works
    # without a running systemd, `stop` only matters where systemd runs).
    if [[ " ${missing[*]} " == *" openssh-server "* ]] && command -v systemctl >/dev/null 2>&1; then
        info "disabling the system ssh service that openssh-server enabled"
        as_root systemctl disable ssh.service >/dev/null 2>&1 || true
        if [ -d /run/systemd/system ]; then
            as_root systemctl stop ssh.service ssh.socket >/dev/null 2>&1 || true
        fi
    fi
}

venv_dir() {
    local home="${HOME:-}"
    [ -n "$home" ] || home="$(getent passwd "$(id -u)" | cut -d: -f6)"
    printf '%s\n' "${FERRY_TEST_VENV:-${XDG_CACHE_HOME:-$home/.cache}/ferry-tests/venv}"
}

install_python_packages() {
    local venv
    venv="$(venv_dir)"
    local py="$venv/bin/python3"
    local check='import paramiko, asyncssh, cryptography; print("paramiko", paramiko.__version__, "| asyncssh", asyncssh.__version__, "| cryptography", cryptography.__version__)'
    local versions
    if [ -x "$py" ] && versions="$("$py" -c "$check" 2>/dev/null)"; then
        info "Python peers' virtualenv $venv: $versions"
        return
    fi
    step "creating Python virtualenv $venv"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
    step "pip install paramiko asyncssh cryptography (latest)"
    "$py" -m pip install --quiet --disable-pip-version-check --upgrade paramiko asyncssh cryptography
    versions="$("$py" -c "$check")"
    info "$versions"
}

check_no_system_sshd() {
    # Only our private sshd instances should ever run; warn if the system's daemon is up.
    local pid
    for pid in $(pgrep -x sshd 2>/dev/null || true); do
        if [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "1" ] \
            && ps -o args= -p "$pid" | grep -qv -- ' -f '; then
            info "warning: a system sshd (pid $pid) is running; the tests do not use it"
        fi
    done
}

if [ "${FERRY_TEST_SKIP_INSTALL:-0}" = "1" ]; then
    step "skipping installs (FERRY_TEST_SKIP_INSTALL=1)"
else
    step "checking test dependencies"
    install_debian_packages
    install_python_packages
    check_no_system_sshd
fi

if [ -x "$(venv_dir)/bin/python3" ]; then
    FERRY_TEST_PYTHON="$(venv_dir)/bin/python3"
    export FERRY_TEST_PYTHON
    info "FERRY_TEST_PYTHON=$FERRY_TEST_PYTHON"
fi

if [ "${FERRY_TEST_INSTALL_ONLY:-0}" = "1" ]; then
    step "done (FERRY_TEST_INSTALL_ONLY=1)"
    exit 0
fi

step "swift build --build-tests -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error"
swift build --build-tests -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error

# The message decoder is fuzzed briefly on every run (longer with FERRY_FUZZ_SECONDS); a crash fails the run.
# It runs before the tests so that the test runner's summary is the last thing printed.
if [ "$#" -eq 0 ] && [ "${FERRY_FUZZ_SECONDS:-30}" != "0" ]; then
    step "fuzz/run.sh ${FERRY_FUZZ_SECONDS:-30}"
    bash fuzz/run.sh "${FERRY_FUZZ_SECONDS:-30}"
fi

step "swift test --skip-build $*"
swift test --skip-build "$@"
