// The engine's part in the chat (swarm/chat.hpp): lines posted here or arriving from
// peers go through the ChatRelay; new ones are delivered and passed on to every other
// peer, a forged one bans its sender, and a newly linked peer gets the recent lines.
#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"

namespace swarmcast::swarm {

ChatVerdict Engine::post_chat(const wire::Chat& chat, TimeMs now) {
  wire::Chat own = chat;
  own.hops = 0;
  const ChatVerdict verdict = chat_.accept(own, now);
  if (verdict != ChatVerdict::kNew) return verdict;
  chat_inbox_.push_back(own);
  pass_on_chat(own, nullptr);
  return verdict;
}

void Engine::on_chat(Remote& peer, wire::Chat chat, TimeMs now) {
  if (!peer.chat_limit) peer.chat_limit.emplace(config_.chat.peer_lines_per_s, config_.chat.peer_burst, now);
  if (!peer.chat_limit->take(now)) {
    ++stats_.chat_lines_dropped;
    return;
  }
  switch (chat_.accept(chat, now)) {
    case ChatVerdict::kNew:
      ++stats_.chat_lines_received;
      chat_inbox_.push_back(chat);
      ++chat.hops;
      if (chat.hops <= config_.chat.max_hops) pass_on_chat(chat, &peer);
      return;
    case ChatVerdict::kForged:
      return ban(peer);
    case ChatVerdict::kFlooding:
    case ChatVerdict::kTooFar:
      ++stats_.chat_lines_dropped;
      return;
    case ChatVerdict::kDuplicate:
      return;
  }
}

void Engine::pass_on_chat(const wire::Chat& chat, const Remote* from) {
  for (auto& [id, peer] : peers_)
    if (peer.handshaken && &peer != from) send(peer, chat);
}

// The history holds lines as they reached us: from here on each has crossed one more
// relay (our own count one too many, which only shortens their reach by a hop).
void Engine::send_chat_history(Remote& peer) {
  for (wire::Chat line : chat_.history()) {
    if (++line.hops <= config_.chat.max_hops) send(peer, line);
  }
}

}  // namespace swarmcast::swarm
