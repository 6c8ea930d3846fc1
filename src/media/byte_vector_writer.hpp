// libwebm's writer interface over a byte vector, for the muxer utilities that write
// init segments and Clusters: append only, never seeked (every size is known, or
// written as unknown, before its element's content).
#pragma once

#include "core/bytes.hpp"
#include "mkvmuxer/mkvmuxer.h"

namespace swarmcast::media {

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

}  // namespace swarmcast::media
