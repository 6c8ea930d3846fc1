#include "worker_pool.hpp"

#include <algorithm>

namespace swarmcast::sim {
namespace {

// Items are taken a few at a time: few enough that the threads finish together, many
// enough that they do not queue on the counter.
constexpr std::size_t kBatch = 8;

}  // namespace

WorkerPool::WorkerPool(unsigned threads) {
  for (unsigned i = 1; i < std::max(threads, 1u); ++i) workers_.emplace_back([this] { serve(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  started_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void WorkerPool::for_each(std::size_t count, const std::function<void(std::size_t)>& work) {
  if (workers_.empty() || count <= kBatch) {
    for (std::size_t i = 0; i < count; ++i) work(i);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    work_ = &work;
    count_ = count;
    next_ = 0;
    failure_ = nullptr;
    busy_ = static_cast<unsigned>(workers_.size());
    ++generation_;
  }
  started_.notify_all();
  take_items();
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [this] { return busy_ == 0; });
  work_ = nullptr;
  if (failure_) std::rethrow_exception(failure_);
}

void WorkerPool::serve() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      started_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    take_items();
    std::lock_guard lock(mutex_);
    if (--busy_ == 0) finished_.notify_one();
  }
}

void WorkerPool::take_items() {
  try {
    for (;;) {
      const std::size_t first = next_.fetch_add(kBatch);
      if (first >= count_) return;
      for (std::size_t i = first; i < std::min(first + kBatch, count_); ++i) (*work_)(i);
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::current_exception();
    next_ = count_;  // the others stop taking items
  }
}

}  // namespace swarmcast::sim
