// The stream's signed rendition list: published by the broadcaster, verified and passed
// on by everyone, newest revision wins. Headers are judged against it (engine.hpp's
// standing and listed).
#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"

namespace swarmcast::swarm {

bool Engine::publish_ladder(ByteView signed_ladder, TimeMs) {
  auto ladder = trust::verify_signed_ladder(signed_ladder, config_.stream);
  if (!ladder || (ladder_ && ladder.value().revision <= ladder_->revision)) return false;
  adopt_ladder(std::move(ladder).value(), signed_ladder, nullptr);
  return true;
}

void Engine::on_rendition_list(Remote& peer, const wire::RenditionList& m) {
  // Already held: no second signature check.
  if (m.signed_ladder == signed_ladder_) return;
  auto ladder = trust::verify_signed_ladder(m.signed_ladder, config_.stream);
  if (!ladder) return ban(peer);  // forged, or malformed, as a bad header is
  // An older list from a peer that has not heard of ours yet is no offence.
  if (ladder_ && ladder.value().revision <= ladder_->revision) return;
  adopt_ladder(std::move(ladder).value(), m.signed_ladder, &peer);
}

void Engine::adopt_ladder(trust::RenditionLadder ladder, ByteView signed_ladder, const Remote* from) {
  ladder_ = std::move(ladder);
  signed_ladder_.assign(signed_ladder.begin(), signed_ladder.end());
  for (auto& [id, peer] : peers_)
    if (peer.handshaken && &peer != from) send(peer, wire::RenditionList{signed_ladder_});
}

}  // namespace swarmcast::swarm
