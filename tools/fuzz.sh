#!/usr/bin/env bash
# Fuzzes the parsers that read bytes from outside (wire decoder, WebM segmenter) and
# make_clip, which re-reads what the segmenter kept: builds each libFuzzer target with
# clang, ASan and UBSan under build/fuzz/, then runs each for
# SECONDS on its corpus in build/fuzz/corpus/<target>/ (kept between runs) plus the
# fixed seeds in build/fuzz/seeds/<target>/.
#   bash tools/fuzz.sh [SECONDS]   (default: 60 per target)
#   bash tools/fuzz.sh --burst     (npm test: the wire decoder for 20 s from the seeds
#                                   alone, with a fixed random seed, so runs start alike)
# Exits non-zero if a target crashed or did not build; a crash's reproducer is left in
# build/fuzz/artifacts/. Replay one: build/fuzz/<target> build/fuzz/artifacts/<file>
# SWARMCAST_FUZZ_DIR moves build/fuzz elsewhere.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
burst=0
if [ "${1:-}" = --burst ]; then burst=1; seconds=20; else seconds="${1:-60}"; fi
out="${SWARMCAST_FUZZ_DIR:-build/fuzz}"
webm=third_party/libwebm/webm_parser
# libwebm's muxer utilities, with which the segmenter writes each chunk's Cluster.
muxer="third_party/libwebm/mkvmuxer/mkvmuxer.cc third_party/libwebm/mkvmuxer/mkvmuxerutil.cc third_party/libwebm/mkvmuxer/mkvwriter.cc"

cxx="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$cxx" ]; then
  echo "clang++ not found: run tools/bootstrap.sh (Debian's clang, libclang-rt-14-dev)" >&2
  exit 1
fi
# Every object carries coverage instrumentation and the sanitizers; only the final link
# adds libFuzzer's main. UB aborts instead of printing and going on, so the fuzzer sees
# it; libstdc++'s assertions catch a bad optional, span or vector access.
# shellcheck disable=SC2054  # the commas belong to -fsanitize=
sanitize=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
          -D_GLIBCXX_ASSERTIONS)
core_flags=(-std=c++20 -Isrc -I"$webm/include" -Ithird_party/libwebm "${sanitize[@]}" -fsanitize=fuzzer-no-link)
# libwebm as it ships (NDEBUG, like the Release build): its debug assertions fire on
# valid push-parser use (a child id straddling its parent's end across a kWouldBlock).
webm_flags=(-std=c++17 -w -DNDEBUG -I"$webm/include" -I"$webm" -Ithird_party/libwebm "${sanitize[@]}" -fsanitize=fuzzer-no-link)

declare -A sources=(
  [wire_decode_fuzz]="src/wire/*.cpp tests/fuzz/wire_decode_fuzz.cpp"
  [segmenter_fuzz]="src/media/*.cpp tests/fuzz/segmenter_fuzz.cpp $webm/src/*.cc $muxer"
  [clip_fuzz]="src/media/*.cpp tests/fuzz/clip_fuzz.cpp $webm/src/*.cc $muxer"
)
# Inputs longer than this only slow a target down: the largest wire message is 64 KiB;
# 64 KiB of WebM holds the headers and the first cluster or two.
declare -A max_len=([wire_decode_fuzz]=65537 [segmenter_fuzz]=65536 [clip_fuzz]=65536)
targets=(wire_decode_fuzz segmenter_fuzz clip_fuzz)
# The burst leaves the segmenter out: its cold clang build with UBSan takes ~3 minutes
# on 2 cores (libwebm's segment_parser.cc alone over a minute), and it reads only our
# own recorder's output, while the wire decoder reads every peer's bytes.
if [ "$burst" = 1 ]; then targets=(wire_decode_fuzz); fi

