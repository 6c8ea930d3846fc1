// The modelled network beyond each sender's uplink: download caps, lossy channels and
// viewer pairs that cannot connect. Every random draw about a pair or a message is a
// hash of the seed and what it is about, not a draw from the run's RNG: the nodes step
// in parallel, and a scenario without these constraints runs exactly as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scenario.hpp"

namespace swarmcast::sim {

// A uniform draw in [0, 1) named by (seed, a, b, salt).
double hashed_unit(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t salt);

// The index of the class a uniform draw `unit` falls in.
std::size_t pick_class(const std::vector<LinkClass>& classes, double unit);

// One direction of a data channel, kept by its sender.
struct Channel {
  std::int64_t latency_ms = 0;  // one way: both ends' latencies
  bool lossy = false;
  std::int64_t last_arrival = 0;  // reliable and ordered: nothing overtakes
  std::uint64_t sent = 0;         // messages so far, to name each one's loss draw
};

// When a message of `bytes` that left the sender's uplink at `sent_at` arrives: a lossy
// channel loses each of its packets with the scenario's loss_rate, and a lost one comes
// a retransmission later; either way not before what was sent on the channel earlier.
std::int64_t arrival(const Scenario& scenario, Channel& channel, std::uint64_t from, std::uint64_t to,
                     std::size_t bytes, std::int64_t sent_at);

// Whether two viewers can connect at all (NAT on both sides and no TURN), and whether
// the channel between them is lossy: both a property of the pair.
bool unconnectable(const Scenario& scenario, std::size_t a, std::size_t b);
bool lossy(const Scenario& scenario, std::size_t a, std::size_t b);

}  // namespace swarmcast::sim
