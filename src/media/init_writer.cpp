#include "media/init_writer.hpp"

#include <optional>
#include <string>

#include "common/webmids.h"
#include "media/byte_vector_writer.hpp"
#include "media/init_segment.hpp"
#include "mkvmuxer/mkvmuxerutil.h"

namespace swarmcast::media {
namespace {

constexpr char kApp[] = "swarmcast";
// Opus decoders need this much audio before a seek point to converge (WebM's Opus
// mapping: 80 ms).
constexpr mkvmuxer::uint64 kOpusSeekPreRollNs = 80'000'000;
constexpr std::size_t kOpusHeadBytes = 19;  // version 1, channel mapping family 0
constexpr mkvmuxer::uint64 kTimecodeScaleNs = 1'000'000;  // block times in ms

struct OpusPrivate {
  const ByteVector& head;
  mkvmuxer::uint64 codec_delay_ns = 0;
};

// A TrackEntry: number, UID (the number), type, codec, the Video or Audio settings and,
// for Opus, its CodecPrivate, CodecDelay and SeekPreRoll.
ByteVector track_entry(mkvmuxer::uint64 number, mkvmuxer::uint64 type, const std::string& codec_id,
                       mkvmuxer::uint64 settings_id, const ByteVector& settings, std::optional<OpusPrivate> opus = std::nullopt) {
  ByteVector body;
  ByteVectorWriter writer(body);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTrackNumber, number);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTrackUID, number);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTrackType, type);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvCodecID, codec_id.c_str());
  if (opus) {
    mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvCodecPrivate, opus->head.data(), opus->head.size());
    mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvCodecDelay, opus->codec_delay_ns);
    mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvSeekPreRoll, kOpusSeekPreRollNs);
  }
  mkvmuxer::WriteEbmlMasterElement(&writer, settings_id, settings.size());
  writer.write(settings);

  ByteVector entry;
  ByteVectorWriter entry_writer(entry);
  mkvmuxer::WriteEbmlMasterElement(&entry_writer, libwebm::kMkvTrackEntry, body.size());
  entry_writer.write(body);
  return entry;
}

Failure<MuxError> bad_spec(std::string detail) {
  return Failure{MuxError{MuxErrorCode::kBadSpec, std::move(detail), true}};
}

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
    if (audio.sample_rate == 0 || audio.sample_rate > 192'000)
      return bad_spec("audio sample rate " + std::to_string(audio.sample_rate));
    if (audio.channels == 0 || audio.channels > kMaxAudioChannels)
      return bad_spec("audio channels " + std::to_string(audio.channels));
    codec_delay_ns = opus_pre_skip_ns(audio.codec_private, audio.channels);
    if (!codec_delay_ns)
      return bad_spec("audio codec private is not an OpusHead for " + std::to_string(audio.channels) + " channel(s)");
  }

  InitSegment init;
  init.epoch = epoch;
  init.video = TrackInfo{spec.video_codec, spec.width, spec.height, 0, 0};
  if (spec.audio)
    init.audio = TrackInfo{mkvmuxer::Tracks::kOpusCodecId, 0, 0, spec.audio->sample_rate, spec.audio->channels};
  init.mime_type = mime_type_for(init.video, init.audio);

  // Writing to memory cannot fail, and the spec was checked above: the element writers'
  // statuses carry nothing to act on.
  ByteVector video_settings;
  ByteVectorWriter settings(video_settings);
  mkvmuxer::WriteEbmlElement(&settings, libwebm::kMkvPixelWidth, mkvmuxer::uint64{spec.width});
  mkvmuxer::WriteEbmlElement(&settings, libwebm::kMkvPixelHeight, mkvmuxer::uint64{spec.height});
  ByteVector entries = track_entry(kVideoTrackNumber, mkvmuxer::Tracks::kVideo, init.video.codec_id, libwebm::kMkvVideo,
                                   video_settings);
  if (spec.audio) {
    ByteVector audio_settings;
    ByteVectorWriter audio_writer(audio_settings);
    mkvmuxer::WriteEbmlElement(&audio_writer, libwebm::kMkvSamplingFrequency, static_cast<float>(spec.audio->sample_rate));
    mkvmuxer::WriteEbmlElement(&audio_writer, libwebm::kMkvChannels, mkvmuxer::uint64{spec.audio->channels});
    const ByteVector audio = track_entry(kAudioTrackNumber, mkvmuxer::Tracks::kAudio, init.audio.codec_id,
                                         libwebm::kMkvAudio, audio_settings,
                                         OpusPrivate{spec.audio->codec_private, *codec_delay_ns});
    entries.insert(entries.end(), audio.begin(), audio.end());
  }

  ByteVectorWriter writer(init.bytes);
  mkvmuxer::WriteEbmlHeader(&writer, 4, "webm");
  // A live Segment: its size is unknown, so it never needs rewriting.
  mkvmuxer::WriteID(&writer, libwebm::kMkvSegment);
  mkvmuxer::SerializeInt(&writer, static_cast<mkvmuxer::int64>(mkvmuxer::kEbmlUnknownValue), 8);
  const mkvmuxer::uint64 info_size = mkvmuxer::EbmlElementSize(libwebm::kMkvTimecodeScale, kTimecodeScaleNs) +
                                     mkvmuxer::EbmlElementSize(libwebm::kMkvMuxingApp, kApp) +
                                     mkvmuxer::EbmlElementSize(libwebm::kMkvWritingApp, kApp);
  mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvInfo, info_size);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTimecodeScale, kTimecodeScaleNs);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvMuxingApp, kApp);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvWritingApp, kApp);
  mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvTracks, entries.size());
  writer.write(entries);
  return init;
}

}  // namespace swarmcast::media
