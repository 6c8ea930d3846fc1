// A cursor over big-endian bytes, for the decoders of untrusted input (the wire codec,
// the signed rendition list). A read that does not fit returns false and leaves the
// cursor where it was; nothing is allocated here, so a length is checked against the
// bytes present before anything is sized by it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace swarmcast {

class ByteReader {
 public:
  explicit ByteReader(ByteView bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }

  template <typename T>
  bool uint(T& out) {
    if (remaining() < sizeof(T)) return false;
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | bytes_[pos_ + i]);
    pos_ += sizeof(T);
    out = value;
    return true;
  }
  bool u8(std::uint8_t& out) { return uint(out); }
  bool u16(std::uint16_t& out) { return uint(out); }
  bool u32(std::uint32_t& out) { return uint(out); }
  bool u64(std::uint64_t& out) { return uint(out); }

  bool bytes(std::size_t n, ByteView& out) {
    if (remaining() < n) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

  // What is left: for a message that ends in its payload, whose boundary is its length.
  ByteView rest() {
    const ByteView out = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return out;
  }

 private:
  ByteView bytes_;
  std::size_t pos_ = 0;
};

}  // namespace swarmcast
