// Ordered maps and sets kept as one sorted vector. The engine's maps hold tens of
// entries keyed by chunk or peer, are looked up on every tick, and mostly grow at the
// back (a new chunk) and shrink at the front (the window moving): there a vector's
// binary search beats a tree's pointer chasing (std::map lookups and walks were a
// third of a 1000-viewer simulation). The subset of std::map / std::set the engine
// uses, iterating in the same key order. Unlike std::map, inserting or erasing moves
// the other entries: it invalidates iterators, pointers and references into the map.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <tuple>
#include <utility>
#include <vector>

namespace swarmcast {

template <typename Key, typename Value, typename Less = std::less<Key>>
class FlatMap {
 public:
  using value_type = std::pair<Key, Value>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  auto rbegin() const { return entries_.rbegin(); }

  iterator lower_bound(const Key& key) { return entries_.begin() + lower_index(key); }
  const_iterator lower_bound(const Key& key) const { return entries_.begin() + lower_index(key); }
  const_iterator upper_bound(const Key& key) const {
    return std::upper_bound(entries_.begin(), entries_.end(), key,
                            [](const Key& k, const value_type& e) { return Less{}(k, e.first); });
  }
  iterator find(const Key& key) { return begin() + find_index(key); }
  const_iterator find(const Key& key) const { return begin() + find_index(key); }
  // find() for keys that are numbers counting up with few gaps (the chunk seqs of a
  // window): the entry usually sits at its key's distance from the last one, the
  // newest, near which most lookups fall.
  iterator find_consecutive(const Key& key) { return begin() + consecutive_index(key); }
  const_iterator find_consecutive(const Key& key) const { return begin() + consecutive_index(key); }
  std::size_t count(const Key& key) const { return find(key) != end() ? 1 : 0; }
  Value& at(const Key& key) { return find(key)->second; }

  template <typename... Args>
  std::pair<iterator, bool> try_emplace(const Key& key, Args&&... args) {
    const auto it = lower_bound(key);
    if (it != end() && !Less{}(key, it->first)) return {it, false};
    return {entries_.emplace(it, std::piecewise_construct, std::forward_as_tuple(key),
                             std::forward_as_tuple(std::forward<Args>(args)...)),
            true};
  }
  Value& operator[](const Key& key) { return try_emplace(key).first->second; }

  iterator erase(const_iterator it) { return entries_.erase(it); }
  iterator erase(const_iterator first, const_iterator last) { return entries_.erase(first, last); }
  std::size_t erase(const Key& key) {
    const std::size_t index = find_index(key);
    if (index == size()) return 0;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
    return 1;
  }

 private:
  // New keys mostly come last and lookups mostly want the last one: those cases cost a
  // comparison or two.
  std::size_t lower_index(const Key& key) const {
    if (entries_.empty() || Less{}(entries_.back().first, key)) return entries_.size();
    if (!Less{}(key, entries_.back().first)) return entries_.size() - 1;
    return static_cast<std::size_t>(
        std::lower_bound(entries_.begin(), entries_.end(), key,
                         [](const value_type& e, const Key& k) { return Less{}(e.first, k); }) -
        entries_.begin());
  }
  bool key_at(std::size_t index, const Key& key) const {
    return index < entries_.size() && !Less{}(key, entries_[index].first) && !Less{}(entries_[index].first, key);
  }
  // size() when absent.
  std::size_t find_index(const Key& key) const {
    const std::size_t index = lower_index(key);
    return key_at(index, key) ? index : entries_.size();
  }
  // How many steps a key counting up lies before another: chunk ids count by seq,
  // so a window of one rendition is as dense as one of seqs.
  static auto count_of(const Key& key) {
    if constexpr (requires { key.seq.value; }) return key.seq.value;
    else return key.value;
  }
  std::size_t consecutive_index(const Key& key) const {
    if (!entries_.empty() && !Less{}(entries_.back().first, key)) {
      const auto distance = static_cast<std::size_t>(count_of(entries_.back().first) - count_of(key));
      if (distance < entries_.size() && key_at(entries_.size() - 1 - distance, key)) return entries_.size() - 1 - distance;
    }
    return find_index(key);
  }

  std::vector<value_type> entries_;
};

template <typename Key, typename Less = std::less<Key>>
class FlatSet {
 public:
  using const_iterator = typename std::vector<Key>::const_iterator;

  const_iterator begin() const { return keys_.begin(); }
  const_iterator end() const { return keys_.end(); }

  const_iterator lower_bound(const Key& key) const {
    if (keys_.empty() || Less{}(keys_.back(), key)) return keys_.end();
    if (!Less{}(key, keys_.back())) return keys_.end() - 1;
    return std::lower_bound(keys_.begin(), keys_.end(), key, Less{});
  }
  std::size_t count(const Key& key) const {
    const auto it = lower_bound(key);
    return it != end() && !Less{}(key, *it) ? 1 : 0;
  }
  bool insert(const Key& key) {
    const auto it = lower_bound(key);
    if (it != end() && !Less{}(key, *it)) return false;
    keys_.insert(it, key);
    return true;
  }
  const_iterator erase(const_iterator first, const_iterator last) { return keys_.erase(first, last); }

 private:
  std::vector<Key> keys_;
};

}  // namespace swarmcast
