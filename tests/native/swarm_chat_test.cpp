// Chat through engines linked peer to peer: lines cross a chain of relays once each,
// repeats in a mesh are delivered once, forged lines ban their sender, a flooder is
// held to its rate at the first relay, and a newly linked peer gets the recent lines.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "swarm/chat.hpp"
#include "swarm/engine.hpp"
#include "synthetic_stream.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::ChatVerdict;
using swarm::Engine;
using swarm::PeerId;

const trust::KeyPair& stream_keys() { return synthetic::keys(21); }

wire::Chat line(const trust::KeyPair& author, std::uint32_t number, std::string text,
                const trust::PublicKey& stream = stream_keys().public_key) {
  wire::Chat chat;
  chat.number = number;
  chat.sent_at_ms = 1'700'000'000'000 + number;
  chat.name = "viewer";
  chat.text = std::move(text);
  swarm::sign_chat(author, stream, chat);
  return chat;
}

// Engines with instant links: pump() carries every message until none is left.
class ChatMesh {
 public:
  explicit ChatMesh(int engines, swarm::ChatConfig chat = {}) {
    for (int i = 1; i <= engines; ++i) {
      swarm::EngineConfig config;
      config.self = PeerId{static_cast<std::uint64_t>(i)};
      config.broadcaster = i == 1;
      config.stream = stream_keys().public_key;
      config.chat = chat;
      engines_.emplace(config.self, std::make_unique<Engine>(config));
    }
  }

  Engine& at(std::uint64_t id) { return *engines_.at(PeerId{id}); }

  void link(std::uint64_t a, std::uint64_t b) {
    at(a).connect(PeerId{b}, TimeMs{now_});
    at(b).connect(PeerId{a}, TimeMs{now_});
    pump();
  }

  void pump() {
    for (bool moved = true; moved;) {
      moved = false;
      for (auto& [id, engine] : engines_) {
        for (auto& out : engine->take_outbox()) {
          moved = true;
          if (auto to = engines_.find(out.to); to != engines_.end()) to->second->on_message(id, out.bytes, TimeMs{now_});
        }
      }
    }
  }

  // Every line each engine delivered since the last call.
  std::map<std::uint64_t, std::vector<wire::Chat>> delivered() {
    std::map<std::uint64_t, std::vector<wire::Chat>> out;
    for (auto& [id, engine] : engines_) out[id.value] = engine->take_chat();
    return out;
  }

  std::int64_t now_ = 0;

 private:
  std::map<PeerId, std::unique_ptr<Engine>> engines_;
};

TEST(SwarmChat, ALineCrossesAChainOfRelaysOnceEach) {
  ChatMesh mesh(5);
  for (std::uint64_t i = 1; i < 5; ++i) mesh.link(i, i + 1);
  const auto author = synthetic::keys(1);
  EXPECT_EQ(mesh.at(1).post_chat(line(author, 1, "hello"), TimeMs{0}), ChatVerdict::kNew);
  mesh.pump();
  auto delivered = mesh.delivered();
  for (std::uint64_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(delivered[i].size(), 1u) << "engine " << i;
    EXPECT_EQ(delivered[i][0].text, "hello");
    EXPECT_EQ(delivered[i][0].hops, i == 1 ? 0 : i - 2) << "relays crossed to reach engine " << i;
  }
  EXPECT_EQ(mesh.at(5).stats().chat_lines_received, 1u);
}

TEST(SwarmChat, RepeatsInAMeshAreDeliveredOnce) {
  ChatMesh mesh(5);
  for (std::uint64_t a = 1; a <= 5; ++a)
    for (std::uint64_t b = a + 1; b <= 5; ++b) mesh.link(a, b);
  mesh.at(3).post_chat(line(synthetic::keys(1), 1, "one"), TimeMs{0});
  mesh.at(4).post_chat(line(synthetic::keys(2), 1, "two"), TimeMs{0});
  mesh.pump();
  for (auto& [id, lines] : mesh.delivered()) EXPECT_EQ(lines.size(), 2u) << "engine " << id;
  EXPECT_EQ(mesh.at(3).post_chat(line(synthetic::keys(2), 1, "two"), TimeMs{0}), ChatVerdict::kDuplicate);
}

