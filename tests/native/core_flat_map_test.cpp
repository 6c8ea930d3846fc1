// The flat maps that replace std::map in the engine: the same order and answers as
// std::map, whatever the keys' gaps and the order they arrive in.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/flat_map.hpp"
#include "core/strong_types.hpp"

namespace swarmcast::test {
namespace {

TEST(FlatMap, AnswersLikeStdMapForKeysWithGapsInAnyOrder) {
  std::mt19937 rng(7);
  FlatMap<ChunkSeq, int> flat;
  std::map<ChunkSeq, int> tree;
  for (int i = 0; i < 2000; ++i) {
    const ChunkSeq seq{100 + rng() % 60};
    switch (rng() % 4) {
      case 0:
      case 1:
        flat[seq] = i;
        tree[seq] = i;
        break;
      case 2:
        EXPECT_EQ(flat.erase(seq), tree.erase(seq));
        break;
      case 3:
        flat.erase(flat.begin(), flat.lower_bound(seq));
        tree.erase(tree.begin(), tree.lower_bound(seq));
        break;
    }
    const ChunkSeq probe{95 + rng() % 70};
    const auto found = flat.find_consecutive(probe);
    const auto expected = tree.find(probe);
    ASSERT_EQ(found == flat.end(), expected == tree.end()) << probe.value;
    if (found != flat.end()) EXPECT_EQ(found->second, expected->second);
    EXPECT_EQ(flat.count(probe), tree.count(probe));
    EXPECT_EQ(flat.lower_bound(probe) - flat.begin(), std::distance(tree.begin(), tree.lower_bound(probe)));
    EXPECT_EQ(flat.upper_bound(probe) - flat.begin(), std::distance(tree.begin(), tree.upper_bound(probe)));
  }
  ASSERT_EQ(flat.size(), tree.size());
  EXPECT_TRUE(std::equal(flat.begin(), flat.end(), tree.begin(), tree.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; }));
}

TEST(FlatSet, KeepsEachKeyOnceInOrder) {
  FlatSet<ChunkSeq> set;
  for (std::uint64_t seq : {5, 3, 9, 3, 7, 9}) set.insert(ChunkSeq{seq});
  EXPECT_EQ(set.count(ChunkSeq{3}), 1u);
  EXPECT_EQ(set.count(ChunkSeq{4}), 0u);
  set.erase(set.begin(), set.lower_bound(ChunkSeq{6}));
  EXPECT_EQ(std::vector<ChunkSeq>(set.begin(), set.end()), (std::vector<ChunkSeq>{ChunkSeq{7}, ChunkSeq{9}}));
}

}  // namespace
}  // namespace swarmcast::test
