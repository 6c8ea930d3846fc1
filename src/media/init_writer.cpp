#include "media/init_writer.hpp"

#include <memory>

#include "common/webmids.h"
#include "media/byte_vector_writer.hpp"
#include "media/init_segment.hpp"
#include "mkvmuxer/mkvmuxerutil.h"

namespace swarmcast::media {
namespace {

constexpr char kApp[] = "swarmcast";
// Opus decoders need this much audio before a seek point to converge (WebM's Opus
// mapping: 80 ms).
constexpr std::uint64_t kOpusSeekPreRollNs = 80'000'000;
constexpr std::size_t kOpusHeadBytes = 19;  // version 1, channel mapping family 0

Failure<MuxError> bad_spec(std::string detail) { return Failure{MuxError{MuxErrorCode::kBadSpec, std::move(detail), true}}; }

bool valid_dimension(std::uint32_t size) { return size > 0 && size <= kMaxVideoDimension; }

// OpusHead (RFC 7845 §5.1): "OpusHead", version, channels, pre-skip (LE16), input rate
// (LE32), gain, mapping family. Its pre-skip in ns, or nullopt when it is no OpusHead
// for `channels`.
std::optional<std::uint64_t> opus_pre_skip_ns(ByteView head, std::uint32_t channels) {
  static constexpr char kMagic[] = "OpusHead";
  if (head.size() < kOpusHeadBytes || head.size() > kMaxCodecPrivateBytes) return std::nullopt;
  for (std::size_t i = 0; i < 8; ++i)
    if (head[i] != static_cast<Byte>(kMagic[i])) return std::nullopt;
  if (head[9] != channels) return std::nullopt;
  const std::uint32_t pre_skip_samples = head[10] | (head[11] << 8);
  // Opus always decodes at 48 kHz, whatever the input rate the header mentions.
  return std::uint64_t{pre_skip_samples} * 1'000'000'000 / 48'000;
}

}  // namespace

Result<InitSegment, MuxError> write_init_segment(const RenditionSpec& spec, Epoch epoch) {
  const bool vp9 = spec.video_codec == mkvmuxer::Tracks::kVp9CodecId;
  if (!vp9 && spec.video_codec != mkvmuxer::Tracks::kVp8CodecId)
    return bad_spec("video codec '" + spec.video_codec + "' (V_VP8 or V_VP9)");
  if (!valid_dimension(spec.width) || !valid_dimension(spec.height))
    return bad_spec("video size " + std::to_string(spec.width) + "x" + std::to_string(spec.height));
  std::optional<std::uint64_t> codec_delay_ns;
  if (spec.audio) {
    const AudioSpec& audio = *spec.audio;
    if (audio.sample_rate == 0 || audio.sample_rate > 192'000) return bad_spec("audio sample rate " + std::to_string(audio.sample_rate));
    if (audio.channels == 0 || audio.channels > kMaxAudioChannels) return bad_spec("audio channels " + std::to_string(audio.channels));
    codec_delay_ns = opus_pre_skip_ns(audio.codec_private, audio.channels);
    if (!codec_delay_ns) return bad_spec("audio codec private is not an OpusHead for " + std::to_string(audio.channels) + " channel(s)");
  }

  // Tracks owns the tracks added to it; the seed only feeds the random UIDs replaced below.
  unsigned int seed = 0;
  mkvmuxer::Tracks tracks;
  auto video = std::make_unique<mkvmuxer::VideoTrack>(&seed);
  video->set_type(mkvmuxer::Tracks::kVideo);
  video->set_codec_id(vp9 ? mkvmuxer::Tracks::kVp9CodecId : mkvmuxer::Tracks::kVp8CodecId);
  video->set_width(spec.width);
  video->set_height(spec.height);
  video->set_uid(kVideoTrackNumber);
  bool ok = tracks.AddTrack(video.get(), kVideoTrackNumber);
  if (ok) video.release();
  if (ok && spec.audio) {
    auto audio = std::make_unique<mkvmuxer::AudioTrack>(&seed);
    audio->set_type(mkvmuxer::Tracks::kAudio);
    audio->set_codec_id(mkvmuxer::Tracks::kOpusCodecId);
    audio->set_sample_rate(spec.audio->sample_rate);
    audio->set_channels(spec.audio->channels);
    audio->set_uid(kAudioTrackNumber);
    audio->set_codec_delay(*codec_delay_ns);
    audio->set_seek_pre_roll(kOpusSeekPreRollNs);
    ok = audio->SetCodecPrivate(spec.audio->codec_private.data(), spec.audio->codec_private.size()) &&
         tracks.AddTrack(audio.get(), kAudioTrackNumber);
    if (ok) audio.release();
  }

  InitSegment init;
  init.epoch = epoch;
  init.video = TrackInfo{spec.video_codec, spec.width, spec.height, 0, 0};
  if (spec.audio) init.audio = TrackInfo{mkvmuxer::Tracks::kOpusCodecId, 0, 0, spec.audio->sample_rate, spec.audio->channels};
  init.mime_type = mime_type_for(init.video, init.audio);

  ByteVectorWriter writer(init.bytes);
  mkvmuxer::SegmentInfo info;
  ok = ok && info.Init();
  info.set_timecode_scale(1'000'000);
  info.set_muxing_app(kApp);
  info.set_writing_app(kApp);
  ok = ok && mkvmuxer::WriteEbmlHeader(&writer, 4, "webm") && mkvmuxer::WriteID(&writer, libwebm::kMkvSegment) == 0 &&
       mkvmuxer::SerializeInt(&writer, mkvmuxer::kEbmlUnknownValue, 8) == 0 && info.Write(&writer) && tracks.Write(&writer);
  // Memory writes do not fail and the spec was checked above: only an allocation can.
  if (!ok) return Failure{MuxError{MuxErrorCode::kBadSpec, "the muxer could not write the init segment", true}};
  return init;
}

}  // namespace swarmcast::media
