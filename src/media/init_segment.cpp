#include "media/init_segment.hpp"

#include <array>
#include <cmath>

#include "media/stream_buffer.hpp"

namespace swarmcast::media {
namespace {

// Segment ID followed by the 8-byte "unknown size" EBML length.
constexpr std::array<Byte, 12> kLiveSegmentHeader{0x18, 0x53, 0x80, 0x67, 0x01, 0xFF,
                                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

std::string codec_short_name(const std::string& codec_id) {
  if (codec_id == "V_VP8") return "vp8";
  if (codec_id == "V_VP9") return "vp9";
  if (codec_id == "V_AV1") return "av01";
  if (codec_id == "A_OPUS") return "opus";
  if (codec_id == "A_VORBIS") return "vorbis";
  return codec_id;
}

void append(ByteVector& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

}  // namespace

void HeaderParts::add_track(const webm::TrackEntry& entry) {
  const std::uint64_t number = entry.track_number.value();
  if (number == 0) return;
  const webm::TrackType type = entry.track_type.value();
  if (type == webm::TrackType::kVideo && !has_video()) {
    video_track = number;
    video.codec_id = entry.codec_id.value();
    video.width = static_cast<std::uint32_t>(entry.video.value().pixel_width.value());
    video.height = static_cast<std::uint32_t>(entry.video.value().pixel_height.value());
  } else if (type == webm::TrackType::kAudio && !has_audio()) {
    audio_track = number;
    audio.codec_id = entry.codec_id.value();
    audio.sample_rate = static_cast<std::uint32_t>(entry.audio.value().sampling_frequency.value());
    audio.channels = static_cast<std::uint32_t>(entry.audio.value().channels.value());
  }
}

std::int64_t HeaderParts::to_ms(std::int64_t timecode) const {
  return std::llround(static_cast<double>(timecode) * (static_cast<double>(timecode_scale_ns) / 1e6));
}

std::string mime_type_for(const TrackInfo& video, const TrackInfo& audio) {
  std::string codecs;
  for (const TrackInfo* track : {&video, &audio}) {
    if (track->codec_id.empty()) continue;
    if (!codecs.empty()) codecs += ',';
    codecs += codec_short_name(track->codec_id);
  }
  return std::string(video.codec_id.empty() ? "audio" : "video") + "/webm; codecs=\"" + codecs + "\"";
}

InitSegment build_init_segment(const HeaderParts& header, Epoch epoch, const StreamBuffer& buffer) {
  InitSegment init;
  init.epoch = epoch;
  init.video = header.video;
  init.audio = header.audio;
  init.mime_type = mime_type_for(header.video, header.audio);
  append(init.bytes, buffer.view(header.ebml.begin, header.ebml.end));
  append(init.bytes, kLiveSegmentHeader);
  append(init.bytes, buffer.view(header.info->begin, header.info->end));
  append(init.bytes, buffer.view(header.tracks->begin, header.tracks->end));
  return init;
}

}  // namespace swarmcast::media