TEST(SwarmChat, ANewlyLinkedPeerGetsTheRecentLines) {
  ChatMesh mesh(3, {.history = 2});
  mesh.link(1, 2);
  for (std::uint32_t n = 1; n <= 3; ++n) mesh.at(2).post_chat(line(synthetic::keys(1), n, "line " + std::to_string(n)), TimeMs{0});
  mesh.pump();
  mesh.delivered();
  mesh.link(3, 2);
  const auto late = mesh.delivered()[3];
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0].text, "line 2");
  EXPECT_EQ(late[1].text, "line 3");
}

TEST(SwarmChat, AFlooderIsHeldToItsRateAtTheFirstRelay) {
  ChatMesh mesh(2, {.author_lines_per_s = 1, .author_burst = 3});
  mesh.link(1, 2);
  const auto author = synthetic::keys(1);
  int accepted = 0;
  for (std::uint32_t n = 1; n <= 10; ++n) accepted += mesh.at(1).post_chat(line(author, n, "spam"), TimeMs{0}) == ChatVerdict::kNew;
  EXPECT_EQ(accepted, 3);
  mesh.pump();
  EXPECT_EQ(mesh.delivered()[2].size(), 3u);
  // A second on, one more line is due to the author, at its own relay and the next.
  mesh.now_ = 1000;
  EXPECT_EQ(mesh.at(1).post_chat(line(author, 11, "later"), TimeMs{1000}), ChatVerdict::kNew);
  mesh.pump();
  EXPECT_EQ(mesh.delivered()[2].size(), 1u);
}

TEST(SwarmChat, TooManyHopsGoNoFurther) {
  ChatMesh mesh(5, {.max_hops = 1});
  for (std::uint64_t i = 1; i < 5; ++i) mesh.link(i, i + 1);
  mesh.at(1).post_chat(line(synthetic::keys(1), 1, "near"), TimeMs{0});
  mesh.pump();
  auto delivered = mesh.delivered();
  EXPECT_EQ(delivered[3].size(), 1u);  // crossed relay 2
  EXPECT_EQ(delivered[4].size(), 0u);
}

// A peer that is not an engine: handshakes, then sends whatever the test gives it.
class RawPeer {
 public:
  static constexpr std::uint64_t kId = 99;
  explicit RawPeer(Engine& engine) : engine_(engine) {
    engine.connect(PeerId{kId}, TimeMs{0});
    wire::Handshake hello;
    hello.stream_key = stream_keys().public_key.bytes;
    hello.peer_id = PeerId{kId};
    send(hello);
  }
  void send(const wire::Message& message) { engine_.on_message(PeerId{kId}, wire::encode(message), TimeMs{0}); }

 private:
  Engine& engine_;
};

TEST(SwarmChat, AForgedLineBansItsSenderAndIsNeverDelivered) {
  for (int variant = 0; variant < 3; ++variant) {
    ChatMesh mesh(1);
    RawPeer raw(mesh.at(1));
    wire::Chat chat = line(synthetic::keys(1), 1, "genuine");
    if (variant == 0) chat.text = "altered";
    if (variant == 1) chat.signature[0] ^= 1;
    if (variant == 2) chat = line(synthetic::keys(1), 1, "genuine", synthetic::keys(22).public_key);  // another stream
    raw.send(chat);
    EXPECT_EQ(mesh.at(1).take_chat().size(), 0u) << "variant " << variant;
    EXPECT_EQ(mesh.at(1).banned().count(PeerId{RawPeer::kId}), 1u) << "variant " << variant;
  }
}

TEST(SwarmChat, OnePeerIsHeldToItsRateWhateverItsAuthors) {
  ChatMesh mesh(1, {.peer_lines_per_s = 10, .peer_burst = 20});
  RawPeer raw(mesh.at(1));
  for (std::uint32_t n = 0; n < 50; ++n) raw.send(line(synthetic::keys(static_cast<Byte>(100 + n)), 1, "x"));
  EXPECT_EQ(mesh.at(1).take_chat().size(), 20u);
  EXPECT_EQ(mesh.at(1).stats().chat_lines_dropped, 30u);
  EXPECT_TRUE(mesh.at(1).banned().empty());
}

}  // namespace
}  // namespace swarmcast::test
