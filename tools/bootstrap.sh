#!/usr/bin/env bash
# Installs everything swarmcast needs on a Debian 12 machine. Idempotent and quiet
# when everything is already there: each step checks before it acts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
third="$root/third_party"
log() { printf '[bootstrap] %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

debian_packages=(
  emscripten binaryen node-acorn cmake g++ make pkg-config
  googletest libgtest-dev libbenchmark-dev nlohmann-json3-dev libsodium-dev
  autoconf automake libtool ffmpeg dpkg-dev clang libclang-rt-14-dev
  libmimalloc-dev chromium firefox-esr
  iproute2 nftables coturn redis-server
)

install_debian_packages() {
  local missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# apt-get source needs deb-src lines; Debian 12 ships only binary ones.
enable_source_packages() {
  local src=/etc/apt/sources.list.d/swarmcast-src.sources
  grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/ && return
  log "enabling Debian source packages"
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | as_root tee "$src" >/dev/null
  as_root apt-get update -qq
}

# Fetches and unpacks one Debian source package into third_party/<name>.
fetch_source() {
  local name="$1" dir="$third/$1"
  [ -d "$dir" ] && return
  enable_source_packages
  log "fetching source package $name"
  local tmp; tmp="$(mktemp -d)"
  # apt drops to the _apt user for downloads; let it write here.
  chmod 755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true
  (cd "$tmp" && apt-get source --download-only -qq "$name" >/dev/null)
  local orig; orig="$(ls "$tmp"/"${name}"_*.orig.tar.* | head -n1)"
  mkdir -p "$dir"
  tar -xf "$orig" -C "$dir" --strip-components=1
  rm -rf "$tmp"
}

# libsodium for wasm: ~2 minutes, so the result is cached in third_party/.
build_wasm_libsodium() {
  local prefix="$third/wasm-libsodium"
  [ -f "$prefix/lib/libsodium.a" ] && return
  fetch_source libsodium
  log "building libsodium for wasm (about 2 minutes)"
  export NODE_PATH=/usr/share/nodejs
  local build_log="$third/libsodium-wasm-build.log"
  if ! (
    cd "$third/libsodium"
    [ -x configure ] || ./autogen.sh -s
    emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$prefix" \
      --disable-shared --enable-static --without-pthreads --disable-ssp --disable-asm \
      --enable-minimal CFLAGS="-O3"
    emmake make -j"$(nproc)"
    emmake make install
    emmake make distclean || true
  ) >"$build_log" 2>&1; then
    tail -30 "$build_log"
    echo "[bootstrap] libsodium wasm build failed (log: $build_log)" >&2
    exit 1
  fi
}

install_node_packages() {
  cd "$root"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
     || [ package.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
  fi
}

# The field tests start coturn themselves, in namespaces of their own; the package's
# own service (enabled on install) must not hold the TURN port or run unasked.
keep_coturn_service_off() {
  command -v systemctl >/dev/null || return 0
  systemctl is-enabled --quiet coturn 2>/dev/null || systemctl is-active --quiet coturn 2>/dev/null || return 0
  log "stopping and disabling the coturn system service"
  as_root systemctl disable --now coturn >/dev/null 2>&1 || true
}

install_debian_packages
keep_coturn_service_off
fetch_source libwebm
fetch_source benchmark  # Google Benchmark's sources: npm run bench builds them for wasm
build_wasm_libsodium
install_node_packages
