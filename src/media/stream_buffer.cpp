#include "media/stream_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace swarmcast::media {

void StreamBuffer::append(ByteView bytes) { data_.insert(data_.end(), bytes.begin(), bytes.end()); }

ByteView StreamBuffer::view(std::uint64_t begin, std::uint64_t end) const {
  return ByteView(data_).subspan(dead_ + (begin - base_), end - begin);
}

void StreamBuffer::release_before(std::uint64_t pos) {
  pos = std::min(pos, cursor_);
  if (pos <= base_) return;
  dead_ += pos - base_;
  base_ = pos;
  // Compacting only once the dead prefix outweighs the live bytes keeps appends
  // amortised O(1) per byte.
  if (dead_ > data_.size() / 2) {
    data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(dead_));
    dead_ = 0;
  }
}

void StreamBuffer::seek(std::uint64_t pos) { cursor_ = std::clamp(pos, base_, fed()); }

webm::Status StreamBuffer::exhausted() const {
  return webm::Status(end_of_stream_ ? webm::Status::kEndOfFile : webm::Status::kWouldBlock);
}

webm::Status StreamBuffer::Read(std::size_t num_to_read, std::uint8_t* buffer,
                                std::uint64_t* num_actually_read) {
  const std::uint64_t n = std::min<std::uint64_t>(num_to_read, available());
  *num_actually_read = n;
  if (n == 0) return exhausted();
  std::memcpy(buffer, data_.data() + dead_ + (cursor_ - base_), n);
  cursor_ += n;
  return webm::Status(n == num_to_read ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

webm::Status StreamBuffer::Skip(std::uint64_t num_to_skip, std::uint64_t* num_actually_skipped) {
  const std::uint64_t n = std::min(num_to_skip, available());
  *num_actually_skipped = n;
  if (n == 0) return exhausted();
  cursor_ += n;
  return webm::Status(n == num_to_skip ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

}  // namespace swarmcast::media
