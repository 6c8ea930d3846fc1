#include "media/clip.hpp"

#include <vector>

#include "media/init_segment.hpp"
#include "webm/buffer_reader.h"
#include "webm/callback.h"
#include "webm/webm_parser.h"

namespace swarmcast::media {
namespace {

constexpr webm::Status kContinue{webm::Status::kOkCompleted};

// Where each Cluster's Timecode value sits, and where a cluster of known size must end
// (a clip that stops inside one is truncated, not merely at the end of its clusters).
class TimecodeFinder final : public webm::Callback {
 public:
  explicit TimecodeFinder(const webm::Reader& reader) : reader_(reader) {}

  std::vector<ByteRange> timecodes;
  std::uint64_t known_cluster_end = 0;
  std::optional<ClipError> error;

  webm::Status OnElementBegin(const webm::ElementMetadata& m, webm::Action* action) override {
    *action = webm::Action::kRead;
    // As in the segmenter: the reader has just consumed the element's header, which
    // places it exactly even where libwebm's cached metadata does not.
    const std::uint64_t begin = reader_.Position() - m.header_size;
    if (m.id == webm::Id::kCluster && m.size != webm::kUnknownElementSize)
      known_cluster_end = begin + m.header_size + m.size;
    if (m.id == webm::Id::kTimecode) {
      if (m.size == 0 || m.size > 8) return stop(begin, "a Cluster Timecode of " + std::to_string(m.size) + " bytes");
      timecodes.push_back(ByteRange{begin + m.header_size, begin + m.header_size + m.size});
    }
    return kContinue;
  }

  // Only the clusters' own Timecode matters: the frames are passed over unread.
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock&, webm::Action* action) override {
    *action = webm::Action::kSkip;
    return kContinue;
  }
  webm::Status OnBlockGroupBegin(const webm::ElementMetadata&, webm::Action* action) override {
    *action = webm::Action::kSkip;
    return kContinue;
  }

 private:
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
  TimecodeFinder finder(reader);
  webm::WebmParser parser;
  const webm::Status status = parser.Feed(&finder, &reader);
  if (finder.error) return Failure{*finder.error};
  // The stream's Segment has an unknown size: its end is where the bytes end.
  if (!status.completed_ok() && status.code != webm::Status::kEndOfFile)
    return Failure{ClipError{reader.Position(), "not WebM (libwebm status " + std::to_string(status.code) + ")"}};
  if (finder.known_cluster_end > file.size())
    return Failure{ClipError{file.size(), "the last cluster is cut short"}};
  if (finder.timecodes.empty() || finder.timecodes.front().begin < init.size())
    return Failure{ClipError{init.size(), "no cluster after the init segment"}};

  const auto value_at = [&](const ByteRange& r) { return std::span<Byte>(file).subspan(r.begin, r.end - r.begin); };
  const std::uint64_t first = read_uint(value_at(finder.timecodes.front()));
  for (const ByteRange& r : finder.timecodes) {
    const std::uint64_t timecode = read_uint(value_at(r));
    if (timecode < first) return Failure{ClipError{r.begin, "a cluster earlier than the clip's first"}};
    write_uint(value_at(r), timecode - first);
  }
  return file;
}

}  // namespace swarmcast::media
