// Wire messages to bytes and back. The decoder is strict and total: any input gives
// either a message that encodes back to exactly the same bytes, or a WireError. It
// never trusts a declared count for allocation before checking it against its cap and
// against the bytes present.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "wire/messages.hpp"
#include "wire/wire_error.hpp"

namespace swarmcast::wire {

// Expects a message within the limits of messages.hpp (the decoder's rules); one
// outside them encodes to bytes that the receiving decoder refuses.
ByteVector encode(const Message& message);

// One whole data-channel message. Checks in order: kEmpty, kTooLarge (over
// kMaxMessageBytes), kUnknownType, then the fields in wire order (docs/PROTOCOL.md),
// then kTrailingBytes.
Result<Message, WireError> decode(ByteView bytes);

// Pieces without copying their payload into a Piece (messages.hpp's PieceView).
// decode() of a message whose type byte is MessageType::kPiece, the same checks.
Result<PieceView, WireError> decode_piece(ByteView bytes);
// The bytes encode(Piece{id, index, payload}) gives.
ByteVector encode_piece(const PieceView& piece);

// What a Chat's signature covers besides the stream key: its fields from author to
// text, laid out as on the wire (swarm/chat.hpp signs and verifies).
ByteVector chat_signed_fields(const Chat& chat);

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(ByteView bytes);

}  // namespace swarmcast::wire