mkdir -p "$out/obj" "$out/artifacts"
# Objects built with other flags or another compiler are thrown away, not mixed in.
stamp="$out/obj/flags"
flags_now="$cxx ${core_flags[*]} | ${webm_flags[*]}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$flags_now" ]; then
  rm -f "$out"/obj/*.o "$out"/obj/*.d
  printf '%s\n' "$flags_now" >"$stamp"
fi

obj_for() { local s="${1//\//_}"; echo "$out/obj/${s%.*}.o"; }

# stale OBJ: missing, or older than its source or a header it included (from -MMD).
stale() {
  local obj="$1" dep="${1%.o}.d" file
  [ -f "$obj" ] && [ -f "$dep" ] || return 0
  for file in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [ "$file" -nt "$obj" ] && return 0
  done
  return 1
}

# --- build: every stale object, nproc at a time; a failed one leaves no .o behind ---
declare -A seen=()
pids=()
for target in "${targets[@]}"; do
  for src in ${sources[$target]}; do
    [ -z "${seen[$src]:-}" ] || continue
    seen[$src]=1
    obj="$(obj_for "$src")"
    stale "$obj" || continue
    if [[ "$src" == *.cc ]]; then flags=("${webm_flags[@]}"); else flags=("${core_flags[@]}"); fi
    while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
    rm -f "$obj"
    "$cxx" "${flags[@]}" -MMD -MP -MT "$obj" -MF "${obj%.o}.d" -c "$src" -o "$obj.tmp" \
      >"${obj%.o}.log" 2>&1 && mv "$obj.tmp" "$obj" &
    pids+=($!)
  done
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

failed=0
# build TARGET: links it from its objects (when one is newer than the binary); on a
# failed compile or link, shows the compiler's output and says so.
build() {
  local target="$1" bin="$out/$1" src obj objs=() relink=0
  for src in ${sources[$target]}; do
    obj="$(obj_for "$src")"
    if [ ! -f "$obj" ]; then
      cat "${obj%.o}.log" >&2
      echo "$target: build failed (compiling $src)" >&2
      return 1
    fi
    objs+=("$obj")
    [ "$obj" -nt "$bin" ] && relink=1
  done
  [ -f "$bin" ] && [ "$relink" = 0 ] && return 0
  if ! "$cxx" "${sanitize[@]}" -fsanitize=fuzzer "${objs[@]}" -o "$bin" >"$bin.link.log" 2>&1; then
    cat "$bin.link.log" >&2
    echo "$target: build failed (linking)" >&2
    return 1
  fi
}

# --- seed corpora: written once, never changed; what libFuzzer finds goes to corpus/ ---
# shellcheck disable=SC2059  # the format is the bytes, as \xHH escapes
unhex() { printf "$(sed 's/../\\x&/g' <<<"$1")"; }
seed() {  # seed TARGET NAME HEX
  mkdir -p "$out/seeds/$1"
  [ -f "$out/seeds/$1/$2" ] || unhex "$3" >"$out/seeds/$1/$2"
}
# One valid message of each simple type (docs/PROTOCOL.md, "Peer wire protocol").
seed wire_decode_fuzz handshake "0101$(printf '%064x' 7)0000000000000029030100001000"  # version 1: refused
seed wire_decode_fuzz handshake-v2 "0102$(printf '%064x' 7)0000000000000029030100001000"
seed wire_decode_fuzz have "020000000000000005000affc0"
seed wire_decode_fuzz have-range "03000000000000000700100008"
seed wire_decode_fuzz request "04000000000000000500030004"
seed wire_decode_fuzz piece "050000000000000005000161626364"
seed wire_decode_fuzz cancel "06000000000000000500030004"
seed wire_decode_fuzz choke "07"
seed wire_decode_fuzz unchoke "08"
seed wire_decode_fuzz peer-exchange "0b02000000000000000102320000000000000002033c"
seed wire_decode_fuzz ping "0c0000002a"
seed wire_decode_fuzz pong "0d0000002a"
seed wire_decode_fuzz goodbye "0e04"
seed wire_decode_fuzz device-status "10230000f424"
seed wire_decode_fuzz rendition-list "11$(printf '%0220d' 0)"
seed wire_decode_fuzz chat "0f00$(printf '%064d' 0)0000000100000190000000000003416e6100026869$(printf '%0128d' 0)"

# The segmenter's input starts with 4 setup bytes (tests/fuzz/segmenter_fuzz.cpp): each
# sample file twice, in 4 KiB slices under 1 MiB caps and in 7-byte slices under 64 KiB
# caps, cut to max_len.
bash tests/media/make-media.sh >/dev/null
mkdir -p "$out/seeds/segmenter_fuzz"
for file in build/media/*.webm; do
  name="$(basename "$file" .webm)"
  for setup in 0fff0a38:4k 00060634:7; do
    seed_file="$out/seeds/segmenter_fuzz/$name-${setup#*:}"
    [ -f "$seed_file" ] || { unhex "${setup%:*}"; head -c "$((max_len[segmenter_fuzz] - 4))" "$file"; } >"$seed_file"
  done
done

# make_clip's input starts with 2 bytes that split it (tests/fuzz/clip_fuzz.cpp): each
# sample file split where its first Cluster begins, as a clip is, cut to max_len.
mkdir -p "$out/seeds/clip_fuzz"
for file in build/media/*.webm; do
  seed_file="$out/seeds/clip_fuzz/$(basename "$file" .webm)"
  [ -f "$seed_file" ] && continue
  cluster_at="$(LC_ALL=C grep -obUaP -m1 '\x1f\x43\xb6\x75' "$file" | head -1 | cut -d: -f1 || true)"
  { unhex "$(printf '%04x' "$((${cluster_at:-0} % 65536))")"; head -c "$((max_len[clip_fuzz] - 2))" "$file"; } >"$seed_file"
done

# --- run ---
for target in "${targets[@]}"; do
  if ! build "$target"; then
    failed=1
    continue
  fi
  log="$out/$target.log"
  # libFuzzer writes what it finds into the first folder: in a burst, a scratch one.
  if [ "$burst" = 1 ]; then
    corpus="$out/burst/$target"
    rm -rf "$corpus"
    random=(-seed=1)
  else
    corpus="$out/corpus/$target"
    random=()
  fi
  mkdir -p "$corpus"
  if "$out/$target" -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=25 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" "${random[@]}" \
      "$corpus" "$out/seeds/$target" >"$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    echo "$target: $runs runs, no crash ($speed exec/s)"
  else
    failed=1
    # The first report line, the project's frames of its stack, the reproducer's path.
    grep -m1 -E 'ERROR: |runtime error|Assertion .* failed|deadly signal' "$log" >&2 || true
    grep -E '^ +#[0-9]+ .* in (swarmcast|LLVMFuzzerTestOneInput)' "$log" | head -8 >&2 || true
    grep -E 'Test unit written to' "$log" >&2 || true
    echo "$target: CRASHED (full log: $log)" >&2
  fi
done
exit "$failed"
