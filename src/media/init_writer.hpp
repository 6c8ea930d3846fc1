// The init segment of a rendition encoded by WebCodecs, written from its spec: EBML
// header, Segment of unknown size (the stream is live), Info (TimecodeScale 1 ms) and
// Tracks (video track 1, Opus track 2), by libwebm's muxer: its EBML header and element
// writers. Not its Track classes, which would bring their Colour, Projection and
// ContentEncoding code into the wasm for nothing, and pick random track UIDs: here the
// UID is the track number, so the same spec always gives the same bytes.
#pragma once

#include "core/result.hpp"
#include "media/mux_types.hpp"

namespace swarmcast::media {

// Limits a spec must keep: the Matroska fields hold more, no encoder or player does.
inline constexpr std::uint32_t kMaxVideoDimension = 16384;
inline constexpr std::uint32_t kMaxAudioChannels = 8;
inline constexpr std::size_t kMaxCodecPrivateBytes = 1024;

// kBadSpec when the codec is not VP8/VP9, a dimension is 0 or above the limit, or the
// audio's rate, channels or OpusHead do not hold together.
Result<InitSegment, MuxError> write_init_segment(const RenditionSpec& spec, Epoch epoch);

}  // namespace swarmcast::media
