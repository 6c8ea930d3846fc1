// Distinct types for ids and units, so a sequence number cannot be passed where an
// epoch or a piece index is expected.
#pragma once

#include <compare>
#include <cstdint>

namespace swarmcast {

template <typename Tag, typename Rep>
struct Strong {
  Rep value{};

  constexpr Strong() = default;
  constexpr explicit Strong(Rep v) : value(v) {}
  constexpr auto operator<=>(const Strong&) const = default;
};

using ChunkSeq = Strong<struct ChunkSeqTag, std::uint64_t>;
using Epoch = Strong<struct EpochTag, std::uint32_t>;
using PieceIndex = Strong<struct PieceIndexTag, std::uint32_t>;
// One quality of a stream (a rung of its signed rendition list).
using RenditionId = Strong<struct RenditionIdTag, std::uint8_t>;
// Milliseconds; media timestamps and wall-clock capture times alike.
using TimeMs = Strong<struct TimeMsTag, std::int64_t>;

// A chunk's name: its seq in one rendition. Ordered seq first, as chunk k of every
// rendition covers the same moment: what is older than a moment (the window's end, the
// playhead) is one contiguous range across renditions, from lower_bound({seq, 0}).
struct ChunkId {
  ChunkSeq seq;
  RenditionId rendition;
  constexpr auto operator<=>(const ChunkId&) const = default;
};

}  // namespace swarmcast
