#include "swarm/chat.hpp"

#include <algorithm>
#include <string_view>

#include "wire/codec.hpp"

namespace swarmcast::swarm {
namespace {

// Signatures over chat lines are never valid as anything else the project signs.
constexpr std::string_view kDomain = "swarmcast chat v1";

ByteVector signing_bytes(const trust::PublicKey& stream, const wire::Chat& chat) {
  ByteVector out(kDomain.begin(), kDomain.end());
  out.insert(out.end(), stream.bytes.begin(), stream.bytes.end());
  const ByteVector fields = wire::chat_signed_fields(chat);
  out.insert(out.end(), fields.begin(), fields.end());
  return out;
}

}  // namespace

void sign_chat(const trust::KeyPair& author, const trust::PublicKey& stream, wire::Chat& chat) {
  chat.author = author.public_key.bytes;
  chat.signature = trust::sign_detached(author.secret_key, signing_bytes(stream, chat));
}

bool verify_chat(const trust::PublicKey& stream, const wire::Chat& chat) {
  return trust::verify_detached(trust::PublicKey{chat.author}, signing_bytes(stream, chat), chat.signature);
}

const char* to_string(ChatVerdict verdict) {
  switch (verdict) {
    case ChatVerdict::kNew: return "new";
    case ChatVerdict::kDuplicate: return "duplicate";
    case ChatVerdict::kForged: return "forged";
    case ChatVerdict::kFlooding: return "flooding";
    case ChatVerdict::kTooFar: return "too_far";
  }
  return "unknown";
}

bool RateLimit::take(TimeMs now) {
  const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now.value - at_.value)) / 1000.0;
  tokens_ = std::min(burst_, tokens_ + elapsed_s * per_s_);
  at_ = std::max(at_, now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

ChatVerdict ChatRelay::accept(const wire::Chat& chat, TimeMs now) {
  if (chat.hops > config_.max_hops) return ChatVerdict::kTooFar;
  const LineId id{chat.author, chat.number};
  if (seen_.count(id) != 0) return ChatVerdict::kDuplicate;
  // After the repeat check: relays pass each line on to all their peers, so most
  // arrivals are repeats, and a signature check costs far more than a lookup.
  if (!verify_chat(stream_, chat)) return ChatVerdict::kForged;
  auto author = authors_.find(chat.author);
  if (author == authors_.end()) {
    if (author_order_.size() >= config_.remembered_authors) {
      authors_.erase(author_order_.front());
      author_order_.pop_front();
    }
    author = authors_.emplace(chat.author, RateLimit(config_.author_lines_per_s, config_.author_burst, now)).first;
    author_order_.push_back(chat.author);
  }
  if (!author->second.take(now)) return ChatVerdict::kFlooding;

  seen_.insert(id);
  seen_order_.push_back(id);
  if (seen_order_.size() > config_.remembered) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
  history_.push_back(chat);
  if (history_.size() > config_.history) history_.pop_front();
  return ChatVerdict::kNew;
}

}  // namespace swarmcast::swarm
