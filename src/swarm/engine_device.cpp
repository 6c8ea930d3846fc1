// The engine and the device it runs on: what this device's rules allow it to upload,
// told to every peer when it changes (DeviceStatus), and what peers tell of theirs.
// A declaration only ever makes a peer ask less of another: throughput is measured.
#include <algorithm>
#include <cmath>
#include <limits>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"

namespace swarmcast::swarm {
namespace {

// The tighter of two budgets where 0 is "no limit".
double tighter(double a, double b) {
  if (!(a > 0)) return b > 0 ? b : 0;
  if (!(b > 0)) return a;
  return std::min(a, b);
}

}  // namespace

void Engine::set_device(const DeviceConstraints& device, TimeMs now) {
  if (device == config_.device) return;
  const wire::DeviceStatus before = device_status();
  config_.device = device;
  apply_device(before, now);
}

void Engine::apply_device(const wire::DeviceStatus& before, TimeMs now) {
  compute_allowance();
  const wire::DeviceStatus after = device_status();
  if (after == before) return;
  // The status goes first, so that a peer knows why the Choke that may follow came.
  for (auto& [id, peer] : peers_) send(peer, after);
  last_unchoke_ = TimeMs{-1'000'000};
  update_unchoked(now);
}

void Engine::compute_allowance() {
  const std::optional<double> rate = stream_bytes_per_s();
  allowance_on_stream_rate_ = !buffer_.chunks().empty();
  // The broadcaster is the source: its device may cap its rate, never stop it.
  allowance_ = config_.broadcaster
                   ? UploadAllowance{true, static_cast<double>(config_.device.upload_budget_bytes_per_s)}
                   : swarm::upload_allowance(config_.device, rate.value_or(ScoreWeights{}.stream_bytes_per_s));
  const double total = tighter(configured_total_budget_, allowance_.bytes_per_s);
  budget_.set_total_rate(total);
  // Every byte queued ahead of a piece delays it on every hop: a capped uplink keeps a
  // queue of max_backlog_ms of its rate.
  backlog_limit_ = total > 0 ? std::max<std::uint64_t>(2 * trust::kPieceSize,
                                                       static_cast<std::uint64_t>(total * config_.max_backlog_ms / 1000))
                             : config_.max_buffered_bytes;
}

wire::DeviceStatus Engine::device_status() const {
  const DeviceConstraints& d = config_.device;
  // What this engine will upload at most: the hidden page's reduced rate is declared
  // too, so that peers size what they ask of it at once.
  const double budget = std::min(std::round(allowance_.bytes_per_s),
                                 static_cast<double>(std::numeric_limits<std::uint32_t>::max()));
  return wire::DeviceStatus{.can_upload = allowance_.serves,
                            .metered = d.metered,
                            .battery_low = d.battery_low,
                            .hidden = d.hidden,
                            .upload_budget_bytes_per_s = allowance_.serves ? static_cast<std::uint32_t>(budget) : 0,
                            .upload_choice = d.choice};
}

std::optional<double> Engine::rendition_bytes_per_s(RenditionId rendition) const {
  double bytes = 0;
  double ms = 0;
  for (const auto& [id, entry] : buffer_.chunks()) {
    if (id.rendition != rendition) continue;
    bytes += static_cast<double>(entry.header.byte_length);
    ms += entry.header.duration_ms;
  }
  if (!(ms > 0)) return std::nullopt;
  return bytes * 1000 / ms;
}

void Engine::on_device_status(Remote& peer, const wire::DeviceStatus& m) {
  peer.stats.device = declared_device(m);
  if (peer.stats.device.can_upload()) return;
  // It will not serve: what we asked of it and did not get is asked of others at the
  // next tick, as after a Choke (which an honest peer sends next).
  peer.choked_by_them = true;
  requests_.drop_peer(peer.id);
}

}  // namespace swarmcast::swarm
