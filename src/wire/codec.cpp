#include "wire/codec.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/byte_reader.hpp"
#include "trust/signed_header.hpp"

// Every chunk the trust module will sign must fit one ChunkHeader message.
static_assert(swarmcast::trust::kMaxChunkBytes / swarmcast::trust::kPieceSize == swarmcast::wire::kMaxPiecesPerChunk);

namespace swarmcast::wire {
namespace {

constexpr std::size_t kPeerEntryBytes = 8 + 1 + 1;
constexpr Byte kFlagCanUpload = 1u << 0;
constexpr Byte kFlagMetered = 1u << 1;
constexpr Byte kFlagBatteryLow = 1u << 2;
constexpr Byte kFlagHidden = 1u << 3;
constexpr unsigned kChoiceShift = 4;  // bits 4-5: the upload choice
constexpr Byte kChoiceMask = 0x3u << kChoiceShift;
constexpr Byte kKnownFlags = kFlagCanUpload | kFlagMetered | kFlagBatteryLow | kFlagHidden | kChoiceMask;
constexpr Byte kMaxUploadChoice = static_cast<Byte>(swarm::UploadChoice::kCap);
constexpr Byte kMaxRole = static_cast<Byte>(swarm::Role::kLeaf);
constexpr Byte kMaxGoodbyeReason = static_cast<Byte>(GoodbyeReason::kStreamEnded);

class Writer {
 public:
  explicit Writer(std::size_t size) { out_.reserve(size); }
  void u8(std::uint8_t value) { uint(value); }
  void u16(std::uint16_t value) { uint(value); }
  void u32(std::uint32_t value) { uint(value); }
  void u64(std::uint64_t value) { uint(value); }
  void bytes(ByteView data) { out_.insert(out_.end(), data.begin(), data.end()); }
  ByteVector take() { return std::move(out_); }

 private:
  template <typename T>
  void uint(T value) {
    for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) out_.push_back(static_cast<Byte>(value >> shift));
  }

