// Embind wrapper of media::FrameMuxer (WebCodecs frames in, chunk and error events out
// as plain objects) and of media::RenditionAlignment.
#include <emscripten/bind.h>

#include <cmath>
#include <optional>

#include "heap_bytes.hpp"
#include "media/frame_muxer.hpp"
#include "media/rendition_alignment.hpp"
#include "media_events.hpp"

namespace swarmcast::bindings {
namespace {

using emscripten::val;

// JS numbers carry the timestamps; one that is not a finite number of µs within int64
// becomes -1, which the muxer refuses as out of range.
std::int64_t to_timestamp_us(double us) {
  if (!std::isfinite(us) || us < 0 || us >= 9.2e18) return -1;
  return static_cast<std::int64_t>(std::floor(us));
}

// A count or chunk number from JS: a whole number a double holds exactly, else nullopt.
std::optional<std::uint64_t> whole_number(double value) {
  if (!std::isfinite(value) || value < 0 || value > 9007199254740992.0) return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

val events_to_js(const std::vector<media::MuxEvent>& events) {
  val out = val::array();
  for (const media::MuxEvent& event : events) {
    if (const auto* chunk = std::get_if<media::MediaChunk>(&event)) {
      out.call<void>("push", chunk_to_js(*chunk));
    } else {
      out.call<void>("push", mux_error_to_js(std::get<media::MuxError>(event)));
    }
  }
  return out;
}

class FrameMuxerBinding {
 public:
  // The OpusHead lies at (opus_head, opus_head_length); no audio track when channels is 0.
  FrameMuxerBinding(std::string video_codec, std::uint32_t width, std::uint32_t height, std::uint32_t sample_rate,
                    std::uint32_t channels, std::uintptr_t opus_head, std::size_t opus_head_length, std::uint32_t epoch,
                    double first_seq, std::uint32_t max_frame_bytes, std::uint32_t max_chunk_bytes) {
    media::RenditionSpec spec{std::move(video_codec), width, height, std::nullopt};
    if (channels > 0) {
      const ByteView head = bytes_at(opus_head, opus_head_length);
      spec.audio = media::AudioSpec{sample_rate, channels, ByteVector(head.begin(), head.end())};
    }
    const media::MuxerConfig config{Epoch{epoch}, ChunkSeq{whole_number(first_seq).value_or(0)}, max_frame_bytes,
                                    max_chunk_bytes};
    auto muxer = media::FrameMuxer::create(spec, config);
    if (muxer.ok()) {
      muxer_.emplace(std::move(muxer).value());
    } else {
      error_ = muxer.error();
    }
  }

  // null, or the error that made the spec unusable (then every other call is inert).
  val error() const { return error_ ? mux_error_to_js(*error_) : val::null(); }
  val init() const { return muxer_ ? init_to_js(muxer_->init_segment()) : val::null(); }

  val push(bool audio, double timestamp_us, bool keyframe, bool chunk_boundary, std::uintptr_t pointer,
           std::size_t length) {
    if (!muxer_) return val::array();
    const media::EncodedFrame frame{audio ? media::FrameTrack::kAudio : media::FrameTrack::kVideo,
                                    to_timestamp_us(timestamp_us), keyframe, chunk_boundary, bytes_at(pointer, length)};
    return events_to_js(muxer_->push(frame));
  }
  val finish() { return muxer_ ? events_to_js(muxer_->finish()) : val::array(); }
  val appended() const { return to_js(muxer_ ? muxer_->appended() : ByteView{}); }
  double dropped_frames() const { return muxer_ ? static_cast<double>(muxer_->dropped_frames()) : 0; }

 private:
  std::optional<media::FrameMuxer> muxer_;
  std::optional<media::MuxError> error_;
};

class RenditionAlignmentBinding {
 public:
  RenditionAlignmentBinding(double tolerance_ms, std::uint32_t window)
      : alignment_(static_cast<std::int64_t>(whole_number(tolerance_ms).value_or(0)), window) {}
  // null when chunk `seq` of `rendition` starts with the others, else a misaligned error.
  val check(std::uint32_t rendition, double seq, double start_ms) {
    const std::optional<std::uint64_t> number = whole_number(seq), start = whole_number(start_ms);
    if (!number || !start)
      return mux_error_to_js({media::MuxErrorCode::kMisaligned, "chunk number or start is not a whole number", false});
    const auto result = alignment_.check(rendition, ChunkSeq{*number}, TimeMs{static_cast<std::int64_t>(*start)});
    return result.ok() ? val::null() : mux_error_to_js(result.error());
  }

 private:
  media::RenditionAlignment alignment_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_frame_muxer) {
  emscripten::class_<FrameMuxerBinding>("FrameMuxer")
      .constructor<std::string, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, std::uintptr_t, std::size_t,
                   std::uint32_t, double, std::uint32_t, std::uint32_t>()
      .function("error", &FrameMuxerBinding::error)
      .function("init", &FrameMuxerBinding::init)
      .function("push", &FrameMuxerBinding::push)
      .function("finish", &FrameMuxerBinding::finish)
      .function("appended", &FrameMuxerBinding::appended)
      .function("droppedFrames", &FrameMuxerBinding::dropped_frames);
  emscripten::class_<RenditionAlignmentBinding>("RenditionAlignment")
      .constructor<double, std::uint32_t>()
      .function("check", &RenditionAlignmentBinding::check);
}

}  // namespace swarmcast::bindings
