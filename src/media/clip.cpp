#include "media/clip.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "media/init_segment.hpp"
#include "webm/buffer_reader.h"
#include "webm/callback.h"
#include "webm/webm_parser.h"

namespace swarmcast::media {
namespace {

constexpr webm::Status kContinue{webm::Status::kOkCompleted};
// Block times are reckoned only below this (no stream comes near), so they never overflow.
constexpr std::uint64_t kLatestTimecode = 1ull << 62;

struct ClusterSeen {
  std::uint64_t begin = 0;
  ByteRange timecode;                 // where its Timecode value sits
  std::uint64_t timecode_value = 0;
  std::optional<std::int64_t> first_block;  // the earliest block time in it
  std::optional<bool> first_video_keyframe;
};

// Where each Cluster and its Timecode value sit, when its earliest block plays, whether
// its first video frame is a keyframe, and where a cluster of known size must end (a
// clip that stops inside one is truncated, not merely at the end of its clusters).
class ClusterFinder final : public webm::Callback {
 public:
  explicit ClusterFinder(const webm::Reader& reader) : reader_(reader) {}

  std::vector<ClusterSeen> clusters;
  std::uint64_t video_track = 0;
  std::uint64_t known_cluster_end = 0;
  std::optional<ClipError> error;

  webm::Status OnElementBegin(const webm::ElementMetadata& m, webm::Action* action) override {
    *action = webm::Action::kRead;
    // As in the segmenter: the reader has just consumed the element's header, which
    // places it exactly even where libwebm's cached metadata does not.
    const std::uint64_t begin = reader_.Position() - m.header_size;
    if (m.id == webm::Id::kCluster) {
      if (m.size != webm::kUnknownElementSize) known_cluster_end = begin + m.header_size + m.size;
      clusters.emplace_back().begin = begin;
    }
    if (m.id == webm::Id::kTimecode && !clusters.empty()) {
      if (m.size == 0 || m.size > 8) return stop(begin, "a Cluster Timecode of " + std::to_string(m.size) + " bytes");
      clusters.back().timecode = ByteRange{begin + m.header_size, begin + m.header_size + m.size};
    }
    return kContinue;
  }

  webm::Status OnTrackEntry(const webm::ElementMetadata&, const webm::TrackEntry& entry) override {
    if (entry.track_type.value() == webm::TrackType::kVideo && video_track == 0) video_track = entry.track_number.value();
    return kContinue;
  }

  webm::Status OnClusterBegin(const webm::ElementMetadata&, const webm::Cluster& cluster, webm::Action* action) override {
    *action = webm::Action::kRead;
    if (!clusters.empty()) clusters.back().timecode_value = cluster.timecode.value();
    return kContinue;
  }

  // The frames themselves are passed over unread.
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock& block, webm::Action* action) override {
    *action = webm::Action::kSkip;
    seen(block.track_number, block.timecode, block.is_key_frame);
    return kContinue;
  }
  webm::Status OnBlockGroupEnd(const webm::ElementMetadata&, const webm::BlockGroup& group) override {
    if (group.block.is_present())
      seen(group.block.value().track_number, group.block.value().timecode, group.references.empty());
    return kContinue;
  }

 private:
  void seen(std::uint64_t track, std::int16_t relative, bool keyframe) {
    if (clusters.empty()) return;
    ClusterSeen& c = clusters.back();
    if (c.timecode_value <= kLatestTimecode) {
      const std::int64_t time = static_cast<std::int64_t>(c.timecode_value) + relative;
      c.first_block = std::min(c.first_block.value_or(time), time);
    }
    if (track == video_track && !c.first_video_keyframe) c.first_video_keyframe = keyframe;
  }

  webm::Status stop(std::uint64_t position, std::string detail) {
    error = ClipError{position, std::move(detail)};
    return webm::Status{1};  // libwebm leaves codes above 0 to its callers
  }

  const webm::Reader& reader_;
};

std::uint64_t read_uint(ByteView bytes) {
  std::uint64_t value = 0;
  for (Byte b : bytes) value = (value << 8) | b;
  return value;
}

void write_uint(std::span<Byte> bytes, std::uint64_t value) {
  for (std::size_t i = bytes.size(); i-- > 0; value >>= 8) bytes[i] = static_cast<Byte>(value & 0xff);
}

}  // namespace

Result<ByteVector, ClipError> make_clip(ByteView init, ByteView clusters) {
  ByteVector file(init.begin(), init.end());
  file.insert(file.end(), clusters.begin(), clusters.end());
  webm::BufferReader reader(file);  // reads its own copy: `file` is rewritten below
  ClusterFinder finder(reader);
  webm::WebmParser parser;
  const webm::Status status = parser.Feed(&finder, &reader);
  if (finder.error) return Failure{*finder.error};
  // The stream's Segment has an unknown size: its end is where the bytes end.
  if (!status.completed_ok() && status.code != webm::Status::kEndOfFile)
    return Failure{ClipError{reader.Position(), "not WebM (libwebm status " + std::to_string(status.code) + ")"}};
  if (finder.known_cluster_end > file.size())
    return Failure{ClipError{file.size(), "the last cluster is cut short"}};
  if (finder.clusters.empty() || finder.clusters.front().begin < init.size())
    return Failure{ClipError{init.size(), "no cluster after the init segment"}};
  for (const ClusterSeen& c : finder.clusters)
    if (c.timecode.end == 0) return Failure{ClipError{c.begin, "a Cluster without a Timecode"}};

  // A clip starts at a video keyframe: chunks cut by duration before it (sparse
  // keyframes) would decode as garbage until the next one.
  const auto first = finder.video_track == 0
                         ? finder.clusters.begin()
                         : std::find_if(finder.clusters.begin(), finder.clusters.end(),
                                        [](const ClusterSeen& c) { return c.first_video_keyframe.value_or(false); });
  if (first == finder.clusters.end()) return Failure{ClipError{init.size(), "no video keyframe to start the clip at"}};

  // The timeline starts at 0 at the first cluster's earliest block: audio muxed after
  // the keyframe but timed before it would otherwise fall before 0.
  const auto value_at = [&](const ByteRange& r) { return std::span<Byte>(file).subspan(r.begin, r.end - r.begin); };
  std::uint64_t origin = first->timecode_value;
  if (first->first_block) origin = std::min(origin, static_cast<std::uint64_t>(std::max<std::int64_t>(*first->first_block, 0)));
  for (auto c = first; c != finder.clusters.end(); ++c) {
    const std::uint64_t timecode = read_uint(value_at(c->timecode));
    if (timecode < origin) return Failure{ClipError{c->timecode.begin, "a cluster earlier than the clip's first"}};
    write_uint(value_at(c->timecode), timecode - origin);
  }
  file.erase(file.begin() + static_cast<std::ptrdiff_t>(init.size()),
             file.begin() + static_cast<std::ptrdiff_t>(first->begin));
  return file;
}

}  // namespace swarmcast::media
