#include "topology_report.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>

#include "swarm/peer_scorer.hpp"

namespace swarmcast::sim {
namespace {

constexpr std::size_t kUnreached = std::numeric_limits<std::size_t>::max();

// Breadth-first from the source over the live nodes' links.
std::vector<std::size_t> hops_from_source(std::span<const NodeView> nodes) {
  std::vector<std::size_t> hops(nodes.size(), kUnreached);
  if (nodes.empty()) return hops;
  std::deque<std::size_t> queue{0};
  hops[0] = 0;
  while (!queue.empty()) {
    const std::size_t at = queue.front();
    queue.pop_front();
    for (std::size_t next : nodes[at].links) {
      if (nodes[next].left || hops[next] != kUnreached) continue;
      hops[next] = hops[at] + 1;
      queue.push_back(next);
    }
  }
  return hops;
}

std::size_t percentile(std::vector<std::size_t> sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
}

double share(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

}  // namespace

nlohmann::json topology_report(std::span<const NodeView> nodes) {
  const std::vector<std::size_t> hops = hops_from_source(nodes);
  std::vector<std::size_t> reached;
  std::size_t unreached = 0;
  std::vector<std::size_t> histogram;  // viewers at each hop count, from 0
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    if (nodes[i].left) continue;
    if (hops[i] == kUnreached) {
      ++unreached;
      continue;
    }
    reached.push_back(hops[i]);
    if (histogram.size() <= hops[i]) histogram.resize(hops[i] + 1, 0);
    ++histogram[hops[i]];
  }
  std::sort(reached.begin(), reached.end());

  // By swarm::Role's value: broadcaster, super-seed, relay, leaf.
  std::array<std::size_t, 4> members{}, links{};
  std::array<double, 4> uploaded{};
  double all_links = 0, all_uploaded = 0;
  for (const NodeView& node : nodes) {
    const auto role = static_cast<std::size_t>(node.role);
    uploaded[role] += static_cast<double>(node.bytes_uploaded);
    all_uploaded += static_cast<double>(node.bytes_uploaded);
    if (node.left) continue;
    ++members[role];
    links[role] += node.down_links;
    all_links += static_cast<double>(node.down_links);
  }
  nlohmann::json roles = nlohmann::json::object();
  for (std::size_t role = 0; role < members.size(); ++role) {
    roles[swarm::role_name(static_cast<swarm::Role>(role))] = {
        {"members", members[role]},
        {"link_share", share(static_cast<double>(links[role]), all_links)},
        {"upload_share", share(uploaded[role], all_uploaded)},
    };
  }
  return {
      {"hops_p50", percentile(reached, 0.5)}, {"hops_p95", percentile(reached, 0.95)},
      {"hops_max", reached.empty() ? 0 : reached.back()}, {"hops_histogram", histogram},
      {"unreached", unreached}, {"roles", roles},
  };
}

}  // namespace swarmcast::sim
