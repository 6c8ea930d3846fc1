# Toolchain file for the WebAssembly build:
#   cmake -S . -B build/wasm -DCMAKE_TOOLCHAIN_FILE=emscripten.cmake
# Wraps Debian's Emscripten platform file and adds what Debian's emcc 3.1.6 needs here.
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

# emcc runs Node for its JS optimizer at link time and needs Debian's acorn. Closure
# (bindings/ links with --closure 1) is npm's google-closure-compiler, pinned in
# package.json to the release Emscripten 3.1.6 was made with: Debian's emcc looks for a
# closure-compiler that Debian ships only in a version too old to run.
set(SWARMCAST_CLOSURE_COMPILER "${CMAKE_CURRENT_LIST_DIR}/node_modules/.bin/google-closure-compiler")
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs
    EM_CLOSURE_COMPILER=${SWARMCAST_CLOSURE_COMPILER})
set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs
    EM_CLOSURE_COMPILER=${SWARMCAST_CLOSURE_COMPILER})
set(CMAKE_CROSSCOMPILING_EMULATOR node)

# Measured with npm run bench: -O3 beats -O2 for libsodium's SHA-256 and Ed25519, and
# -Os/-Oz on the core make the engine and scheduler ticks 3-10 times slower. The bytes
# come off elsewhere: link-time optimization across the core, libwebm and the bindings,
# and (src/, bindings/ and libwebm's targets) no RTTI or exception tables.
set(CMAKE_C_FLAGS_RELEASE "-O3 -flto -DNDEBUG" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "-O3 -flto -DNDEBUG" CACHE STRING "" FORCE)
