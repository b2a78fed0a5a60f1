#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages bam needs, as root (a fresh container, CI: no sudo there) or as a user with
# sudo: OpenBLAS and pkg-config for the native kernels, and g++, make and python3 for node-gyp to build them.
# Without OpenBLAS, `npm ci` still succeeds but bam falls back to the pure-TypeScript reference kernels, about 50x
# slower; rerun this script and `npm run build:native` to fix that.
#
# usage: bash scripts/setup.sh [--with-browser] [--with-torch] [--with-mpi]
#   --with-browser  also chromium, for the test that opens report.html in a browser (skipped without it)
#   --with-torch    also python3-torch, for the PyTorch side of `bam bench` and the masked-LM golden test
#   --with-mpi      also Open MPI, for data-parallel training (mpirun -np N bam run ...; rebuild with npm run build:native)
set -euo pipefail
packages=(libopenblas-dev pkg-config g++ make python3)
for arg in "$@"; do
  case "$arg" in
    --with-browser) packages+=(chromium) ;;
    --with-torch) packages+=(python3-torch) ;;
    --with-mpi) packages+=(openmpi-bin libopenmpi-dev) ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (see --help)" >&2; exit 1 ;;
  esac
done

if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  echo "setup.sh: ${packages[*]} already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: no apt-get here; install OpenBLAS and pkg-config with your package manager, or bam runs on its reference kernels (about 50x slower)" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup.sh: run as root or install sudo, to install: ${packages[*]}" >&2
  exit 1
fi
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "setup.sh: installed ${packages[*]}"
