// Chat over the swarm: lines and reactions signed by their authors and relayed peer to
// peer through the mesh, so the chat needs no server and reaches every viewer the
// stream reaches. Anyone can verify a line (the author's key signs it together with
// the stream key), nobody can change or replay it into another stream, and each relay
// keeps a flooder to a trickle.
//   ChatRelay decides, for every line that arrives or is posted, whether it is new
//   (deliver and pass on), seen before, forged, from an author over its rate, or gone
//   too far; it keeps the recent lines for peers that join later.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <utility>

#include "core/strong_types.hpp"
#include "trust/keys.hpp"
#include "wire/messages.hpp"

namespace swarmcast::swarm {

// Fills in the author's key and the signature over `stream` and the chat's fields.
void sign_chat(const trust::KeyPair& author, const trust::PublicKey& stream, wire::Chat& chat);
bool verify_chat(const trust::PublicKey& stream, const wire::Chat& chat);

struct ChatConfig {
  std::size_t history = 32;          // recent lines a newly linked peer is sent
  std::size_t remembered = 4096;     // (author, number) pairs kept to recognise repeats
  std::uint8_t max_hops = 16;        // a line is not passed on past this many relays
  double author_lines_per_s = 1;     // each author's sustained rate...
  double author_burst = 5;           // ...and burst, counted at every relay
  std::size_t remembered_authors = 1024;
  // Whatever its authors, one peer may send this many lines a second (a newly linked
  // peer's history comes as one burst): past it they are dropped unread.
  double peer_lines_per_s = 20;
  double peer_burst = 64;
};

enum class ChatVerdict : std::uint8_t { kNew, kDuplicate, kForged, kFlooding, kTooFar };
// Stable snake_case names: they reach JS.
const char* to_string(ChatVerdict verdict);

// A token bucket on the caller's clock.
class RateLimit {
 public:
  RateLimit(double per_s, double burst, TimeMs now) : per_s_(per_s), burst_(burst), tokens_(burst), at_(now) {}
  bool take(TimeMs now);

 private:
  double per_s_, burst_, tokens_;
  TimeMs at_;
};

class ChatRelay {
 public:
  ChatRelay(trust::PublicKey stream, ChatConfig config = {}) : stream_(stream), config_(config) {}

  // New lines are remembered (and kept in the history) before this returns.
  ChatVerdict accept(const wire::Chat& chat, TimeMs now);
  const std::deque<wire::Chat>& history() const { return history_; }

 private:
  using LineId = std::pair<std::array<Byte, 32>, std::uint32_t>;

  trust::PublicKey stream_;
  ChatConfig config_;
  std::set<LineId> seen_;
  std::deque<LineId> seen_order_;  // oldest first, to forget past `remembered`
  std::map<std::array<Byte, 32>, RateLimit> authors_;
  std::deque<std::array<Byte, 32>> author_order_;
  std::deque<wire::Chat> history_;
};

}  // namespace swarmcast::swarm
