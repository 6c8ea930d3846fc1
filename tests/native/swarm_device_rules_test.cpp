// The device rules in a small swarm: a broadcaster and five viewers in a full mesh
// over links with latency and upload capacity (the same engine code as the browser).
// Mid-stream, viewer 2's device changes; what its peers then ask of it, and what it
// uploads, follow within a second, and every viewer, viewer 2 included, plays every
// chunk intact.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "swarm/engine.hpp"
#include "swarm/upload_policy.hpp"
#include "synthetic_stream.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::DeviceConstraints;
using swarm::Engine;
using swarm::PeerId;
using swarm::UploadChoice;

const trust::KeyPair& stream_keys() { return synthetic::keys(53); }

constexpr PeerId kSource{1};
constexpr PeerId kDevice{2};  // the viewer whose device changes
constexpr std::int64_t kLatencyMs = 20;
constexpr std::size_t kChunkBytes = 150'000;  // 1 s chunks: 150 kB/s
constexpr double kViewerUplink = 600'000;
constexpr std::int64_t kRunMs = 30'000;

class Mesh {
 public:
  explicit Mesh(int viewers) {
    add(kSource, true, 4'000'000);
    for (int i = 0; i < viewers; ++i) add(PeerId{static_cast<std::uint64_t>(2 + i)}, false, kViewerUplink);
    for (auto& [a, na] : nodes_)
      for (auto& [b, nb] : nodes_)
        if (a < b) {
          na.engine->connect(b, TimeMs{0});
          nb.engine->connect(a, TimeMs{0});
        }
    const ByteVector init = synthetic::media(999, 300);
    source().publish_init(signed_header(trust::HeaderKind::kInit, 0, init), init, TimeMs{0});
  }

  // Runs `action` on viewer 2's engine at `ms` (a multiple of 50).
  void at(std::int64_t ms, std::function<void(Engine&, TimeMs)> action) { actions_[ms] = std::move(action); }

  void run() {
    for (; now_ <= kRunMs; now_ += 10) {
      if (now_ % 1000 == 0 && now_ >= 1000) publish(static_cast<std::uint64_t>(now_ / 1000 - 1));
      deliver();
      if (now_ % 50 != 0) continue;
      if (auto action = actions_.find(now_); action != actions_.end()) action->second(*nodes_.at(kDevice).engine, TimeMs{now_});
      for (auto& [id, node] : nodes_) step(id, node);
      if (now_ % 1000 == 0) samples_[now_] = nodes_.at(kDevice).engine->stats();
    }
  }

  // Viewer 2's counters between two whole seconds.
  std::uint64_t requests_to_device(std::int64_t from_ms, std::int64_t to_ms) const {
    return samples_.at(to_ms).piece_requests_received - samples_.at(from_ms).piece_requests_received;
  }
  double device_upload_bytes_per_s(std::int64_t from_ms, std::int64_t to_ms) const {
    return static_cast<double>(samples_.at(to_ms).media_bytes_sent - samples_.at(from_ms).media_bytes_sent) * 1000 /
           static_cast<double>(to_ms - from_ms);
  }

  // Every viewer played every chunk from the third on, in order, byte for byte.
  void expect_every_viewer_played_everything_intact() const {
    for (const auto& [id, node] : nodes_) {
      if (id == kSource) continue;
      const swarm::EngineStats& s = node.engine->stats();
      EXPECT_EQ(s.chunks_skipped, 0u) << "viewer " << id.value;
      EXPECT_EQ(s.bad_pieces, 0u) << "viewer " << id.value;
      for (std::uint64_t seq = 2; seq + 3 < produced_.size(); ++seq) {
        auto played = node.played.find(seq);
        ASSERT_NE(played, node.played.end()) << "viewer " << id.value << " chunk " << seq << " "
                                             << node.engine->stats_json(TimeMs{now_});
        EXPECT_EQ(played->second, produced_.at(seq)) << "viewer " << id.value << " chunk " << seq;
      }
    }
  }

 private:
  struct Node {
    std::unique_ptr<Engine> engine;
    double uplink_bytes_per_s;
    std::int64_t link_free_at = 0;
    std::map<std::uint64_t, ByteVector> played;
  };
  struct InFlight {
    std::int64_t at;
    PeerId from, to;
    ByteVector bytes;
  };

  static ByteVector signed_header(trust::HeaderKind kind, std::uint64_t seq, ByteView payload) {
    return synthetic::signed_header(stream_keys(), kind, seq, TimeMs{static_cast<std::int64_t>(seq) * 1000}, 1000, payload);
  }

  Engine& source() { return *nodes_.at(kSource).engine; }

  void add(PeerId id, bool broadcaster, double uplink) {
    nodes_.emplace(id, Node{std::make_unique<Engine>(synthetic::engine_config(stream_keys(), id, broadcaster)), uplink});
  }

  void publish(std::uint64_t seq) {
    const ByteVector payload = synthetic::media(seq, kChunkBytes);
    produced_[seq] = payload;
    ASSERT_TRUE(source().publish_chunk(signed_header(trust::HeaderKind::kChunk, seq, payload), payload, TimeMs{now_}));
  }

  void step(PeerId id, Node& node) {
    node.engine->tick(TimeMs{now_});
    for (auto& out : node.engine->take_outbox()) {
      node.link_free_at = std::max(node.link_free_at, now_) +
                          static_cast<std::int64_t>(1000.0 * static_cast<double>(out.bytes.size()) / node.uplink_bytes_per_s);
      wire_.push_back({node.link_free_at + kLatencyMs, id, out.to, std::move(out.bytes)});
    }
    for (auto& item : node.engine->take_playable())
      if (!item.init) node.played[item.seq.value] = std::move(item.bytes);
  }

