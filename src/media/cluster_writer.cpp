#include "media/cluster_writer.hpp"

#include "common/webmids.h"
#include "media/stream_buffer.hpp"
#include "mkvmuxer/mkvmuxer.h"
#include "mkvmuxer/mkvmuxerutil.h"

namespace swarmcast::media {
namespace {

// libwebm's writer interface over a byte vector: append only, never seeked (every size
// is known before it is written).
class ByteVectorWriter final : public mkvmuxer::IMkvWriter {
 public:
  explicit ByteVectorWriter(ByteVector& out) : out_(out) {}

  mkvmuxer::int32 Write(const void* buf, mkvmuxer::uint32 len) override {
    const auto* bytes = static_cast<const Byte*>(buf);
    out_.insert(out_.end(), bytes, bytes + len);
    return 0;
  }
  mkvmuxer::int64 Position() const override { return static_cast<mkvmuxer::int64>(out_.size()); }
  mkvmuxer::int32 Position(mkvmuxer::int64) override { return -1; }
  bool Seekable() const override { return false; }
  void ElementStartNotify(mkvmuxer::uint64, mkvmuxer::int64) override {}

  void write(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

 private:
  ByteVector& out_;
};

}  // namespace

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
