// A verified rendition list as the JS object both the verifier and the engine hand
// out: { revision, firstSeq, renditions: [{ id, width, height, bitrate,
// frameRateMilli, codecs }] } (RenditionFields in swarmcast.d.mts), highest bitrate first.
#pragma once

#include <emscripten/val.h>

#include "trust/rendition_ladder.hpp"

namespace swarmcast::bindings {

inline emscripten::val ladder_to_js(const trust::RenditionLadder& ladder) {
  using emscripten::val;
  val out = val::object();
  out.set("revision", ladder.revision);
  out.set("firstSeq", static_cast<double>(ladder.first_seq.value));
  val renditions = val::array();
  for (const trust::Rendition& r : ladder.renditions) {
    val entry = val::object();
    entry.set("id", r.id.value);
    entry.set("width", r.width);
    entry.set("height", r.height);
    entry.set("bitrate", r.bitrate_bps);
    entry.set("frameRateMilli", r.frame_rate_milli);
    entry.set("codecs", r.codecs);
    renditions.call<void>("push", entry);
  }
  out.set("renditions", renditions);
  return out;
}

}  // namespace swarmcast::bindings
