// Spreads a step's independent per-node work over the machine's cores. The simulator
// calls it only for work that touches one node each (a node's messages, a node's
// tick) and files what each item produced by its position, so the result is the same
// whatever the number of threads and however the items fell to them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace swarmcast::sim {

class WorkerPool {
 public:
  // `threads` counts the caller, which works too: 1 runs everything on the caller.
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // Calls work(i) once for every i in [0, count) and returns when all calls have; the
  // first exception thrown by any call is rethrown here.
  void for_each(std::size_t count, const std::function<void(std::size_t)>& work);

 private:
  void serve();
  void take_items();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable started_, finished_;
  std::uint64_t generation_ = 0;  // bumped per for_each: tells the workers there is a job
  unsigned busy_ = 0;             // workers still on the current job
  bool stopping_ = false;
  const std::function<void(std::size_t)>* work_ = nullptr;
  std::size_t count_ = 0;
  std::atomic<std::size_t> next_{0};
  std::exception_ptr failure_;
};

}  // namespace swarmcast::sim