  ByteVector out_;
};

// What a Writer would write, counted: encode sizes its buffer once (growing it byte by
// byte cost several allocations per message).
class Counter {
 public:
  void u8(std::uint8_t) { size_ += 1; }
  void u16(std::uint16_t) { size_ += 2; }
  void u32(std::uint32_t) { size_ += 4; }
  void u64(std::uint64_t) { size_ += 8; }
  void bytes(ByteView data) { size_ += data.size(); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

using Decoded = Result<Message, WireError>;

Decoded ok(Message message) { return Decoded(std::move(message)); }
Decoded fail(WireError error) { return Failure{error}; }

template <std::size_t N>
std::array<Byte, N> to_array(ByteView bytes) {
  std::array<Byte, N> out{};
  std::copy_n(bytes.begin(), N, out.begin());
  return out;
}

// Handshake and DeviceStatus share the device flags byte; false for a reserved bit set
// or an upload choice this version does not define.
template <typename DeviceMessage>
bool read_device_flags(std::uint8_t flags, DeviceMessage& out) {
  const auto choice = static_cast<std::uint8_t>((flags & kChoiceMask) >> kChoiceShift);
  if ((flags & ~kKnownFlags) != 0 || choice > kMaxUploadChoice) return false;
  out.can_upload = (flags & kFlagCanUpload) != 0;
  out.metered = (flags & kFlagMetered) != 0;
  out.battery_low = (flags & kFlagBatteryLow) != 0;
  out.hidden = (flags & kFlagHidden) != 0;
  out.upload_choice = static_cast<swarm::UploadChoice>(choice);
  return true;
}

template <typename DeviceMessage>
std::uint8_t device_flags(const DeviceMessage& m) {
  return static_cast<std::uint8_t>((m.can_upload ? kFlagCanUpload : 0) | (m.metered ? kFlagMetered : 0) |
                                   (m.battery_low ? kFlagBatteryLow : 0) | (m.hidden ? kFlagHidden : 0) |
                                   (static_cast<unsigned>(m.upload_choice) << kChoiceShift));
}

Decoded decode_handshake(ByteReader& r) {
  std::uint8_t version = 0;
  if (!r.u8(version)) return fail(WireError::kTruncated);
  // Checked before anything else: another version may lay out the rest differently.
  if (version != kProtocolVersion) return fail(WireError::kBadVersion);
  ByteView key;
  std::uint64_t peer_id = 0;
  std::uint8_t role = 0;
  std::uint8_t flags = 0;
  Handshake out;
  if (!(r.bytes(32, key) && r.u64(peer_id) && r.u8(role) && r.u8(flags) && r.u32(out.upload_budget_bytes_per_s)))
    return fail(WireError::kTruncated);
  if (role > kMaxRole || !read_device_flags(flags, out)) return fail(WireError::kBadValue);
  out.stream_key = to_array<32>(key);
  out.peer_id = swarm::PeerId{peer_id};
  out.role = static_cast<swarm::Role>(role);
  return ok(out);
}

Decoded decode_device_status(ByteReader& r) {
  std::uint8_t flags = 0;
  DeviceStatus out;
  if (!(r.u8(flags) && r.u32(out.upload_budget_bytes_per_s))) return fail(WireError::kTruncated);
  if (!read_device_flags(flags, out)) return fail(WireError::kBadValue);
  return ok(out);
}

Decoded decode_have(ByteReader& r) {
  std::uint8_t rendition = 0;
  std::uint64_t base = 0;
  std::uint16_t count = 0;
  if (!(r.u8(rendition) && r.u64(base) && r.u16(count))) return fail(WireError::kTruncated);
  // The window may not run past the last sequence number.
  if (rendition >= trust::kMaxRenditions || count > kMaxHaveWindow ||
      (count > 0 && base > std::numeric_limits<std::uint64_t>::max() - (count - 1u)))
    return fail(WireError::kBadValue);
  ByteView bitmap;
  if (!r.bytes((count + 7u) / 8u, bitmap)) return fail(WireError::kTruncated);
  // Padding bits must be zero, so that each window has exactly one encoding.
  if (count % 8 != 0 && (bitmap.back() & (0xFFu >> (count % 8))) != 0) return fail(WireError::kBadValue);
  Have have{RenditionId{rendition}, ChunkSeq{base}, std::vector<bool>(count)};
  for (std::size_t i = 0; i < count; ++i) have.have[i] = (bitmap[i / 8] & (0x80u >> (i % 8))) != 0;
  return ok(std::move(have));
}

// HaveRange, Request and Cancel share their layout and rules. The range must lie
// within kMaxPiecesPerChunk, which also keeps first + count within u16; a request is
// further limited to kMaxPiecesPerRequest.
template <typename RangeMessage, std::size_t kMaxCount>
Decoded decode_piece_range(ByteReader& r) {
  std::uint8_t rendition = 0;
  std::uint64_t seq = 0;
  std::uint16_t first = 0;
  std::uint16_t count = 0;
  if (!(r.u8(rendition) && r.u64(seq) && r.u16(first) && r.u16(count))) return fail(WireError::kTruncated);
  if (rendition >= trust::kMaxRenditions || count == 0 || count > kMaxCount ||
      std::size_t{first} + count > kMaxPiecesPerChunk)
    return fail(WireError::kBadValue);
  return ok(RangeMessage{ChunkId{ChunkSeq{seq}, RenditionId{rendition}}, PieceIndex{first}, count});
}

Result<PieceView, WireError> piece_fields(ByteReader& r) {
  std::uint8_t rendition = 0;
  std::uint64_t seq = 0;
  std::uint16_t index = 0;
  if (!(r.u8(rendition) && r.u64(seq) && r.u16(index))) return Failure{WireError::kTruncated};
  if (rendition >= trust::kMaxRenditions || index >= kMaxPiecesPerChunk) return Failure{WireError::kBadValue};
  const ByteView payload = r.rest();
  if (payload.empty()) return Failure{WireError::kBadValue};
  if (payload.size() > kMaxPieceBytes) return Failure{WireError::kTooLarge};
  return PieceView{ChunkId{ChunkSeq{seq}, RenditionId{rendition}}, PieceIndex{index}, payload};
}

Decoded decode_piece(ByteReader& r) {
  const auto piece = piece_fields(r);
  if (!piece) return fail(piece.error());
  const PieceView& p = piece.value();
  return ok(Piece{p.id, p.index, ByteVector(p.bytes.begin(), p.bytes.end())});
}

Decoded decode_chunk_header(ByteReader& r) {
  ByteView header;
  std::uint16_t count = 0;
  if (!(r.bytes(trust::kSignedHeaderSize, header) && r.u16(count))) return fail(WireError::kTruncated);
  if (count == 0 || count > kMaxPiecesPerChunk) return fail(WireError::kBadValue);
  ByteView hashes;
  if (!r.bytes(std::size_t{count} * sizeof(PieceHash), hashes)) return fail(WireError::kTruncated);
  ChunkHeader out{ByteVector(header.begin(), header.end()), std::vector<PieceHash>(count)};
  for (std::size_t i = 0; i < count; ++i) out.piece_hashes[i] = to_array<32>(hashes.subspan(i * sizeof(PieceHash)));
  return ok(std::move(out));
}

Decoded decode_init_segment(ByteReader& r) {
  ByteView header;
  if (!r.bytes(trust::kSignedHeaderSize, header)) return fail(WireError::kTruncated);
  const ByteView segment = r.rest();
  if (segment.empty()) return fail(WireError::kBadValue);
  if (segment.size() > kMaxInitBytes) return fail(WireError::kTooLarge);
  return ok(InitSegment{ByteVector(header.begin(), header.end()), ByteVector(segment.begin(), segment.end())});
}

Decoded decode_rendition_list(ByteReader& r) {
  const ByteView ladder = r.rest();
  if (ladder.empty()) return fail(WireError::kBadValue);
  if (ladder.size() > trust::kMaxSignedLadderBytes) return fail(WireError::kTooLarge);
  return ok(RenditionList{ByteVector(ladder.begin(), ladder.end())});
}

Decoded decode_playing(ByteReader& r) {
  std::uint8_t rendition = 0;
  if (!r.u8(rendition)) return fail(WireError::kTruncated);
  if (rendition >= trust::kMaxRenditions) return fail(WireError::kBadValue);
  return ok(Playing{RenditionId{rendition}});
}

Decoded decode_peer_exchange(ByteReader& r) {
  std::uint8_t count = 0;
  if (!r.u8(count)) return fail(WireError::kTruncated);
  if (count > kMaxPeerExchange) return fail(WireError::kBadValue);
  ByteView list;
  if (!r.bytes(std::size_t{count} * kPeerEntryBytes, list)) return fail(WireError::kTruncated);
  PeerExchange out;
  out.peers.reserve(count);
  for (ByteReader entries(list); entries.remaining() > 0;) {
    std::uint64_t peer_id = 0;
    std::uint8_t role = 0;
    std::uint8_t score = 0;
    entries.u64(peer_id);  // cannot fail: list holds whole entries
    entries.u8(role);
    entries.u8(score);
    if (role > kMaxRole || score > kMaxPeerScore) return fail(WireError::kBadValue);
    out.peers.push_back(PeerEntry{swarm::PeerId{peer_id}, static_cast<swarm::Role>(role), score});
  }
  return ok(std::move(out));
}

template <typename NonceMessage>
Decoded decode_nonce(ByteReader& r) {
  std::uint32_t nonce = 0;
  if (!r.u32(nonce)) return fail(WireError::kTruncated);
  return ok(NonceMessage{nonce});
}

Decoded decode_goodbye(ByteReader& r) {
  std::uint8_t reason = 0;
  if (!r.u8(reason)) return fail(WireError::kTruncated);
  if (reason > kMaxGoodbyeReason) return fail(WireError::kBadValue);
  return ok(Goodbye{static_cast<GoodbyeReason>(reason)});
}

Decoded decode_chat(ByteReader& r) {
  Chat out;
  std::uint8_t kind = 0;
  std::uint8_t name_size = 0;
  std::uint16_t text_size = 0;
  ByteView author, name, text, signature;
  if (!r.u8(out.hops) || !r.bytes(32, author) || !r.u32(out.number) || !r.u64(out.sent_at_ms) || !r.u8(kind) ||
      !r.u8(name_size))
    return fail(WireError::kTruncated);
  if (kind > static_cast<std::uint8_t>(ChatKind::kReaction) || name_size > kMaxChatNameBytes) return fail(WireError::kBadValue);
  if (!r.bytes(name_size, name) || !r.u16(text_size)) return fail(WireError::kTruncated);
  const std::size_t max_text = kind == static_cast<std::uint8_t>(ChatKind::kText) ? kMaxChatTextBytes : kMaxChatReactionBytes;
  if (text_size == 0 || text_size > max_text) return fail(WireError::kBadValue);
  if (!r.bytes(text_size, text) || !r.bytes(64, signature)) return fail(WireError::kTruncated);
  if (!valid_utf8(name) || !valid_utf8(text)) return fail(WireError::kBadValue);
  out.author = to_array<32>(author);
  out.kind = static_cast<ChatKind>(kind);
  out.name.assign(name.begin(), name.end());
  out.text.assign(text.begin(), text.end());
  out.signature = to_array<64>(signature);
  return ok(std::move(out));
}

Decoded decode_fields(MessageType type, ByteReader& r) {
  switch (type) {
    case MessageType::kHandshake: return decode_handshake(r);
    case MessageType::kHave: return decode_have(r);
    case MessageType::kHaveRange: return decode_piece_range<HaveRange, kMaxPiecesPerChunk>(r);
    case MessageType::kRequest: return decode_piece_range<Request, kMaxPiecesPerRequest>(r);
    case MessageType::kPiece: return decode_piece(r);
    case MessageType::kCancel: return decode_piece_range<Cancel, kMaxPiecesPerRequest>(r);
    case MessageType::kChoke: return ok(Choke{});
    case MessageType::kUnchoke: return ok(Unchoke{});
    case MessageType::kChunkHeader: return decode_chunk_header(r);
    case MessageType::kInitSegment: return decode_init_segment(r);
    case MessageType::kPeerExchange: return decode_peer_exchange(r);
    case MessageType::kPing: return decode_nonce<Ping>(r);
    case MessageType::kPong: return decode_nonce<Pong>(r);
    case MessageType::kGoodbye: return decode_goodbye(r);
    case MessageType::kChat: return decode_chat(r);
    case MessageType::kDeviceStatus: return decode_device_status(r);
    case MessageType::kRenditionList: return decode_rendition_list(r);
    case MessageType::kPlaying: return decode_playing(r);
  }
  return fail(WireError::kUnknownType);
}

template <typename Out>
void encode_fields(Out& w, const Handshake& m) {
  w.u8(kProtocolVersion);
  w.bytes(m.stream_key);
  w.u64(m.peer_id.value);
  w.u8(static_cast<std::uint8_t>(m.role));
  w.u8(device_flags(m));
  w.u32(m.upload_budget_bytes_per_s);
}

template <typename Out>
void encode_fields(Out& w, const DeviceStatus& m) {
  w.u8(device_flags(m));
  w.u32(m.upload_budget_bytes_per_s);
}

template <typename Out>
void encode_fields(Out& w, const Have& m) {
  w.u8(m.rendition.value);
  w.u64(m.base.value);
  w.u16(static_cast<std::uint16_t>(m.have.size()));
  ByteVector bitmap((m.have.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < m.have.size(); ++i)
    if (m.have[i]) bitmap[i / 8] = static_cast<Byte>(bitmap[i / 8] | (0x80u >> (i % 8)));
  w.bytes(bitmap);
}

template <typename Out, typename RangeMessage>
void encode_piece_range(Out& w, const RangeMessage& m) {
  w.u8(m.id.rendition.value);
  w.u64(m.id.seq.value);
  w.u16(static_cast<std::uint16_t>(m.first_piece.value));
  w.u16(m.piece_count);
}
template <typename Out>
void encode_fields(Out& w, const HaveRange& m) { encode_piece_range(w, m); }
template <typename Out>
void encode_fields(Out& w, const Request& m) { encode_piece_range(w, m); }
template <typename Out>
void encode_fields(Out& w, const Cancel& m) { encode_piece_range(w, m); }

template <typename Out>
void encode_fields(Out& w, const PieceView& m) {
  w.u8(m.id.rendition.value);
  w.u64(m.id.seq.value);
  w.u16(static_cast<std::uint16_t>(m.index.value));
  w.bytes(m.bytes);
}
template <typename Out>
void encode_fields(Out& w, const Piece& m) { encode_fields(w, PieceView{m.id, m.index, m.bytes}); }

template <typename Out>
void encode_fields(Out&, const Choke&) {}
template <typename Out>
void encode_fields(Out&, const Unchoke&) {}

template <typename Out>
void encode_fields(Out& w, const ChunkHeader& m) {
  w.bytes(m.signed_header);
  w.u16(static_cast<std::uint16_t>(m.piece_hashes.size()));
  for (const PieceHash& hash : m.piece_hashes) w.bytes(hash);
}

template <typename Out>
void encode_fields(Out& w, const InitSegment& m) {
  w.bytes(m.signed_header);
  w.bytes(m.bytes);
}

template <typename Out>
void encode_fields(Out& w, const RenditionList& m) { w.bytes(m.signed_ladder); }

template <typename Out>
void encode_fields(Out& w, const Playing& m) { w.u8(m.rendition.value); }

template <typename Out>
void encode_fields(Out& w, const PeerExchange& m) {
  w.u8(static_cast<std::uint8_t>(m.peers.size()));
  for (const PeerEntry& peer : m.peers) {
    w.u64(peer.peer_id.value);
    w.u8(static_cast<std::uint8_t>(peer.role));
    w.u8(peer.score);
  }
}

template <typename Out>
void encode_fields(Out& w, const Ping& m) { w.u32(m.nonce); }
template <typename Out>
void encode_fields(Out& w, const Pong& m) { w.u32(m.nonce); }
template <typename Out>
void encode_fields(Out& w, const Goodbye& m) { w.u8(static_cast<std::uint8_t>(m.reason)); }

template <typename Out>
void encode_chat_signed(Out& w, const Chat& m) {
  w.bytes(m.author);
  w.u32(m.number);
  w.u64(m.sent_at_ms);
  w.u8(static_cast<std::uint8_t>(m.kind));
  w.u8(static_cast<std::uint8_t>(m.name.size()));
  w.bytes(ByteView(reinterpret_cast<const Byte*>(m.name.data()), m.name.size()));
  w.u16(static_cast<std::uint16_t>(m.text.size()));
  w.bytes(ByteView(reinterpret_cast<const Byte*>(m.text.data()), m.text.size()));
}
template <typename Out>
void encode_fields(Out& w, const Chat& m) {
  w.u8(m.hops);
  encode_chat_signed(w, m);
  w.bytes(m.signature);
}

}  // namespace

ByteVector encode(const Message& message) {
  return std::visit(
      [](const auto& m) {
        constexpr auto type = static_cast<std::uint8_t>(std::decay_t<decltype(m)>::kType);
        Counter size;
        size.u8(type);
        encode_fields(size, m);
        Writer w(size.size());
        w.u8(type);
        encode_fields(w, m);
        return w.take();
      },
      message);
}

ByteVector encode_piece(const PieceView& piece) {
  Counter size;
  size.u8(static_cast<std::uint8_t>(MessageType::kPiece));
  encode_fields(size, piece);
  Writer w(size.size());
  w.u8(static_cast<std::uint8_t>(MessageType::kPiece));
  encode_fields(w, piece);
  return w.take();
}

ByteVector chat_signed_fields(const Chat& chat) {
  Counter size;
  encode_chat_signed(size, chat);
  Writer w(size.size());
  encode_chat_signed(w, chat);
  return w.take();
}

bool valid_utf8(ByteView bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const Byte lead = bytes[i];
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) { i += 1; continue; }
    if ((lead & 0xE0) == 0xC0) { length = 2; code = lead & 0x1F; }
    else if ((lead & 0xF0) == 0xE0) { length = 3; code = lead & 0x0F; }
    else if ((lead & 0xF8) == 0xF0) { length = 4; code = lead & 0x07; }
    else return false;
    if (i + length > bytes.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    // The shortest form only, no UTF-16 surrogates, and within Unicode.
    constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kLeast[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

Result<Message, WireError> decode(ByteView bytes) {
  if (bytes.empty()) return fail(WireError::kEmpty);
  if (bytes.size() > kMaxMessageBytes) return fail(WireError::kTooLarge);
  ByteReader r(bytes.subspan(1));
  Decoded decoded = decode_fields(static_cast<MessageType>(bytes[0]), r);
  if (decoded.ok() && r.remaining() != 0) return fail(WireError::kTrailingBytes);
  return decoded;
}

Result<PieceView, WireError> decode_piece(ByteView bytes) {
  if (bytes.empty()) return Failure{WireError::kEmpty};
  if (bytes.size() > kMaxMessageBytes) return Failure{WireError::kTooLarge};
  ByteReader r(bytes.subspan(1));
  return piece_fields(r);  // a piece ends in its payload: no trailing bytes
}

}  // namespace swarmcast::wire
