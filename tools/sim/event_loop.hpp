// The simulator's two schedules, built so that a step costs what is due in it rather
// than what exists: messages in flight wait in a calendar of 1 ms slots (no heap of
// millions to sift), and a step visits only the nodes that tick in it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace swarmcast::sim {

// Items by due time (whole ms). Items due in the same ms come out in the order they
// went in, so equal times need no tie-breaking counter to stay deterministic.
template <typename T>
class Calendar {
 public:
  // `at` must not be before the last pop_until: nothing is scheduled in the past.
  void push(std::int64_t at, T item) {
    at = std::max(at, next_);
    if (at - next_ >= static_cast<std::int64_t>(slots_.size())) grow(at - next_ + 1);
    slots_[slot(at)].push_back(std::move(item));
    ++size_;
  }

  // Calls deliver(item) for each item due at or before `now`: by time, then by push order.
  template <typename Deliver>
  void pop_until(std::int64_t now, Deliver&& deliver) {
    while (next_ <= now) {
      if (size_ == 0) {
        next_ = now + 1;
        break;
      }
      const std::int64_t at = next_++;  // first, so that deliver may push from the next ms on
      std::vector<T> due = std::move(slots_[slot(at)]);
      size_ -= due.size();
      for (T& item : due) deliver(item);
      due.clear();
      if (slots_[slot(at)].empty()) slots_[slot(at)] = std::move(due);  // keeps its capacity
    }
  }

  std::size_t size() const { return size_; }

 private:
  std::size_t slot(std::int64_t at) const { return static_cast<std::size_t>(at) & (slots_.size() - 1); }

  // Doubles the ring until `span` ms fit, re-filing what is pending.
  void grow(std::int64_t span) {
    std::size_t size = slots_.size();
    while (static_cast<std::int64_t>(size) < span) size *= 2;
    std::vector<std::vector<T>> old(size);
    old.swap(slots_);
    for (std::int64_t at = next_; at < next_ + static_cast<std::int64_t>(old.size()); ++at)
      slots_[slot(at)] = std::move(old[static_cast<std::size_t>(at) & (old.size() - 1)]);
  }

  std::vector<std::vector<T>> slots_ = std::vector<std::vector<T>>(1024);  // a power of two
  std::int64_t next_ = 0;  // the first ms not yet delivered
  std::size_t size_ = 0;
};

// Which nodes tick in a step: each one every tick_ms, staggered by index so that they
// do not all act in the same instant, and any node that heard messages in the step.
class TickSchedule {
 public:
  TickSchedule(std::int64_t step_ms, std::int64_t tick_ms) : step_ms_(step_ms), phases_(tick_ms / step_ms) {}

  void heard(std::size_t node) {
    if (node >= marked_.size()) marked_.resize(node + 1, false);
    if (!marked_[node]) heard_.push_back(node);
    marked_[node] = true;
  }

  // The nodes of [0, count) that tick in the step at `now`, ascending. Forgets who heard.
  const std::vector<std::size_t>& due(std::int64_t now, std::size_t count) {
    due_.clear();
    std::sort(heard_.begin(), heard_.end());
    auto heard = heard_.begin();
    // Node i's timer fires in the steps where (step + i) is a multiple of the phases.
    const std::int64_t phase = (phases_ - (now / step_ms_) % phases_) % phases_;
    for (std::size_t i = static_cast<std::size_t>(phase); i < count; i += static_cast<std::size_t>(phases_)) {
      for (; heard != heard_.end() && *heard < i; ++heard) due_.push_back(*heard);
      if (heard != heard_.end() && *heard == i) ++heard;
      due_.push_back(i);
    }
    due_.insert(due_.end(), heard, heard_.end());
    for (std::size_t node : heard_) marked_[node] = false;
    heard_.clear();
    return due_;
  }

 private:
  std::int64_t step_ms_;
  std::int64_t phases_;
  std::vector<std::size_t> heard_;
  std::vector<bool> marked_;
  std::vector<std::size_t> due_;
};

}  // namespace swarmcast::sim
