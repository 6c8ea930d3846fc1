// The bytes pushed into the segmenter, addressed by absolute stream position, and
// libwebm's Reader over them. Bytes stay only while something may still be cut out
// of them (an init segment or a chunk); release_before() drops the rest, so memory
// follows what is retained, not what was pushed.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "webm/reader.h"

namespace swarmcast::media {

class StreamBuffer final : public webm::Reader {
 public:
  void append(ByteView bytes);
  // After this, running out of bytes reads as end of file instead of "would block".
  void mark_end_of_stream() { end_of_stream_ = true; }

  std::uint64_t fed() const { return base_ + (data_.size() - dead_); }
  std::uint64_t retained_from() const { return base_; }
  std::uint64_t retained_bytes() const { return data_.size() - dead_; }

  // Precondition: retained_from() <= begin <= end <= fed().
  ByteView view(std::uint64_t begin, std::uint64_t end) const;
  // Drops bytes before pos (clamped to the read cursor).
  void release_before(std::uint64_t pos);
  // Moves the read cursor; used to resume at an EBML header found by a scan.
  void seek(std::uint64_t pos);

  webm::Status Read(std::size_t num_to_read, std::uint8_t* buffer,
                    std::uint64_t* num_actually_read) override;
  webm::Status Skip(std::uint64_t num_to_skip, std::uint64_t* num_actually_skipped) override;
  std::uint64_t Position() const override { return cursor_; }

 private:
  std::uint64_t available() const { return fed() - cursor_; }
  webm::Status exhausted() const;

  ByteVector data_;         // data_[dead_..] holds stream bytes [base_, fed())
  std::size_t dead_ = 0;    // released prefix not yet compacted away
  std::uint64_t base_ = 0;  // absolute position of data_[dead_]
  std::uint64_t cursor_ = 0;
  bool end_of_stream_ = false;
};

}  // namespace swarmcast::media
