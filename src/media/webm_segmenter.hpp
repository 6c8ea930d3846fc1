// Cuts a live WebM byte stream (MediaRecorder's, or an ffmpeg file) into an init
// segment per epoch and self-contained media chunks, on libwebm's push parser.
// Push bytes in any slicing: one byte at a time gives the same events as the whole.
#pragma once

#include <memory>
#include <vector>

#include "media/segment_types.hpp"

namespace swarmcast::media {

class WebmSegmenter {
 public:
  explicit WebmSegmenter(SegmenterConfig config = {});
  ~WebmSegmenter();
  WebmSegmenter(const WebmSegmenter&) = delete;
  WebmSegmenter& operator=(const WebmSegmenter&) = delete;

  void push(ByteView bytes);
  // End of stream: emits the last chunk, or reports a truncated final element.
  void finish();

  // Events in stream order since the last call.
  std::vector<SegmenterEvent> take_events();

  // Bytes currently held for chunks still being assembled: at most max_chunk_bytes +
  // 3 x max_element_bytes after any push (past that the epoch is abandoned).
  std::uint64_t retained_bytes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcast::media