  void deliver() {
    std::stable_sort(wire_.begin(), wire_.end(), [](const InFlight& x, const InFlight& y) { return x.at < y.at; });
    while (!wire_.empty() && wire_.front().at <= now_) {
      InFlight m = std::move(wire_.front());
      wire_.pop_front();
      nodes_.at(m.to).engine->on_message(m.from, m.bytes, TimeMs{now_});
    }
    for (auto& [id, node] : nodes_)
      for (auto& [other, _] : nodes_)
        if (other != id) node.engine->set_buffered_amount(other, 0);
    for (const InFlight& m : wire_)
      if (m.at - kLatencyMs > now_) {
        Node& sender = nodes_.at(m.from);
        sender.engine->set_buffered_amount(
            m.to, static_cast<std::uint64_t>(static_cast<double>(m.at - kLatencyMs - now_) * sender.uplink_bytes_per_s / 1000));
      }
  }

  std::map<PeerId, Node> nodes_;
  std::deque<InFlight> wire_;
  std::map<std::uint64_t, ByteVector> produced_;
  std::map<std::int64_t, swarm::EngineStats> samples_;
  std::map<std::int64_t, std::function<void(Engine&, TimeMs)>> actions_;
  std::int64_t now_ = 0;
};

void set_device_at(Mesh& mesh, std::int64_t ms, DeviceConstraints device) {
  mesh.at(ms, [device](Engine& engine, TimeMs now) { engine.set_device(device, now); });
}

TEST(DeviceRules, OnMeteredDataItsPeersStopAskingWithinASecondAndResumeBackOnWifi) {
  Mesh mesh(5);
  set_device_at(mesh, 10'000, {.metered = true});
  set_device_at(mesh, 20'000, {});
  mesh.run();
  std::printf("requests/s to the device: before %.1f, metered %.1f, back on wifi %.1f\n",
              static_cast<double>(mesh.requests_to_device(5'000, 10'000)) / 5,
              static_cast<double>(mesh.requests_to_device(11'000, 20'000)) / 9,
              static_cast<double>(mesh.requests_to_device(22'000, 30'000)) / 8);
  ASSERT_GT(mesh.requests_to_device(5'000, 10'000), 0u) << "its peers asked it before";
  EXPECT_EQ(mesh.requests_to_device(11'000, 20'000), 0u);
  EXPECT_EQ(mesh.device_upload_bytes_per_s(11'000, 20'000), 0);
  EXPECT_GT(mesh.requests_to_device(22'000, 30'000), 0u) << "asked again once back on Wi-Fi";
  mesh.expect_every_viewer_played_everything_intact();
}

// Three viewers, so that the broadcaster's stripes of each chunk reach viewer 2 too and
// its peers need it: with more viewers than stripes, a hidden viewer holds nothing the
// full-rate ones do not, and is asked nothing.
TEST(DeviceRules, AHiddenPageUploadsAtAReducedRateNotNone) {
  Mesh mesh(3);
  set_device_at(mesh, 10'000, {.hidden = true});
  mesh.run();
  const double cap = swarm::kHiddenUploadShare * static_cast<double>(kChunkBytes);
  const double before = mesh.device_upload_bytes_per_s(4'000, 10'000);
  const double hidden = mesh.device_upload_bytes_per_s(12'000, 30'000);
  std::printf("device upload: before %.0f B/s, hidden %.0f B/s (cap %.0f); requests/s %.1f -> %.1f\n", before, hidden,
              cap, static_cast<double>(mesh.requests_to_device(4'000, 10'000)) / 6,
              static_cast<double>(mesh.requests_to_device(12'000, 30'000)) / 18);
  ASSERT_GT(before, cap) << "a visible viewer 2 uploads more than the hidden cap, or this shows nothing";
  EXPECT_GT(hidden, 0.2 * cap) << "still serving";
  EXPECT_LE(hidden, cap * 1.05);
  EXPECT_GT(mesh.requests_to_device(12'000, 30'000), 0u);
  mesh.expect_every_viewer_played_everything_intact();
}

TEST(DeviceRules, TheViewerChoosingOffUploadsNothing) {
  Mesh mesh(5);
  set_device_at(mesh, 10'000, {.choice = UploadChoice::kOff});
  mesh.run();
  EXPECT_EQ(mesh.requests_to_device(11'000, 30'000), 0u);
  EXPECT_EQ(mesh.device_upload_bytes_per_s(11'000, 30'000), 0);
  mesh.expect_every_viewer_played_everything_intact();
}

TEST(DeviceRules, ACapChosenOnMeteredDataWinsOverTheDeviceRule) {
  constexpr std::uint32_t kCap = 30'000;
  Mesh mesh(3);
  set_device_at(mesh, 10'000, {.metered = true, .upload_budget_bytes_per_s = kCap, .choice = UploadChoice::kCap});
  mesh.run();
  const double capped = mesh.device_upload_bytes_per_s(12'000, 30'000);
  // It serves (on metered data alone it would not), what its two peers still need of
  // it: ~5 kB/s, pieces they got from the faster holders first being cancelled.
  EXPECT_GT(mesh.requests_to_device(12'000, 30'000), 0u);
  EXPECT_GT(capped, 0.1 * kCap);
  EXPECT_LE(capped, kCap * 1.05);
  mesh.expect_every_viewer_played_everything_intact();
}

}  // namespace
}  // namespace swarmcast::test
