#!/usr/bin/env bash
# Makes the WebM test media with real encoders (ffmpeg: libvpx, libvpx-vp9, libopus).
# Nothing generated is committed; files are made once into build/media/ and reused.
set -euo pipefail
out="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/media}"
mkdir -p "$out"

video="testsrc2=size=320x180:rate=30"
tone="sine=frequency=440:sample_rate=48000"
fast_vp8=(-c:v libvpx -b:v 400k -deadline realtime -cpu-used 8)
fast_vp9=(-c:v libvpx-vp9 -b:v 400k -deadline realtime -cpu-used 8 -row-mt 1)

make() {  # make NAME SECONDS FFMPEG-OUTPUT-ARGS...
  local name="$1" seconds="$2"; shift 2
  [ -s "$out/$name.webm" ] && return
  ffmpeg -nostdin -loglevel error -y -f lavfi -i "$video" -f lavfi -i "$tone" -t "$seconds" \
    "$@" "$out/$name.webm.tmp.webm"
  mv "$out/$name.webm.tmp.webm" "$out/$name.webm"
}

make vp8-opus-1s 6 "${fast_vp8[@]}" -g 30 -c:a libopus
make vp9-opus-1s 6 "${fast_vp9[@]}" -g 30 -c:a libopus
# Sparse keyframes and, like Chromium, a new cluster every ~0.5 s between them.
make vp8-opus-4s 12 "${fast_vp8[@]}" -g 120 -c:a libopus -cluster_time_limit 500
make vp8-video-only 6 "${fast_vp8[@]}" -g 30 -an
make opus-audio-only 6 -vn -c:a libopus -cluster_time_limit 500
# VP8 with an alpha plane: libvpx writes BlockGroups with BlockAdditions, as Chromium
# does for a canvas with alpha.
make vp8-alpha 6 -vf format=yuva420p "${fast_vp8[@]}" -auto-alt-ref 0 -g 30 -c:a libopus
# Live-style: no Cues, no SeekHead, like a recorder's output.
make vp8-opus-live 6 "${fast_vp8[@]}" -g 30 -c:a libopus -live 1
make vp8-opus-live-20s 20 "${fast_vp8[@]}" -g 30 -c:a libopus -live 1
# A longer 640x360 stream at ~2.5 Mbit/s for the benchmarks.
[ -s "$out/bench-vp8-opus.webm" ] || ffmpeg -nostdin -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=30" -f lavfi -i "$tone" -t 20 \
  -c:v libvpx -b:v 2500k -deadline realtime -cpu-used 8 -g 30 -c:a libopus "$out/bench-vp8-opus.webm"
