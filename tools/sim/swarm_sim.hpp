// A deterministic simulation of one stream: a broadcaster and N viewers, each a real
// swarm::Engine, over a modelled network (per-peer upload capacity with serialisation
// delay, per-link latency), a tracker handing out neighbours by the product's own peer
// selection (tracker.hpp), joins, churn and polluters. Virtual clock, seeded RNG: the same scenario gives the same result, on
// any number of threads. Time moves in 10 ms steps; within a step each node's messages
// and tick touch that node alone, so the nodes run in parallel, and what they send and
// the links they drop are filed in node order at the end of the step.
// With the scenario's constraints (network.hpp) it also models download caps, lossy
// channels (loss shows up as latency: the data channel is reliable and ordered),
// viewer pairs that cannot connect, and viewers that do not upload.
#pragma once

#include <memory>
#include <random>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_loop.hpp"
#include "locked_verifier.hpp"
#include "network.hpp"
#include "scenario.hpp"
#include "tracker.hpp"
#include "swarm/engine.hpp"
#include "worker_pool.hpp"

namespace swarmcast::sim {

class SwarmSim {
 public:
  // `threads` only changes how fast it runs: the result is the same for any number.
  SwarmSim(Scenario scenario, unsigned threads);
  ~SwarmSim();
  nlohmann::json run();

 private:
  struct Node;
  struct Delivery;
  struct Sent;
  struct StepOutput;

  void join_viewer(std::int64_t now);
  // What every viewer's client does on its timers: report its stats, and ask for more
  // peers while it has fewer than min_peers links.
  void report_stats(std::int64_t now);
  void ask_for_peers(std::int64_t now);
  void connect_assigned(std::size_t seeker, std::int64_t now);
  void leave_viewer(std::size_t index, std::int64_t now);
  void give_up_unconnectable(std::int64_t now);
  void link(std::size_t a, std::size_t b, std::int64_t now);
  // The signed rendition list (when there are several) and each rendition's init segment.
  void publish_renditions();
  // Chunk seq of every rendition: the same moment, each at its rendition's rate.
  void publish(std::uint64_t seq, std::int64_t now);
  // Touches node `index` only; what it sends and the links it drops go to `out`, for
  // apply_step to carry out in node order once every node due has stepped.
  void step_node(std::size_t index, std::int64_t now, StepOutput& out);
  // `stepped`: the nodes that ticked, in the order of step_outputs_.
  void apply_step(const std::vector<std::size_t>& stepped, std::int64_t now);
  // Node i (the broadcaster is node 0) is PeerId i + 1.
  static swarm::PeerId id_of(std::size_t index) { return swarm::PeerId{index + 1}; }
  static std::size_t index_of(swarm::PeerId id) { return static_cast<std::size_t>(id.value - 1); }
  void deliver_until(std::int64_t now);
  void group_by_receiver();
  nlohmann::json metrics(double wall_seconds) const;
  // Hops from the broadcaster over the links at the end, and what each role carried.
  nlohmann::json topology_metrics() const;

  Scenario scenario_;
  std::mt19937_64 rng_;
  // One for all engines: each piece, hash list and header is checked once, and each
  // piece stored once, however many engines hold it.
  std::shared_ptr<LockedVerifier> verifier_ = std::make_shared<LockedVerifier>();
  WorkerPool workers_;
  std::vector<std::unique_ptr<Node>> nodes_;  // [0] is the broadcaster
  Tracker tracker_;
  Calendar<Delivery> in_flight_;              // by arrival time
  Calendar<std::pair<std::size_t, std::size_t>> failing_;  // unconnectable pairs, by give-up time
  TickSchedule ticks_;
  std::vector<Delivery> arrived_;  // this step's, in delivery order
  // Indices into arrived_ grouped by receiving node (each group in delivery order),
  // and where each group begins and ends in it; see group_by_receiver.
  std::vector<std::size_t> arrival_order_;
  std::vector<std::pair<std::size_t, std::size_t>> arrival_groups_;
  std::vector<std::size_t> receivers_;  // the nodes with arrivals, in order of their first
  std::vector<std::size_t> cursor_;     // per node; all zero between steps
  std::vector<StepOutput> step_outputs_;  // what each node that ticked in the step did, in order
  // (honest, polluter) node pairs where a corrupt piece reached the honest engine.
  std::set<std::pair<std::size_t, std::size_t>> polluted_;
  std::vector<RenditionSpec> renditions_;  // highest first; id r is renditions_[r]
  std::vector<std::vector<ByteVector>> produced_;  // by rendition, then seq
  std::uint64_t produced_bytes_ = 0;  // of the top rendition: what source_upload_factor is a multiple of
};

}  // namespace swarmcast::sim
