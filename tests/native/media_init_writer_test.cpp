// The WebCodecs path's init segments, read back with libwebm's parser.
#include <gtest/gtest.h>

#include <vector>

#include "media/init_writer.hpp"
#include "media_mux_fixtures.hpp"
#include "webm/buffer_reader.h"
#include "webm/callback.h"
#include "webm/webm_parser.h"

namespace swarmcast::test {
namespace {

using media::MuxErrorCode;

struct ReadInit {
  std::string doc_type;
  bool segment_size_unknown = false;
  std::uint64_t timecode_scale = 0;
  std::string muxing_app;
  std::vector<webm::TrackEntry> tracks;
  bool parsed = false;
};

class InitReader final : public webm::Callback {
 public:
  ReadInit out;
  webm::Status OnEbml(const webm::ElementMetadata&, const webm::Ebml& ebml) override {
    out.doc_type = ebml.doc_type.value();
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnSegmentBegin(const webm::ElementMetadata& m, webm::Action* action) override {
    *action = webm::Action::kRead;
    out.segment_size_unknown = m.size == webm::kUnknownElementSize;
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnInfo(const webm::ElementMetadata&, const webm::Info& info) override {
    out.timecode_scale = info.timecode_scale.value();
    out.muxing_app = info.muxing_app.value();
    return webm::Status(webm::Status::kOkCompleted);
  }
  webm::Status OnTrackEntry(const webm::ElementMetadata&, const webm::TrackEntry& entry) override {
    out.tracks.push_back(entry);
    return webm::Status(webm::Status::kOkCompleted);
  }
};

ReadInit read_init(const ByteVector& bytes) {
  webm::BufferReader reader(bytes);
  InitReader callback;
  webm::WebmParser parser;
  const webm::Status status = parser.Feed(&callback, &reader);
  // The Segment's size is unknown: the parser waits for more at the end of the bytes.
  callback.out.parsed = status.completed_ok() || status.code == webm::Status::kEndOfFile;
  return callback.out;
}

media::InitSegment write(const media::RenditionSpec& spec, std::uint32_t epoch = 0) {
  auto init = media::write_init_segment(spec, Epoch{epoch});
  if (!init.ok()) throw std::runtime_error(init.error().detail);
  return std::move(init).value();
}

TEST(InitWriter, Vp8WithOpusParsesBackWithTheSpecsTracks) {
  const media::InitSegment init = write(vp8_rendition(640, 360), 3);
  EXPECT_EQ(init.epoch.value, 3u);
  EXPECT_EQ(init.mime_type, "video/webm; codecs=\"vp8,opus\"");
  EXPECT_EQ(init.video.codec_id, "V_VP8");
  EXPECT_EQ(init.audio.codec_id, "A_OPUS");
  EXPECT_EQ(init.audio.channels, 1u);

  const ReadInit read = read_init(init.bytes);
  ASSERT_TRUE(read.parsed);
  EXPECT_EQ(read.doc_type, "webm");
  EXPECT_TRUE(read.segment_size_unknown);
  EXPECT_EQ(read.timecode_scale, 1'000'000u);
  EXPECT_EQ(read.muxing_app, "swarmcast");
  ASSERT_EQ(read.tracks.size(), 2u);

  const webm::TrackEntry& video = read.tracks[0];
  EXPECT_EQ(video.track_number.value(), media::kVideoTrackNumber);
  EXPECT_EQ(video.track_uid.value(), media::kVideoTrackNumber);
  EXPECT_EQ(video.track_type.value(), webm::TrackType::kVideo);
  EXPECT_EQ(video.codec_id.value(), "V_VP8");
  EXPECT_EQ(video.video.value().pixel_width.value(), 640u);
  EXPECT_EQ(video.video.value().pixel_height.value(), 360u);
  EXPECT_FALSE(video.codec_private.is_present());

  const webm::TrackEntry& audio = read.tracks[1];
  EXPECT_EQ(audio.track_number.value(), media::kAudioTrackNumber);
  EXPECT_EQ(audio.track_uid.value(), media::kAudioTrackNumber);
  EXPECT_EQ(audio.track_type.value(), webm::TrackType::kAudio);
  EXPECT_EQ(audio.codec_id.value(), "A_OPUS");
  EXPECT_EQ(audio.audio.value().sampling_frequency.value(), 48000.0);
  EXPECT_EQ(audio.audio.value().channels.value(), 1u);
  EXPECT_EQ(audio.codec_private.value(), opus_head());
  EXPECT_EQ(audio.codec_delay.value(), 6'500'000u);  // 312 samples of pre-skip at 48 kHz
  EXPECT_EQ(audio.seek_pre_roll.value(), 80'000'000u);
}

TEST(InitWriter, Vp9VideoOnlyHasOneTrack) {
  media::RenditionSpec spec = vp8_rendition(320, 180, false);
  spec.video_codec = "V_VP9";
  const media::InitSegment init = write(spec);
  EXPECT_EQ(init.mime_type, "video/webm; codecs=\"vp9\"");
  EXPECT_TRUE(init.audio.codec_id.empty());
  const ReadInit read = read_init(init.bytes);
  ASSERT_TRUE(read.parsed);
  ASSERT_EQ(read.tracks.size(), 1u);
  EXPECT_EQ(read.tracks[0].codec_id.value(), "V_VP9");
  EXPECT_EQ(read.tracks[0].video.value().pixel_width.value(), 320u);
}

TEST(InitWriter, TheSameSpecGivesTheSameBytes) {
  // Signed and hashed: an init segment written again (a restart, another rendition of
  // the same size) must not change by libwebm's random track UIDs.
  EXPECT_EQ(write(vp8_rendition(640, 360)).bytes, write(vp8_rendition(640, 360)).bytes);
  EXPECT_NE(write(vp8_rendition(640, 360)).bytes, write(vp8_rendition(320, 180)).bytes);
}

TEST(InitWriter, TheOpusHeadsChannelsAndPreSkipAreChecked) {
  media::RenditionSpec stereo = vp8_rendition(640, 360);
  stereo.audio = media::AudioSpec{48000, 2, opus_head(2, 3840)};
  const ReadInit read = read_init(write(stereo).bytes);
  ASSERT_EQ(read.tracks.size(), 2u);
  EXPECT_EQ(read.tracks[1].audio.value().channels.value(), 2u);
  EXPECT_EQ(read.tracks[1].codec_delay.value(), 80'000'000u);
}

TEST(InitWriter, BadSpecsAreTypedFatalErrors) {
  auto expect_bad = [](media::RenditionSpec spec, const char* what) {
    auto init = media::write_init_segment(spec, Epoch{0});
    ASSERT_FALSE(init.ok()) << what;
    EXPECT_EQ(init.error().code, MuxErrorCode::kBadSpec) << what;
    EXPECT_TRUE(init.error().fatal) << what;
    EXPECT_FALSE(init.error().detail.empty()) << what;
  };
  media::RenditionSpec spec = vp8_rendition(640, 360);
  spec.video_codec = "V_AV1";
  expect_bad(spec, "codec without CodecPrivate support");
  spec.video_codec = "";
  expect_bad(spec, "no codec");
  expect_bad(vp8_rendition(0, 360), "zero width");
  expect_bad(vp8_rendition(640, 0), "zero height");
  expect_bad(vp8_rendition(20000, 360), "width above the limit");

  auto with_audio = [](std::uint32_t rate, std::uint32_t channels, ByteVector head) {
    media::RenditionSpec s = vp8_rendition(640, 360);
    s.audio = media::AudioSpec{rate, channels, std::move(head)};
    return s;
  };
  expect_bad(with_audio(0, 1, opus_head()), "zero sample rate");
  expect_bad(with_audio(48000, 0, opus_head()), "zero channels");
  expect_bad(with_audio(48000, 9, opus_head(9)), "too many channels");
  expect_bad(with_audio(48000, 2, opus_head(1)), "OpusHead for another channel count");
  expect_bad(with_audio(48000, 1, {}), "no OpusHead");
  ByteVector short_head = opus_head();
  short_head.resize(10);
  expect_bad(with_audio(48000, 1, short_head), "truncated OpusHead");
  ByteVector not_opus = opus_head();
  not_opus[0] = 'X';
  expect_bad(with_audio(48000, 1, not_opus), "not an OpusHead");
  expect_bad(with_audio(48000, 1, ByteVector(4096, 'O')), "huge codec private");
}

}  // namespace
}  // namespace swarmcast::test
