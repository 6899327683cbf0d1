#!/usr/bin/env bash
# Install the Debian packages vaesweep needs, when missing, then configure
# and build it in build/ (or the folder given as $1).  Run as root (or with
# sudo available) on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin
    libhdf5-openmpi-dev hdf5-tools libopenblas-dev libinih-dev
    librandom123-dev zlib1g-dev libcmocka-dev libcjson-dev clang-format
    cppcheck valgrind python3-numpy python3-h5py python3-scipy python3-matplotlib
    python3-pandas)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
        "${missing[@]}" >/dev/null
fi

build=${1:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)"
