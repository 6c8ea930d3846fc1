// The peer wire protocol: every message round-trips, the layout is the documented one,
// and the decoder refuses every malformed input with a typed error (never a crash).
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using namespace wire;
using swarm::PeerId;
using swarm::Role;

// "04 0000000000000007": hex digits, spaces ignored.
ByteVector hex(std::string_view text) {
  ByteVector out;
  std::string digits;
  for (char c : text)
    if (c != ' ') digits.push_back(c);
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<Byte>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(ByteView bytes) {
  std::string out;
  char digits[3];
  for (Byte b : bytes) {
    std::snprintf(digits, sizeof digits, "%02x", b);
    out += digits;
  }
  return out;
}

ByteVector concat(std::initializer_list<ByteView> parts) {
  ByteVector out;
  for (ByteView part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// n recognisable bytes: salt, salt + 1, ...
ByteVector filled(std::size_t n, Byte salt = 0) {
  ByteVector out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Byte>(salt + i);
  return out;
}

template <std::size_t N>
std::array<Byte, N> array_of(Byte salt) {
  std::array<Byte, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<Byte>(salt + i);
  return out;
}

// "1101": chunk base + 0, 1 and 3 are held.
std::vector<bool> window(std::string_view marks) {
  std::vector<bool> out;
  for (char c : marks) out.push_back(c == '1');
  return out;
}

std::optional<WireError> error_of(ByteView bytes) {
  const auto decoded = decode(bytes);
  return decoded.ok() ? std::nullopt : std::optional(decoded.error());
}

const ByteVector kHeader = filled(trust::kSignedHeaderSize, 0x40);

Handshake sample_handshake() {
  return Handshake{.stream_key = array_of<32>(0xA0),
                   .peer_id = PeerId{0x0102030405060708},
                   .role = Role::kRelay,
                   .can_upload = true,
                   .metered = false,
                   .battery_low = true,
                   .hidden = false,
                   .upload_budget_bytes_per_s = 250'000};
}

Chat sample_chat(ChatKind kind, std::string name, std::string text) {
  Chat chat;
  chat.hops = 3;
  chat.author = array_of<32>(4);
  chat.number = 0x01020304;
  chat.sent_at_ms = 0x0000018F00000000ull;
  chat.kind = kind;
  chat.name = std::move(name);
  chat.text = std::move(text);
  for (std::size_t i = 0; i < chat.signature.size(); ++i) chat.signature[i] = static_cast<Byte>(i);
  return chat;
}

// One of each type, with fields that are easy to tell apart.
std::vector<Message> one_of_each() {
  return {
      sample_handshake(),
      Have{RenditionId{2}, ChunkSeq{1000}, window("1101100111001")},
      HaveRange{ChunkId{ChunkSeq{77}, RenditionId{1}}, PieceIndex{5}, 9},
      Request{ChunkId{ChunkSeq{42}, RenditionId{3}}, PieceIndex{3}, 16},
      Piece{ChunkId{ChunkSeq{42}, RenditionId{4}}, PieceIndex{3}, filled(100, 7)},
      Cancel{ChunkId{ChunkSeq{42}, RenditionId{5}}, PieceIndex{8}, 2},
      Choke{},
      Unchoke{},
      ChunkHeader{kHeader, {array_of<32>(1), array_of<32>(2), array_of<32>(3)}},
      InitSegment{kHeader, filled(300, 9)},
      PeerExchange{{{PeerId{11}, Role::kSuperSeed, 90}, {PeerId{12}, Role::kLeaf, 0}}},
      Ping{0xDEADBEEF},
      Pong{0xCAFEF00D},
      Goodbye{GoodbyeReason::kStreamEnded},
      sample_chat(ChatKind::kText, "Ana", "hello, swarm \xC3\xA9\xE2\x82\xAC"),
      DeviceStatus{.can_upload = true, .hidden = true, .upload_budget_bytes_per_s = 97'656},
      RenditionList{filled(200, 0x33)},
      Playing{RenditionId{6}},
  };
}

// Messages at the edges of every limit.
std::vector<Message> at_the_limits() {
  std::vector<Message> out;
  for (std::uint8_t flags = 0; flags < 16; ++flags)
    out.push_back(Handshake{.stream_key = {}, .peer_id = PeerId{~0ull}, .role = static_cast<Role>(flags % 4),
                            .can_upload = (flags & 1) != 0, .metered = (flags & 2) != 0,
                            .battery_low = (flags & 4) != 0, .hidden = (flags & 8) != 0,
                            .upload_budget_bytes_per_s = ~0u});
  for (std::uint8_t choice = 0; choice <= 2; ++choice) {
    const auto upload_choice = static_cast<swarm::UploadChoice>(choice);
    Handshake hello = sample_handshake();
    hello.upload_choice = upload_choice;
    out.push_back(hello);
    for (std::uint8_t flags = 0; flags < 16; ++flags)
      out.push_back(DeviceStatus{.can_upload = (flags & 1) != 0, .metered = (flags & 2) != 0,
                                 .battery_low = (flags & 4) != 0, .hidden = (flags & 8) != 0,
                                 .upload_budget_bytes_per_s = flags % 2 == 0 ? 0u : ~0u, .upload_choice = upload_choice});
  }
  out.push_back(Have{RenditionId{0}, ChunkSeq{0}, {}});
  out.push_back(Have{RenditionId{0}, ChunkSeq{5}, std::vector<bool>(kMaxHaveWindow, true)});
  out.push_back(Have{RenditionId{0}, ChunkSeq{~0ull}, window("1")});
  out.push_back(HaveRange{ChunkId{ChunkSeq{0}}, PieceIndex{0}, 1});
  out.push_back(HaveRange{ChunkId{ChunkSeq{1}}, PieceIndex{0}, 1024});
  out.push_back(HaveRange{ChunkId{ChunkSeq{1}}, PieceIndex{1023}, 1});
  out.push_back(Request{ChunkId{ChunkSeq{9}}, PieceIndex{1024 - 64}, 64});
  out.push_back(Cancel{ChunkId{ChunkSeq{9}}, PieceIndex{1023}, 1});
  out.push_back(Piece{ChunkId{ChunkSeq{9}}, PieceIndex{1023}, filled(1)});
  out.push_back(Piece{ChunkId{ChunkSeq{9}}, PieceIndex{0}, filled(kMaxPieceBytes)});
  out.push_back(Piece{ChunkId{ChunkSeq{9}, RenditionId{trust::kMaxRenditions - 1}}, PieceIndex{0}, filled(1)});
  out.push_back(Have{RenditionId{trust::kMaxRenditions - 1}, ChunkSeq{5}, window("1")});
  out.push_back(Playing{RenditionId{0}});
  out.push_back(Playing{RenditionId{trust::kMaxRenditions - 1}});
  out.push_back(ChunkHeader{kHeader, std::vector<PieceHash>(1)});
  out.push_back(ChunkHeader{kHeader, std::vector<PieceHash>(kMaxPiecesPerChunk, array_of<32>(5))});
  out.push_back(InitSegment{kHeader, filled(1)});
  out.push_back(InitSegment{kHeader, filled(kMaxInitBytes)});
  out.push_back(RenditionList{filled(1)});
  out.push_back(RenditionList{filled(trust::kMaxSignedLadderBytes)});
  out.push_back(PeerExchange{});
  out.push_back(PeerExchange{std::vector<PeerEntry>(kMaxPeerExchange, {PeerId{3}, Role::kBroadcaster, 100})});
  for (std::uint8_t reason = 0; reason <= 4; ++reason) out.push_back(Goodbye{static_cast<GoodbyeReason>(reason)});
  out.push_back(sample_chat(ChatKind::kText, "", "x"));
  out.push_back(sample_chat(ChatKind::kText, std::string(kMaxChatNameBytes, 'n'), std::string(kMaxChatTextBytes, 't')));
  out.push_back(sample_chat(ChatKind::kReaction, "Bo", "\xF0\x9F\x91\x8D"));  // thumbs up
  out.push_back(sample_chat(ChatKind::kReaction, "", std::string(kMaxChatReactionBytes, 'r')));
  return out;
}

bool ends_in_payload(const Message& m) {
  return std::holds_alternative<Piece>(m) || std::holds_alternative<InitSegment>(m) ||
         std::holds_alternative<RenditionList>(m);
}

TEST(WireCodec, OneOfEachCoversEveryType) {
  std::set<std::size_t> kinds;
  for (const Message& m : one_of_each()) kinds.insert(m.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<Message>);
}

TEST(WireCodec, EveryMessageRoundTrips) {
  std::vector<Message> messages = one_of_each();
  for (Message& m : at_the_limits()) messages.push_back(std::move(m));
  for (const Message& m : messages) {
    const ByteVector bytes = encode(m);
    ASSERT_LE(bytes.size(), kMaxMessageBytes);
    const auto decoded = decode(bytes);
    ASSERT_TRUE(decoded.ok()) << to_string(decoded.error()) << " for " << to_hex(bytes).substr(0, 80);
    EXPECT_TRUE(decoded.value() == m) << to_hex(bytes).substr(0, 80);
    EXPECT_EQ(encode(decoded.value()), bytes);
  }
}

TEST(WireCodec, HandshakeLayoutIsBigEndian) {
  const ByteVector expected = hex(
      "01"                                                                // type: handshake
      "02"                                                                // protocol version
      "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"  // stream key
      "0102030405060708"                                                  // peer id
      "02"                                                                // role: relay
      "05"                                                                // can_upload | battery_low
      "0003d090");                                                        // 250000 bytes/s
  EXPECT_EQ(to_hex(encode(sample_handshake())), to_hex(expected));
}

TEST(WireCodec, DeviceStatusLayout) {
  const DeviceStatus capped_on_mobile_data{.can_upload = true, .metered = true, .upload_budget_bytes_per_s = 62'500,
                                           .upload_choice = swarm::UploadChoice::kCap};
  EXPECT_EQ(to_hex(encode(capped_on_mobile_data)), to_hex(hex("10 23 0000f424")));  // can_upload | metered | cap
  const DeviceStatus off_and_hidden{.hidden = true, .upload_choice = swarm::UploadChoice::kOff};
  EXPECT_EQ(to_hex(encode(off_and_hidden)), to_hex(hex("10 18 00000000")));
}

TEST(WireCodec, RequestLayoutIsBigEndian) {
  EXPECT_EQ(to_hex(encode(Request{ChunkId{ChunkSeq{0x0A0B0C0D0E0F1011}}, PieceIndex{0x0123}, 0x40})),
            to_hex(hex("04 00 0a0b0c0d0e0f1011 0123 0040")));
  EXPECT_EQ(to_hex(encode(Cancel{ChunkId{ChunkSeq{2}, RenditionId{7}}, PieceIndex{1}, 3})),
            to_hex(hex("06 07 0000000000000002 0001 0003")));
}

TEST(WireCodec, HaveBitmapIsMostSignificantBitFirst) {
  // Ten chunks from 7: held are 7, 8 and 16; six padding bits of zero.
  EXPECT_EQ(to_hex(encode(Have{RenditionId{0}, ChunkSeq{7}, window("1100000001")})),
            to_hex(hex("02 00 0000000000000007 000a c0 40")));
}

TEST(WireCodec, EveryProperPrefixIsTruncated) {
  for (const Message& m : one_of_each()) {
    const ByteVector bytes = encode(m);
    // Piece, InitSegment and RenditionList carry no length: their payload ends with the message.
    const std::size_t fixed = std::holds_alternative<Piece>(m) ? 1 + 1 + 8 + 2
                              : std::holds_alternative<InitSegment>(m) ? 1 + trust::kSignedHeaderSize
                              : std::holds_alternative<RenditionList>(m) ? 1
                                                                        : bytes.size();
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      const ByteView prefix = ByteView(bytes).first(n);
      const auto error = error_of(prefix);
      if (n == 0) {
        EXPECT_EQ(error, WireError::kEmpty);
      } else if (n < fixed) {
        EXPECT_EQ(error, WireError::kTruncated) << to_hex(prefix);
      } else if (n == fixed) {
        EXPECT_EQ(error, WireError::kBadValue) << "an empty payload";
      } else {
        ASSERT_EQ(error, std::nullopt) << "a shorter payload is a valid message";
        EXPECT_EQ(encode(decode(prefix).value()), ByteVector(prefix.begin(), prefix.end()));
      }
    }
  }
}

TEST(WireCodec, BytesAfterTheLastFieldAreTrailing) {
  for (const Message& m : one_of_each()) {
    if (ends_in_payload(m)) continue;
    const ByteVector bytes = encode(m);
    EXPECT_EQ(error_of(concat({bytes, hex("00")})), WireError::kTrailingBytes) << to_hex(bytes);
    EXPECT_EQ(error_of(concat({bytes, filled(40)})), WireError::kTrailingBytes) << to_hex(bytes);
  }
}

TEST(WireCodec, EmptyAndUnknownTypes) {
  EXPECT_EQ(error_of({}), WireError::kEmpty);
  EXPECT_EQ(error_of(hex("00")), WireError::kUnknownType);
  EXPECT_EQ(error_of(hex("13 00000000")), WireError::kUnknownType);
  EXPECT_EQ(error_of(hex("ff")), WireError::kUnknownType);
}

TEST(WireCodec, OversizeMessagesAndPayloadsAreTooLarge) {
  // Over the message cap, whatever the type says.
  EXPECT_EQ(error_of(concat({hex("07"), ByteVector(kMaxMessageBytes)})), WireError::kTooLarge);
  EXPECT_EQ(error_of(concat({hex("05 00 0000000000000001 0000"), ByteVector(kMaxMessageBytes)})), WireError::kTooLarge);
  // Within it, but a piece or init segment over its own cap.
  EXPECT_EQ(error_of(concat({hex("05 00 0000000000000001 0000"), filled(kMaxPieceBytes + 1)})), WireError::kTooLarge);
  EXPECT_EQ(error_of(concat({hex("0a"), kHeader, filled(kMaxInitBytes + 1)})), WireError::kTooLarge);
  EXPECT_EQ(error_of(concat({hex("11"), filled(trust::kMaxSignedLadderBytes + 1)})), WireError::kTooLarge);
}

const std::string kKey(64, 'a');

TEST(WireCodec, HandshakeOfAnotherVersionIsBadVersionWhateverFollows) {
  EXPECT_EQ(error_of(hex("01 00")), WireError::kBadVersion);
  EXPECT_EQ(error_of(hex("01 03")), WireError::kBadVersion);
  // Version 1 peers carry 162-byte headers: refused at the handshake, not misread later.
  EXPECT_EQ(error_of(hex("01 01" + kKey + "0000000000000001 03 00 00000000")), WireError::kBadVersion);
  EXPECT_EQ(error_of(hex("01 03" + kKey + "0000000000000001 03 00 00000000 ffff")), WireError::kBadVersion);
  EXPECT_EQ(error_of(hex("01 02" + kKey + "0000000000000001 03 00 00000000")), std::nullopt);
}

TEST(WireCodec, HandshakeRoleAndReservedFlagBits) {
  EXPECT_EQ(error_of(hex("01 02" + kKey + "0000000000000001 04 00 00000000")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("01 02" + kKey + "0000000000000001 ff 00 00000000")), WireError::kBadValue);
  // Bits 4-5 are the upload choice, 3 of which is undefined; bits 6-7 are reserved.
  for (const char* flags : {"30", "40", "80", "3f", "c0"})
    EXPECT_EQ(error_of(hex("01 02" + kKey + "0000000000000001 03 " + flags + " 00000000")), WireError::kBadValue)
        << "flags " << flags;
  for (const char* flags : {"10", "20", "2f"})
    EXPECT_EQ(error_of(hex("01 02" + kKey + "0000000000000001 03 " + flags + " 00000000")), std::nullopt)
        << "flags " << flags;
}

TEST(WireCodec, DeviceStatusFlagBits) {
  for (const char* flags : {"30", "40", "80", "ff"})
    EXPECT_EQ(error_of(hex(std::string("10 ") + flags + " 00000000")), WireError::kBadValue) << "flags " << flags;
  EXPECT_EQ(error_of(hex("10 2f ffffffff")), std::nullopt);
  EXPECT_EQ(error_of(hex("10 2f ffff")), WireError::kTruncated);
  EXPECT_EQ(error_of(hex("10")), WireError::kTruncated);
}

TEST(WireCodec, HaveWindowRules) {
  EXPECT_EQ(error_of(concat({hex("02 00 0000000000000000 0401"), ByteVector(129)})), WireError::kBadValue);  // 1025 chunks
  // A declared window of 1024 with one bitmap byte present: refused before allocating.
  EXPECT_EQ(error_of(hex("02 00 0000000000000000 0400 ff")), WireError::kTruncated);
  // Ten chunks use 2 bits of the second byte; the six others must be zero.
  EXPECT_EQ(error_of(hex("02 00 0000000000000007 000a c0 40")), std::nullopt);
  EXPECT_EQ(error_of(hex("02 00 0000000000000007 000a c0 60")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("02 00 0000000000000007 000a c0 41")), WireError::kBadValue);
  // The window may not run past the last sequence number.
  EXPECT_EQ(error_of(hex("02 00 ffffffffffffffff 0001 80")), std::nullopt);
  EXPECT_EQ(error_of(hex("02 00 ffffffffffffffff 0002 80")), WireError::kBadValue);
}

TEST(WireCodec, PieceIndicesStayWithinAChunk) {
  EXPECT_EQ(error_of(hex("03 00 0000000000000001 0000 0400")), std::nullopt);  // all 1024 pieces
  EXPECT_EQ(error_of(hex("03 00 0000000000000001 0000 0401")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("03 00 0000000000000001 03ff 0002")), WireError::kBadValue);  // runs past piece 1023
  EXPECT_EQ(error_of(hex("03 00 0000000000000001 0005 0000")), WireError::kBadValue);  // empty range
  EXPECT_EQ(error_of(hex("05 00 0000000000000001 03ff 00")), std::nullopt);
  EXPECT_EQ(error_of(hex("05 00 0000000000000001 0400 00")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("05 00 0000000000000001 0000")), WireError::kBadValue);  // no piece bytes
}

TEST(WireCodec, RequestAndCancelRanges) {
  for (const char* type : {"04", "06"}) {
    const std::string t = type;
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 0000 0040")), std::nullopt) << t;  // 64 pieces
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 0000 0000")), WireError::kBadValue) << t;
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 0000 0041")), WireError::kBadValue) << t;
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 03c0 0040")), std::nullopt) << t;  // up to piece 1023
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 03c1 0040")), WireError::kBadValue) << t;
    EXPECT_EQ(error_of(hex(t + "00 0000000000000001 ffff 0040")), WireError::kBadValue) << t;
  }
}

// Every chunk-addressed message names the rendition in the byte after its type; ids
// from kMaxRenditions on are no rendition at all.
TEST(WireCodec, RenditionBytesAreBelowTheMostRenditions) {
  for (const char* type : {"03", "04", "06"}) {
    const std::string t = type;
    EXPECT_EQ(error_of(hex(t + "07 0000000000000001 0000 0001")), std::nullopt) << t;
    EXPECT_EQ(error_of(hex(t + "08 0000000000000001 0000 0001")), WireError::kBadValue) << t;
    EXPECT_EQ(error_of(hex(t + "ff 0000000000000001 0000 0001")), WireError::kBadValue) << t;
  }
  EXPECT_EQ(error_of(hex("02 07 0000000000000001 0001 80")), std::nullopt);
  EXPECT_EQ(error_of(hex("02 08 0000000000000001 0001 80")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("05 07 0000000000000001 0000 aa")), std::nullopt);
  EXPECT_EQ(error_of(hex("05 08 0000000000000001 0000 aa")), WireError::kBadValue);
  EXPECT_EQ(decode_piece(hex("05 08 0000000000000001 0000 aa")).error(), WireError::kBadValue);
  EXPECT_EQ(to_hex(encode(Playing{RenditionId{2}})), to_hex(hex("12 02")));
  EXPECT_EQ(error_of(hex("12 08")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("12")), WireError::kTruncated);
}

TEST(WireCodec, ChunkHeaderPieceCount) {
  EXPECT_EQ(error_of(concat({hex("09"), kHeader, hex("0000")})), WireError::kBadValue);
  EXPECT_EQ(error_of(concat({hex("09"), kHeader, hex("0401"), ByteVector(1025 * 32)})), WireError::kBadValue);
  // 1024 hashes declared, one present.
  EXPECT_EQ(error_of(concat({hex("09"), kHeader, hex("0400"), ByteVector(32)})), WireError::kTruncated);
}

TEST(WireCodec, InitSegmentIsNeverEmpty) {
  EXPECT_EQ(error_of(concat({hex("0a"), kHeader})), WireError::kBadValue);
  EXPECT_EQ(error_of(concat({hex("0a"), kHeader, hex("1a")})), std::nullopt);
}

TEST(WireCodec, PeerExchangeEntries) {
  EXPECT_EQ(error_of(hex("0b 01 000000000000000b 01 64")), std::nullopt);  // score 100
  EXPECT_EQ(error_of(hex("0b 01 000000000000000b 01 65")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("0b 01 000000000000000b 04 00")), WireError::kBadValue);
  EXPECT_EQ(error_of(concat({hex("0b 21"), ByteVector(33 * 10)})), WireError::kBadValue);  // 33 peers
  EXPECT_EQ(error_of(hex("0b 20 000000000000000b 01 00")), WireError::kTruncated);
}

TEST(WireCodec, GoodbyeReasons) {
  EXPECT_EQ(error_of(hex("0e 04")), std::nullopt);
  EXPECT_EQ(error_of(hex("0e 05")), WireError::kBadValue);
  EXPECT_EQ(error_of(hex("0e ff")), WireError::kBadValue);
}

TEST(WireCodec, ChatFieldsStayInTheirLimits) {
  const auto encoded = [](ChatKind kind, const std::string& name, const std::string& text) {
    return encode(sample_chat(kind, name, text));
  };
  EXPECT_EQ(error_of(encoded(ChatKind::kText, "", "")), WireError::kBadValue);
  EXPECT_EQ(error_of(encoded(ChatKind::kText, std::string(kMaxChatNameBytes + 1, 'n'), "x")), WireError::kBadValue);
  EXPECT_EQ(error_of(encoded(ChatKind::kText, "", std::string(kMaxChatTextBytes + 1, 't'))), WireError::kBadValue);
  EXPECT_EQ(error_of(encoded(ChatKind::kReaction, "", std::string(kMaxChatReactionBytes + 1, 'r'))), WireError::kBadValue);
  ByteVector kind = encoded(ChatKind::kText, "", "x");
  kind[1 + 1 + 32 + 4 + 8] = 2;  // type, hops, author, number, sent at: then the kind
  EXPECT_EQ(error_of(kind), WireError::kBadValue);
}

TEST(WireCodec, ChatStringsAreStrictUtf8) {
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "a\xC3", "\xF8\x88\x80\x80\x80"}) {
    EXPECT_EQ(error_of(encode(sample_chat(ChatKind::kText, "", bad))), WireError::kBadValue);
    EXPECT_EQ(error_of(encode(sample_chat(ChatKind::kText, bad, "x"))), WireError::kBadValue);
  }
  for (const char* good : {"\x7F", "\xC2\x80", "\xEF\xBF\xBD", "\xF0\x9F\x94\xA5", "\xF4\x8F\xBF\xBF"})
    EXPECT_EQ(error_of(encode(sample_chat(ChatKind::kText, good, good))), std::nullopt) << good;
}

TEST(WireCodec, ErrorNamesAreSnakeCase) {
  EXPECT_STREQ(to_string(WireError::kEmpty), "empty");
  EXPECT_STREQ(to_string(WireError::kUnknownType), "unknown_type");
  EXPECT_STREQ(to_string(WireError::kTruncated), "truncated");
  EXPECT_STREQ(to_string(WireError::kTrailingBytes), "trailing_bytes");
  EXPECT_STREQ(to_string(WireError::kTooLarge), "too_large");
  EXPECT_STREQ(to_string(WireError::kBadVersion), "bad_version");
  EXPECT_STREQ(to_string(WireError::kBadValue), "bad_value");
}

// Anything a peer can send either decodes to the one message whose encoding it is,
// or is refused: no crash, and no second encoding of the same message.
TEST(WireCodec, MutatedAndRandomInputsDecodeCanonicallyOrFail) {
  std::mt19937 rng(20240611);
  const auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<Message> seeds = one_of_each();
  std::size_t accepted = 0;
  for (int round = 0; round < 20'000; ++round) {
    ByteVector input = encode(seeds[below(seeds.size())]);
    switch (below(6)) {
      case 0:  // flip a few bytes
        for (std::size_t k = 1 + below(3); k > 0; --k) input[below(input.size())] ^= static_cast<Byte>(1 + below(255));
        break;
      case 1:  // another type byte over these fields
        input[0] = static_cast<Byte>(below(17));
        break;
      case 2:  // cut short
        input.resize(below(input.size()));
        break;
      case 3:  // grow
        for (std::size_t k = 1 + below(40); k > 0; --k) input.push_back(static_cast<Byte>(rng()));
        break;
      case 4:  // a count or length field nudged
        if (input.size() > 12) input[9 + below(3)] = static_cast<Byte>(below(4) == 0 ? 0xFF : below(40));
        break;
      default:  // random bytes under a random type
        input.assign(below(400), 0);
        for (Byte& b : input) b = static_cast<Byte>(rng() % 4 == 0 ? rng() : rng() % 3);
        if (!input.empty()) input[0] = static_cast<Byte>(below(17));
        break;
    }
    const auto decoded = decode(input);
    if (!decoded.ok()) continue;
    ++accepted;
    ASSERT_EQ(encode(decoded.value()), input) << "round " << round << ": " << to_hex(input);
  }
  // Both outcomes occur, or the test exercised less than it claims.
  EXPECT_GT(accepted, 1000u);
  EXPECT_LT(accepted, 19'000u);
}

// The engine's way for pieces, without copying their payload, gives what encode and
// decode give, refusals included.
TEST(WireCodec, PieceViewsEncodeAndDecodeLikePieces) {
  const ByteVector payload = filled(kMaxPieceBytes, 3);
  const ByteVector bytes = encode(Piece{ChunkId{ChunkSeq{9}}, PieceIndex{4}, payload});
  EXPECT_EQ(encode_piece({ChunkId{ChunkSeq{9}}, PieceIndex{4}, payload}), bytes);
  const auto view = decode_piece(bytes);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view.value().id, ChunkId{ChunkSeq{9}});
  EXPECT_EQ(view.value().index, PieceIndex{4});
  EXPECT_EQ(view.value().bytes.data(), bytes.data() + 12);
  EXPECT_EQ(view.value().bytes.size(), payload.size());
  for (const ByteVector& bad : {hex("05"), hex("05 00 0000000000000001 0400 01"), hex("05 00 0000000000000001 0000"),
                                concat({hex("05 00 0000000000000001 0000"), filled(kMaxPieceBytes + 1)})}) {
    ASSERT_FALSE(decode(bad).ok());
    EXPECT_EQ(decode_piece(bad).error(), decode(bad).error()) << to_hex(bad);
  }
}

}  // namespace
}  // namespace swarmcast::test
