// The pool calls the work once per index, on however many threads, and hands the
// first failure back to the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "worker_pool.hpp"

namespace swarmcast::sim {
namespace {

TEST(WorkerPool, CallsTheWorkOnceForEveryIndexWhateverTheThreadCount) {
  for (unsigned threads : {1u, 2u, 5u}) {
    WorkerPool pool(threads);
    for (std::size_t count : {0u, 3u, 1000u}) {
      std::vector<std::atomic<int>> calls(count);
      pool.for_each(count, [&](std::size_t i) { ++calls[i]; });
      for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(calls[i], 1) << threads << " threads, index " << i;
    }
  }
}

TEST(WorkerPool, RethrowsAFailureAndStaysUsable) {
  WorkerPool pool(2);
  EXPECT_THROW(pool.for_each(500, [](std::size_t i) { if (i == 321) throw std::runtime_error("bad node"); }),
               std::runtime_error);
  std::atomic<std::size_t> sum{0};
  pool.for_each(100, [&](std::size_t i) { sum += i; });
  EXPECT_EQ(sum, 4950u);
}

}  // namespace
}  // namespace swarmcast::sim
