// The simulator's schedules give the order the old heap-and-scan loop gave: by time,
// then by send order; the staggered timers plus whoever heard, ascending.
#include <gtest/gtest.h>

#include <string>

#include "event_loop.hpp"

namespace swarmcast::sim {
namespace {

std::string drain(Calendar<std::string>& calendar, std::int64_t now) {
  std::string out;
  calendar.pop_until(now, [&](std::string& item) { out += item; });
  return out;
}

TEST(Calendar, DeliversByTimeThenPushOrder) {
  Calendar<std::string> calendar;
  calendar.push(30, "c");
  calendar.push(10, "a");
  calendar.push(30, "d");
  calendar.push(20, "b");
  EXPECT_EQ(drain(calendar, 9), "");
  EXPECT_EQ(drain(calendar, 20), "ab");
  EXPECT_EQ(drain(calendar, 100), "cd");
  EXPECT_EQ(calendar.size(), 0u);
}

TEST(Calendar, GrowsForFarItemsAndKeepsPendingOnes) {
  Calendar<std::string> calendar;
  calendar.push(500, "a");
  calendar.push(5000, "c");  // beyond the first ring
  calendar.push(1500, "b");
  EXPECT_EQ(drain(calendar, 1000), "a");
  EXPECT_EQ(drain(calendar, 4999), "b");
  calendar.push(4999 + 70'000, "d");
  EXPECT_EQ(drain(calendar, 5000), "c");
  EXPECT_EQ(drain(calendar, 80'000), "d");
}

TEST(Calendar, ItemsPushedWhileDeliveringComeLater) {
  Calendar<std::string> calendar;
  calendar.push(10, "a");
  std::string out;
  calendar.pop_until(10, [&](std::string& item) {
    out += item;
    calendar.push(10, "b");  // due now, but delivered from the next ms
  });
  EXPECT_EQ(out, "a");
  EXPECT_EQ(drain(calendar, 11), "b");
}

TEST(TickSchedule, StaggeredTimersPlusWhoHeardAscending) {
  TickSchedule ticks(10, 50);  // five phases
  // Step 0: nodes 0, 5, 10; step 1 (10 ms): nodes 4, 9.
  EXPECT_EQ(ticks.due(0, 12), (std::vector<std::size_t>{0, 5, 10}));
  ticks.heard(7);
  ticks.heard(4);
  ticks.heard(11);
  ticks.heard(7);
  EXPECT_EQ(ticks.due(10, 12), (std::vector<std::size_t>{4, 7, 9, 11}));
  EXPECT_EQ(ticks.due(20, 12), (std::vector<std::size_t>{3, 8}));  // who heard is forgotten
}

}  // namespace
}  // namespace swarmcast::sim
