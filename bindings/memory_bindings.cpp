// How much of the wasm heap the core's allocations hold. The heap's size (the memory's
// byteLength) only ever grows, in steps, and only once malloc runs out of room, so a
// slow leak stays invisible there for a long time; malloc's own count is not
// (`npm run soak` samples both).
#include <emscripten/bind.h>
#include <malloc.h>

namespace swarmcast::bindings {
namespace {

// Bytes malloc has handed out and not had back.
double heap_bytes_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_memory) {
  emscripten::function("heapBytesInUse", &heap_bytes_in_use);
}

}  // namespace swarmcast::bindings
