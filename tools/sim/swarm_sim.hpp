// A deterministic simulation of one stream: a broadcaster and N viewers, each a real
// swarm::Engine, over a modelled network (per-peer upload capacity with serialisation
// delay, per-link latency), a tracker handing out neighbours, joins, churn and
// polluters. Virtual clock, seeded RNG: the same scenario gives the same result.
// Modelled, not real: download capacity is unlimited and there is no packet loss
// (the data channel is reliable and ordered, so loss shows up as latency).
#pragma once

#include <memory>
#include <random>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_loop.hpp"
#include "scenario.hpp"
#include "swarm/engine.hpp"

namespace swarmcast::sim {

class SwarmSim {
 public:
  explicit SwarmSim(Scenario scenario);
  ~SwarmSim();
  nlohmann::json run();

 private:
  struct Node;
  struct Delivery;

  void join_viewer(std::int64_t now);
  void leave_viewer(std::size_t index, std::int64_t now);
  void link(std::size_t a, std::size_t b, std::int64_t now);
  void publish(std::uint64_t seq, std::int64_t now);
  void step_node(std::size_t index, std::int64_t now);
  // Node i (the broadcaster is node 0) is PeerId i + 1.
  static swarm::PeerId id_of(std::size_t index) { return swarm::PeerId{index + 1}; }
  static std::size_t index_of(swarm::PeerId id) { return static_cast<std::size_t>(id.value - 1); }
  void deliver_until(std::int64_t now);
  nlohmann::json metrics(double wall_seconds) const;

  Scenario scenario_;
  std::mt19937_64 rng_;
  // One for all engines: each piece, hash list and header is checked once, and each
  // piece stored once, however many engines hold it.
  std::shared_ptr<swarm::MemoizingVerifier> verifier_ = std::make_shared<swarm::MemoizingVerifier>();
  std::vector<std::unique_ptr<Node>> nodes_;  // [0] is the broadcaster
  Calendar<Delivery> in_flight_;              // by arrival time
  TickSchedule ticks_;
  // (honest, polluter) node pairs where a corrupt piece reached the honest engine.
  std::set<std::pair<std::size_t, std::size_t>> polluted_;
  std::vector<ByteVector> produced_;
  std::uint64_t produced_bytes_ = 0;
};

}  // namespace swarmcast::sim
