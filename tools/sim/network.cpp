#include "network.hpp"

#include <algorithm>
#include <cmath>

namespace swarmcast::sim {
namespace {

// What fits in one SCTP packet of a data channel (RFC 8831's usual 1200-byte MTU
// less the headers).
constexpr double kPacketPayloadBytes = 1150;

constexpr std::uint64_t kSaltUnconnectable = 1;
constexpr std::uint64_t kSaltLossy = 2;
constexpr std::uint64_t kSaltLoss = 3;

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

double hashed_unit(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t salt) {
  const std::uint64_t h = mix(mix(mix(mix(seed) ^ a) ^ b) ^ salt);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

std::size_t pick_class(const std::vector<LinkClass>& classes, double unit) {
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (unit < classes[i].share) return i;
    unit -= classes[i].share;
  }
  return classes.size() - 1;
}

std::int64_t arrival(const Scenario& scenario, Channel& channel, std::uint64_t from, std::uint64_t to,
                     std::size_t bytes, std::int64_t sent_at) {
  std::int64_t at = sent_at + channel.latency_ms;
  const std::uint64_t nth = channel.sent++;
  if (channel.lossy && scenario.loss_rate > 0) {
    const double packets = std::ceil(static_cast<double>(std::max<std::size_t>(bytes, 1)) / kPacketPayloadBytes);
    const double any_lost = 1 - std::pow(1 - scenario.loss_rate, packets);
    if (hashed_unit(scenario.seed, from * 0x100000000ULL + to, nth, kSaltLoss) < any_lost) at += scenario.retransmit_ms;
  }
  channel.last_arrival = std::max(channel.last_arrival, at);
  return channel.last_arrival;
}

bool unconnectable(const Scenario& scenario, std::size_t a, std::size_t b) {
  return scenario.unconnectable_share > 0 &&
         hashed_unit(scenario.seed, std::min(a, b), std::max(a, b), kSaltUnconnectable) < scenario.unconnectable_share;
}

bool lossy(const Scenario& scenario, std::size_t a, std::size_t b) {
  return scenario.lossy_link_share > 0 &&
         hashed_unit(scenario.seed, std::min(a, b), std::max(a, b), kSaltLossy) < scenario.lossy_link_share;
}

}  // namespace swarmcast::sim
