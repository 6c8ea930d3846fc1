// The peer wire protocol, version 2: every message two peers exchange, declared once.
// (Version 2 carries the 164-byte signed headers of version 2, which name a rendition,
// and names a chunk by (rendition, seq) in every message that addresses one.)
// One WebRTC data-channel message carries exactly one wire message (the channel is
// ordered and reliable and keeps message boundaries), so there is no length framing:
// a message is `u8 type` followed by its fields, integers big-endian.
// docs/PROTOCOL.md ("Peer wire protocol") has the byte tables; codec.hpp encodes and
// strictly decodes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/strong_types.hpp"
#include "swarm/swarm_types.hpp"
#include "trust/rendition_ladder.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::wire {

inline constexpr std::uint8_t kProtocolVersion = 2;
// A whole message, type byte included.
inline constexpr std::size_t kMaxMessageBytes = 65536;
// Chunks a Have may describe at once.
inline constexpr std::size_t kMaxHaveWindow = 1024;
inline constexpr std::size_t kMaxPiecesPerRequest = 64;
inline constexpr std::size_t kMaxPieceBytes = trust::kPieceSize;
// 1024 pieces of 16 KiB: chunks up to 16 MiB, whose 32 KiB of piece hashes still fit
// one ChunkHeader message. Piece indices on the wire are below this.
inline constexpr std::size_t kMaxPiecesPerChunk = 1024;
inline constexpr std::size_t kMaxInitBytes = 60000;
inline constexpr std::size_t kMaxPeerExchange = 32;
inline constexpr std::uint8_t kMaxPeerScore = 100;
// Chat: a display name, and a line of text or one reaction (an emoji), in UTF-8 bytes.
inline constexpr std::size_t kMaxChatNameBytes = 32;
inline constexpr std::size_t kMaxChatTextBytes = 500;
inline constexpr std::size_t kMaxChatReactionBytes = 16;

using StreamKey = std::array<Byte, 32>;
using PieceHash = std::array<Byte, 32>;

enum class MessageType : std::uint8_t {
  kHandshake = 1,
  kHave = 2,
  kHaveRange = 3,
  kRequest = 4,
  kPiece = 5,
  kCancel = 6,
  kChoke = 7,
  kUnchoke = 8,
  kChunkHeader = 9,
  kInitSegment = 10,
  kPeerExchange = 11,
  kPing = 12,
  kPong = 13,
  kGoodbye = 14,
  kChat = 15,
  kDeviceStatus = 16,
  kRenditionList = 17,
  kPlaying = 18,
};

// The first message on every connection, both ways. The version is not a field: the
// codec writes kProtocolVersion and refuses any other (kBadVersion). The device fields
// are DeviceStatus's, as they stand when the link opens.
struct Handshake {
  static constexpr MessageType kType = MessageType::kHandshake;
  StreamKey stream_key{};
  swarm::PeerId peer_id;
  swarm::Role role = swarm::Role::kLeaf;
  bool can_upload = false;
  bool metered = false;
  bool battery_low = false;
  bool hidden = false;
  std::uint32_t upload_budget_bytes_per_s = 0;  // 0: no declared limit
  swarm::UploadChoice upload_choice = swarm::UploadChoice::kAuto;
  bool operator==(const Handshake&) const = default;
};

// The sender's device or upload setting changed (swarm_types.hpp's DeviceConstraints):
// sent to every peer at once, so that they stop asking it (can_upload false) or ask
// it less (a budget). can_upload is what the sender's own rules concluded; a receiver
// works it out again from the other fields. The budget is the most the sender will
// upload now, its hidden page's reduced rate included (0: no limit).
struct DeviceStatus {
  static constexpr MessageType kType = MessageType::kDeviceStatus;
  bool can_upload = false;
  bool metered = false;
  bool battery_low = false;
  bool hidden = false;
  std::uint32_t upload_budget_bytes_per_s = 0;
  swarm::UploadChoice upload_choice = swarm::UploadChoice::kAuto;
  bool operator==(const DeviceStatus&) const = default;
};

// have[i]: chunk base + i of the rendition is complete and verified. One Have per
// rendition held.
struct Have {
  static constexpr MessageType kType = MessageType::kHave;
  RenditionId rendition;
  ChunkSeq base;
  std::vector<bool> have;
  bool operator==(const Have&) const = default;
};

// The sender holds pieces first_piece .. first_piece + piece_count - 1 of chunk id,
// verified: how cut-through relays advertise pieces of a chunk they hold in part, and
// how relays advertise the stripe a super-seeding broadcaster pushed to them.
struct HaveRange {
  static constexpr MessageType kType = MessageType::kHaveRange;
  ChunkId id;
  PieceIndex first_piece;
  std::uint16_t piece_count = 0;
  bool operator==(const HaveRange&) const = default;
};

// Pieces first_piece .. first_piece + piece_count - 1 of chunk id.
struct Request {
  static constexpr MessageType kType = MessageType::kRequest;
  ChunkId id;
  PieceIndex first_piece;
  std::uint16_t piece_count = 1;
  bool operator==(const Request&) const = default;
};

