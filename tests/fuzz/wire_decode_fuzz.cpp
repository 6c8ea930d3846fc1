// libFuzzer target for the wire decoder: any input is either refused with a typed
// error or decodes to a message whose encoding is exactly the input (one encoding per
// message, nothing dropped or invented). Build and run:
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     src/wire/*.cpp tests/fuzz/wire_decode_fuzz.cpp -o /tmp/wire_fuzz
//   /tmp/wire_fuzz -max_total_time=20
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "wire/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const swarmcast::ByteView input(data, size);
  const auto decoded = swarmcast::wire::decode(input);
  if (!decoded.ok()) return 0;
  const swarmcast::ByteVector again = swarmcast::wire::encode(decoded.value());
  if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
  return 0;
}
