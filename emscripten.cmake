# Toolchain file for the WebAssembly build:
#   cmake -S . -B build/wasm -DCMAKE_TOOLCHAIN_FILE=emscripten.cmake
# Wraps Debian's Emscripten platform file and adds what Debian's emcc 3.1.6 needs here.
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

# emcc runs Node for its JS optimizer at link time and needs Debian's acorn.
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
set(CMAKE_CROSSCOMPILING_EMULATOR node)

# Measured with npm run bench: -O3 beats -O2 for libsodium's SHA-256 and Ed25519.
set(CMAKE_C_FLAGS_RELEASE "-O3 -DNDEBUG" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "-O3 -DNDEBUG" CACHE STRING "" FORCE)