struct Piece {
  static constexpr MessageType kType = MessageType::kPiece;
  ChunkId id;
  PieceIndex index;
  ByteVector bytes;
  bool operator==(const Piece&) const = default;
};

// A Piece whose payload stays in the message it came in or goes out in (codec.hpp's
// decode_piece and encode_piece): pieces are most of the bytes peers exchange, and
// copying each into a Piece on the way was a tenth of a 1000-viewer simulation.
struct PieceView {
  ChunkId id;
  PieceIndex index;
  ByteView bytes;
};

// Withdraws (part of) an earlier Request.
struct Cancel {
  static constexpr MessageType kType = MessageType::kCancel;
  ChunkId id;
  PieceIndex first_piece;
  std::uint16_t piece_count = 1;
  bool operator==(const Cancel&) const = default;
};

struct Choke {
  static constexpr MessageType kType = MessageType::kChoke;
  bool operator==(const Choke&) const = default;
};

struct Unchoke {
  static constexpr MessageType kType = MessageType::kUnchoke;
  bool operator==(const Unchoke&) const = default;
};

// The signed header stays opaque here (trust::verify_signed_header checks it); the
// piece hashes let a relay verify and forward each piece as it arrives.
struct ChunkHeader {
  static constexpr MessageType kType = MessageType::kChunkHeader;
  ByteVector signed_header;  // exactly trust::kSignedHeaderSize bytes
  std::vector<PieceHash> piece_hashes;
  bool operator==(const ChunkHeader&) const = default;
};

struct InitSegment {
  static constexpr MessageType kType = MessageType::kInitSegment;
  ByteVector signed_header;  // exactly trust::kSignedHeaderSize bytes, kind init
  ByteVector bytes;
  bool operator==(const InitSegment&) const = default;
};

struct PeerEntry {
  swarm::PeerId peer_id;
  swarm::Role role = swarm::Role::kLeaf;
  std::uint8_t score = 0;  // 0..kMaxPeerScore
  bool operator==(const PeerEntry&) const = default;
};

struct PeerExchange {
  static constexpr MessageType kType = MessageType::kPeerExchange;
  std::vector<PeerEntry> peers;
  bool operator==(const PeerExchange&) const = default;
};

struct Ping {
  static constexpr MessageType kType = MessageType::kPing;
  std::uint32_t nonce = 0;
  bool operator==(const Ping&) const = default;
};

struct Pong {
  static constexpr MessageType kType = MessageType::kPong;
  std::uint32_t nonce = 0;
  bool operator==(const Pong&) const = default;
};

enum class GoodbyeReason : std::uint8_t {
  kLeaving = 0,
  kBanned = 1,
  kProtocolError = 2,
  kOverloaded = 3,
  kStreamEnded = 4,
};

struct Goodbye {
  static constexpr MessageType kType = MessageType::kGoodbye;
  GoodbyeReason reason = GoodbyeReason::kLeaving;
  bool operator==(const Goodbye&) const = default;
};

enum class ChatKind : std::uint8_t {
  kText = 0,
  kReaction = 1,
};

// A chat line or a reaction, signed by its author and relayed peer to peer through
// the mesh (swarm/chat.hpp). (author, number) names it; every field but `hops` is
// signed, together with the stream key, so a relay can neither change it nor carry it
// into another stream. The strings are UTF-8, the text never empty.
struct Chat {
  static constexpr MessageType kType = MessageType::kChat;
  std::uint8_t hops = 0;           // relays it crossed: the one field a relay changes
  std::array<Byte, 32> author{};   // the author's Ed25519 public key
  std::uint32_t number = 0;        // the author's own count
  std::uint64_t sent_at_ms = 0;    // the author's clock, for display
  ChatKind kind = ChatKind::kText;
  std::string name;                // at most kMaxChatNameBytes
  std::string text;                // at most kMaxChatTextBytes (a reaction: kMaxChatReactionBytes)
  std::array<Byte, 64> signature{};
  bool operator==(const Chat&) const = default;
};

// The stream's signed rendition list (trust/rendition_ladder.hpp), opaque here as the
// chunk headers are: sent after the handshake by any peer that holds one, and passed on
// to every peer when a newer revision arrives.
struct RenditionList {
  static constexpr MessageType kType = MessageType::kRenditionList;
  ByteVector signed_ladder;  // 1..trust::kMaxSignedLadderBytes
  bool operator==(const RenditionList&) const = default;
};

// The rendition the sender plays now: sent after the handshake and on each change. A
// hint, trusted for nothing but ordering: a peer that plays a rendition has its chunks
// early, so it is the relay to prefer for them, and the broadcaster stripes each
// rendition across the relays that play it.
struct Playing {
  static constexpr MessageType kType = MessageType::kPlaying;
  RenditionId rendition;
  bool operator==(const Playing&) const = default;
};

using Message = std::variant<Handshake, Have, HaveRange, Request, Piece, Cancel, Choke, Unchoke, ChunkHeader,
                             InitSegment, PeerExchange, Ping, Pong, Goodbye, Chat, DeviceStatus, RenditionList, Playing>;

}  // namespace swarmcast::wire
