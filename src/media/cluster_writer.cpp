#include "media/cluster_writer.hpp"

#include "common/webmids.h"
#include "media/byte_vector_writer.hpp"
#include "media/stream_buffer.hpp"
#include "mkvmuxer/mkvmuxerutil.h"

namespace swarmcast::media {

ByteVector write_cluster(std::int64_t timecode_ticks, std::span<const BlockRef> blocks, const StreamBuffer& buffer) {
  const auto timecode = static_cast<mkvmuxer::uint64>(timecode_ticks);
  mkvmuxer::uint64 payload = mkvmuxer::EbmlElementSize(libwebm::kMkvTimecode, timecode);
  for (const BlockRef& block : blocks) payload += block.bytes.end - block.bytes.begin;

  ByteVector out;
  out.reserve(static_cast<std::size_t>(payload) + 12);
  ByteVectorWriter writer(out);
  // Writing to memory cannot fail, and the preconditions keep every value in range, so
  // the muxer's status results carry nothing to act on.
  mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvCluster, payload);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTimecode, timecode);
  for (const BlockRef& block : blocks) {
    writer.write(buffer.view(block.bytes.begin, block.timecode_at));
    mkvmuxer::SerializeInt(&writer, block.ticks - timecode_ticks, 2);
    writer.write(buffer.view(block.timecode_at + 2, block.bytes.end));
  }
  return out;
}

}  // namespace swarmcast::media
