#include "tracker.hpp"

#include <algorithm>

#include "swarm/peer_scorer.hpp"

namespace swarmcast::sim {
namespace {

// The server forgets the oldest peer a member gave up on past this many (rooms.js).
constexpr std::size_t kAvoidedBound = 64;

void erase(std::vector<std::size_t>& list, std::size_t value) {
  list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

void forget(std::vector<std::size_t>& avoided, std::size_t peer) {
  if (std::find(avoided.begin(), avoided.end(), peer) != avoided.end()) return;
  avoided.push_back(peer);
  if (avoided.size() > kAvoidedBound) avoided.erase(avoided.begin());
}

}  // namespace

void Tracker::add_broadcaster() {
  swarm::Candidate source;
  source.id = swarm::PeerId{1};
  source.role = swarm::Role::kBroadcaster;
  source.hops = 0;
  candidates_.push_back(source);
  members_.emplace_back();
}

void Tracker::add_viewer(double declared_bytes_per_s, bool can_upload, TimeMs now) {
  swarm::Candidate viewer;
  viewer.id = swarm::PeerId{candidates_.size() + 1};
  viewer.can_upload = can_upload;
  candidates_.push_back(viewer);
  Member member;
  member.joined_at = now;
  members_.push_back(std::move(member));
  swarm::PeerStats declared;
  declared.delivery_bytes_per_s = declared_bytes_per_s;
  rescore(candidates_.size() - 1, declared, now);
}

std::vector<std::size_t> Tracker::assign(std::size_t seeker) {
  Member& member = members_[seeker];
  const auto up_links = static_cast<std::uint32_t>(member.up.size());
  if (up_links >= limits_.peers_per_answer) return {};
  std::vector<swarm::PeerId> skip;
  for (const auto* peers : {&member.up, &member.down, &member.avoided})
    for (std::size_t peer : *peers) skip.push_back(candidates_[peer].id);
  const auto chosen = swarm::choose_peers({candidates_[seeker].id, up_links, skip}, candidates_, limits_);
  std::vector<std::size_t> peers;
  for (swarm::PeerId id : chosen) {
    const auto peer = static_cast<std::size_t>(id.value - 1);
    member.up.push_back(peer);
    members_[peer].down.push_back(seeker);
    ++candidates_[peer].down_links;
    const std::uint32_t via = candidates_[peer].hops;
    if (via != swarm::kUnplaced) candidates_[seeker].hops = std::min(candidates_[seeker].hops, via + 1);
    peers.push_back(peer);
  }
  return peers;
}

void Tracker::unlink(std::size_t a, std::size_t b) {
  for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    Member& member = members_[from];
    if (std::find(member.down.begin(), member.down.end(), to) != member.down.end()) --candidates_[from].down_links;
    erase(member.up, to);
    erase(member.down, to);
    forget(member.avoided, to);
  }
}

void Tracker::remove(std::size_t index) {
  Member& member = members_[index];
  for (std::size_t peer : member.up) {
    erase(members_[peer].down, index);
    --candidates_[peer].down_links;
  }
  for (std::size_t peer : member.down) erase(members_[peer].up, index);
  member.up.clear();
  member.down.clear();
  candidates_[index].down_links = 0;
  candidates_[index].away = true;
}

void Tracker::report(std::size_t index, const swarm::EngineStats& engine, const swarm::DeviceConstraints& device,
                     TimeMs now) {
  Member& member = members_[index];
  const bool first = !member.reported;
  const TimeMs since = member.reported_at;
  const std::uint64_t sent_since = engine.media_bytes_sent - member.media_sent_at_report;
  member.reported = true;
  member.reported_at = now;
  member.media_sent_at_report = engine.media_bytes_sent;
  // The client's first report only starts its count (web/shim/stats-report.js).
  if (first || now <= since) return;
  swarm::PeerStats stats;
  stats.delivery_bytes_per_s = static_cast<double>(sent_since) * 1000 / static_cast<double>(now.value - since.value);
  stats.requests_sent = static_cast<std::uint32_t>(engine.piece_requests_received);
  stats.requests_served = static_cast<std::uint32_t>(engine.piece_requests_served);
  stats.requests_failed = static_cast<std::uint32_t>(engine.piece_requests_refused);
  stats.device = device;
  rescore(index, stats, now);
}

void Tracker::rescore(std::size_t index, swarm::PeerStats stats, TimeMs now) {
  swarm::Candidate& c = candidates_[index];
  if (c.role == swarm::Role::kBroadcaster) return;
  // As the server's scoreMember: no RTT in the report, and uptime since the join.
  stats.connected_at = members_[index].joined_at;
  c.score = swarm::score(stats, now);
  c.role = swarm::role_for(c.score, stats.device);
}

}  // namespace swarmcast::sim
