// Reads WebM back with libwebm for the segmenter's tests: every Cluster (its Timecode,
// whether its size is known) and every block (track, absolute time, keyframe, frame
// bytes), so a chunk's output can be compared with the file it came from.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "core/bytes.hpp"
#include "webm/buffer_reader.h"
#include "webm/callback.h"
#include "webm/webm_parser.h"

namespace swarmcast::test {

struct ReadBlock {
  std::uint64_t track = 0;
  std::int64_t time = 0;  // Cluster Timecode + relative timecode, in ticks
  bool keyframe = false;  // SimpleBlock flag, or a BlockGroup without ReferenceBlock
  ByteVector frame;
  std::int64_t duration = 0;  // a BlockGroup's BlockDuration, in ticks; 0 without one
  bool operator==(const ReadBlock&) const = default;
};

// How gtest shows a block when a comparison fails.
inline void PrintTo(const ReadBlock& b, std::ostream* os) {
  *os << "{track " << b.track << " at " << b.time << (b.keyframe ? " key" : "") << " lasting " << b.duration << ", "
      << b.frame.size() << " bytes}";
}

struct ReadCluster {
  std::uint64_t timecode = 0;
  bool known_size = false;
  std::uint64_t bytes = 0;  // header + size, when known
  std::vector<ReadBlock> blocks;
};

struct ReadWebm {
  std::vector<ReadCluster> clusters;
  bool parsed = false;  // libwebm read it to the end without an error
  std::vector<ReadBlock> blocks() const {
    std::vector<ReadBlock> out;
    for (const auto& c : clusters) out.insert(out.end(), c.blocks.begin(), c.blocks.end());
    return out;
  }
};

class BlockReader final : public webm::Callback {
 public:
  ReadWebm out;

  webm::Status OnClusterBegin(const webm::ElementMetadata& m, const webm::Cluster& cluster, webm::Action* action) override {
    *action = webm::Action::kRead;
    ReadCluster c;
    c.timecode = cluster.timecode.value();
    c.known_size = m.size != webm::kUnknownElementSize;
    c.bytes = c.known_size ? m.header_size + m.size : 0;
    out.clusters.push_back(c);
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock& block, webm::Action* action) override {
    *action = webm::Action::kRead;
    begin_block(block, block.is_key_frame);
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnBlockBegin(const webm::ElementMetadata&, const webm::Block& block, webm::Action* action) override {
    *action = webm::Action::kRead;
    begin_block(block, false);
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnBlockGroupEnd(const webm::ElementMetadata&, const webm::BlockGroup& group) override {
    ReadBlock& block = out.clusters.back().blocks.back();
    block.keyframe = group.references.empty();
    if (group.duration.is_present()) block.duration = static_cast<std::int64_t>(group.duration.value());
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnFrame(const webm::FrameMetadata&, webm::Reader* reader, std::uint64_t* remaining) override {
    ByteVector& frame = out.clusters.back().blocks.back().frame;
    while (*remaining > 0) {
      std::uint8_t byte = 0;
      std::uint64_t read = 0;
      const webm::Status status = reader->Read(1, &byte, &read);
      if (!status.completed_ok()) return status;
      frame.push_back(byte);
      *remaining -= read;
    }
    return webm::Status(webm::Status::kOkCompleted);
  }

 private:
  void begin_block(const webm::Block& block, bool keyframe) {
    ReadBlock b;
    b.track = block.track_number;
    b.time = static_cast<std::int64_t>(out.clusters.back().timecode) + block.timecode;
    b.keyframe = keyframe;
    out.clusters.back().blocks.push_back(b);
  }
};

// An init segment followed by clusters (or a whole file).
inline ReadWebm read_webm(const ByteVector& bytes) {
  webm::BufferReader reader(bytes);
  BlockReader callback;
  webm::WebmParser parser;
  const webm::Status status = parser.Feed(&callback, &reader);
  callback.out.parsed = status.completed_ok() || status.code == webm::Status::kEndOfFile;
  return callback.out;
}

}  // namespace swarmcast::test
