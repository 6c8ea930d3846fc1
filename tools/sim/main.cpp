// npm run sim -- SCENARIO [--check]
// Runs tools/sim/scenarios/SCENARIO.json (or a path) and prints the metrics as JSON.
// With --check, exits 1 if any of the scenario's expect_min/expect_max bounds is missed.
#include <cstdio>
#include <exception>
#include <string>

#include "scenario.hpp"
#include "swarm_sim.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: swarm_sim SCENARIO.json [--check]\n");
    return 2;
  }
  const bool check = argc > 2 && std::string(argv[2]) == "--check";
  try {
    const swarmcast::sim::Scenario scenario = swarmcast::sim::load_scenario(argv[1]);
    swarmcast::sim::SwarmSim sim(scenario);
    const nlohmann::json result = sim.run();
    std::printf("%s\n", result.dump(2).c_str());
    if (!check) return 0;
    int missed = 0;
    for (const auto& [metric, bound] : scenario.expect_min)
      if (result.at(metric).get<double>() < bound) {
        std::fprintf(stderr, "%s: %s = %g, below %g\n", scenario.name.c_str(), metric.c_str(), result.at(metric).get<double>(), bound);
        ++missed;
      }
    for (const auto& [metric, bound] : scenario.expect_max)
      if (result.at(metric).get<double>() > bound) {
        std::fprintf(stderr, "%s: %s = %g, above %g\n", scenario.name.c_str(), metric.c_str(), result.at(metric).get<double>(), bound);
        ++missed;
      }
    return missed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "swarm_sim: %s\n", e.what());
    return 2;
  }
}
