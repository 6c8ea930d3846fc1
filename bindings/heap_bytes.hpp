// Bytes across the JS boundary in bulk: JS copies its Uint8Array into wasm memory it
// allocated (one memcpy) and passes (pointer, length); results go back as a fresh
// Uint8Array built from a view on the heap (one memcpy), never element by element.
#pragma once

#include <emscripten/val.h>

#include <cstdint>

#include "core/bytes.hpp"

namespace swarmcast::bindings {

inline ByteView bytes_at(std::uintptr_t pointer, std::size_t length) {
  return ByteView(reinterpret_cast<const Byte*>(pointer), length);
}

inline emscripten::val to_js(ByteView bytes) {
  return emscripten::val::global("Uint8Array")
      .new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

}  // namespace swarmcast::bindings
