#include "media/webm_segmenter.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "media/init_segment.hpp"
#include "media/stream_buffer.hpp"
#include "webm/callback.h"
#include "webm/webm_parser.h"

namespace swarmcast::media {
namespace {

constexpr webm::Status kContinue{webm::Status::kOkCompleted};
// Our own stop code: libwebm reserves codes <= 0 and asks callers to use > 0.
constexpr webm::Status kStopForError{1};
constexpr std::array<Byte, 4> kEbmlMagic{0x1A, 0x45, 0xDF, 0xA3};

std::string describe(webm::Status status) {
  switch (status.code) {
    case webm::Status::kInvalidElementId: return "invalid element id";
    case webm::Status::kInvalidElementSize: return "invalid element size";
    case webm::Status::kIndefiniteUnknownElement: return "unknown element of unknown size";
    case webm::Status::kElementOverflow: return "a child element overflows its parent";
    case webm::Status::kNotEnoughMemory: return "element too large for memory";
    case webm::Status::kInvalidElementValue: return "invalid element value";
    case webm::Status::kExceededRecursionDepthLimit: return "elements nested too deeply";
    default: return "libwebm status " + std::to_string(status.code);
  }
}

bool known(std::uint64_t size) { return size != webm::kUnknownElementSize; }
std::uint64_t end_of(const webm::ElementMetadata& m) { return m.position + m.header_size + m.size; }

// The state of a segmenter between pushes (namespace scope, so that clang sees them
// complete where std::optional default-constructs them).
struct ClusterState {
  std::uint64_t begin = 0;
  std::uint64_t content_end = 0;  // end of the last child seen: the end of an unknown-size cluster
  std::uint64_t timecode = 0;
  std::optional<std::int64_t> time_ms;  // known once libwebm has read the Timecode
  bool video_seen = false;
};
struct ChunkState {
  std::vector<ByteRange> clusters;
  std::uint64_t bytes = 0;
  std::int64_t start_ms = 0;
  std::optional<bool> first_video_keyframe;
};
struct EpochState {
  Epoch number;
  std::uint64_t header_begin = 0;
  HeaderParts header;
  bool inside_segment = false;
  bool init_emitted = false;
};

}  // namespace

// Receives libwebm's events and turns element positions into byte ranges to cut.
class WebmSegmenter::Impl final : public webm::Callback {
 public:
  explicit Impl(SegmenterConfig config) : config_(config) {}

  void push(ByteView bytes) {
    buffer_.append(bytes);
    run();
  }

  void finish() {
    buffer_.mark_end_of_stream();
    run();
    if (!seeking_header_ && !document_complete_) {
      // The stream stopped inside an element: keep what was whole, say what was not.
      abandon_epoch({SegmenterErrorCode::kTruncated, buffer_.Position(),
                     "stream ended inside an element", true});
    }
  }

  std::vector<SegmenterEvent> take_events() { return std::exchange(events_, {}); }
  std::uint64_t retained_bytes() const { return buffer_.retained_bytes(); }

  // --- webm::Callback ---
  webm::Status OnElementBegin(const webm::ElementMetadata& reported, webm::Action* action) override {
    *action = webm::Action::kRead;
    // libwebm reports the top-level element that ends an unknown-size Segment at the
    // end of its own header (webm_parser.cc, cached metadata). Here the reader has just
    // consumed exactly the element's header, so its start is known for certain.
    webm::ElementMetadata m = reported;
    m.position = buffer_.Position() - m.header_size;
    last_element_begin_ = m.position;
    if (m.id == webm::Id::kEbml) return begin_epoch(m);
    if (!epoch_) return fail(SegmenterErrorCode::kUnexpectedElement, m.position, "expected an EBML header");
    if (known(m.size) && m.size > config_.max_element_bytes && m.id != webm::Id::kSegment)
      return fail(SegmenterErrorCode::kElementTooLarge, m.position,
                  "element declares " + std::to_string(m.size) + " bytes");
    if (!epoch_->init_emitted && m.position - epoch_->header_begin > 2ull * config_.max_element_bytes)
      return fail(SegmenterErrorCode::kElementTooLarge, m.position, "headers before the first cluster too large");
    if (cluster_) return on_cluster_child(m);

    switch (m.id) {
      case webm::Id::kSegment:
        epoch_->inside_segment = true;
        return kContinue;
      case webm::Id::kInfo:
      case webm::Id::kTracks:
        if (!known(m.size)) return fail(SegmenterErrorCode::kUnsupportedLayout, m.position, "Info/Tracks of unknown size");
        (m.id == webm::Id::kInfo ? epoch_->header.info : epoch_->header.tracks) = ByteRange{m.position, end_of(m)};
        return kContinue;
      case webm::Id::kCluster:
        return begin_cluster(m);
      case webm::Id::kCues:
      case webm::Id::kSeekHead:
      case webm::Id::kTags:
      case webm::Id::kChapters:
        // Skipped unparsed, so nothing inside would be checked against the caps.
        if (!known(m.size)) return fail(SegmenterErrorCode::kUnsupportedLayout, m.position, "skipped element of unknown size");
        // Offsets into the original file and file-level metadata mean nothing to a
        // live player, so they are dropped unparsed.
        *action = webm::Action::kSkip;
        return kContinue;
      default:
        if (!epoch_->inside_segment && m.position >= epoch_->header.ebml.end && m.id != webm::Id::kVoid)
          return fail(SegmenterErrorCode::kUnexpectedElement, m.position, "unexpected top-level element");
        return kContinue;
    }
  }

  webm::Status OnUnknownElement(const webm::ElementMetadata& m, webm::Reader* reader,
                                std::uint64_t* bytes_remaining) override {
    if (m.position != last_unknown_reported_) {  // called again when resumed after a short read
      last_unknown_reported_ = m.position;
      events_.push_back(SegmenterError{SegmenterErrorCode::kUnknownElement, m.position,
                                       "unknown element id " + std::to_string(static_cast<std::uint32_t>(m.id)) + " skipped",
                                       false});
    }
    return Skip(reader, bytes_remaining);
  }

  webm::Status OnEbml(const webm::ElementMetadata& m, const webm::Ebml& ebml) override {
    if (ebml.doc_type.value() != "webm")
      return fail(SegmenterErrorCode::kUnsupportedDocType, m.position, "doc type " + ebml.doc_type.value());
    return kContinue;
  }

  webm::Status OnInfo(const webm::ElementMetadata& m, const webm::Info& info) override {
    if (info.timecode_scale.value() == 0) return fail(SegmenterErrorCode::kMalformed, m.position, "TimecodeScale is 0");
    epoch_->header.timecode_scale_ns = info.timecode_scale.value();
    return kContinue;
  }

  webm::Status OnTrackEntry(const webm::ElementMetadata&, const webm::TrackEntry& entry) override {
    epoch_->header.add_track(entry);
    return kContinue;
  }

  webm::Status OnClusterBegin(const webm::ElementMetadata&, const webm::Cluster& cluster,
                              webm::Action* action) override {
    *action = webm::Action::kRead;
    cluster_->timecode = cluster.timecode.value();
    const std::int64_t time_ms = epoch_->header.to_ms(static_cast<std::int64_t>(cluster_->timecode));
    cluster_->time_ms = time_ms;
    if (chunk_.clusters.empty()) chunk_.start_ms = time_ms;
    if (!chunk_.clusters.empty() && chunk_.bytes >= config_.max_chunk_bytes) emit_chunk(time_ms);
    if (!epoch_->header.has_video()) on_first_video_block(true);  // audio-only: chunks by duration
    return kContinue;
  }

  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata&, const webm::SimpleBlock& block,
                                  webm::Action* action) override {
    *action = webm::Action::kRead;
    on_block(block.track_number, block.timecode, block.is_key_frame);
    return kContinue;
  }

  webm::Status OnBlockGroupEnd(const webm::ElementMetadata&, const webm::BlockGroup& group) override {
    // VP8 alpha comes in BlockGroups; a keyframe there is one without ReferenceBlock.
    if (group.block.is_present())
      on_block(group.block.value().track_number, group.block.value().timecode, group.references.empty());
    return kContinue;
  }

  webm::Status OnClusterEnd(const webm::ElementMetadata& m, const webm::Cluster&) override {
    const std::uint64_t end = known(m.size) ? end_of(m) : cluster_->content_end;
    chunk_.clusters.push_back({cluster_->begin, end});
    chunk_.bytes += end - cluster_->begin;
    cluster_.reset();
    return kContinue;
  }

  webm::Status OnSegmentEnd(const webm::ElementMetadata&) override {
    end_epoch_media();
    epoch_->inside_segment = false;
    return kContinue;
  }

 private:
  void run() {
    while (true) {
      if (seeking_header_ && !resume_at_ebml_header()) break;
      const webm::Status status = parser_->Feed(this, &buffer_);
      if (status.completed_ok()) {
        document_complete_ = true;
        break;
      }
      if (status.code == webm::Status::kWouldBlock || status.code == webm::Status::kEndOfFile) break;
      abandon_epoch(pending_error_ ? *pending_error_
                                   : SegmenterError{SegmenterErrorCode::kMalformed, buffer_.Position(),
                                                    describe(status), true});
    }
    // Elements between clusters (Cues, Tags, unknown ones) are held with the pending
    // chunk; past this bound the epoch is given up rather than memory.
    if (!seeking_header_ && buffer_.Position() - retain_from() > retention_limit()) {
      abandon_epoch({SegmenterErrorCode::kElementTooLarge, buffer_.Position(), "too much held between clusters", true});
      run();
      return;
    }
    buffer_.release_before(retain_from());
  }

  std::uint64_t retention_limit() const {
    return std::uint64_t{config_.max_chunk_bytes} + 3ull * config_.max_element_bytes;
  }

  webm::Status fail(SegmenterErrorCode code, std::uint64_t position, std::string detail) {
    pending_error_ = SegmenterError{code, position, std::move(detail), true};
    return kStopForError;
  }

  webm::Status begin_epoch(const webm::ElementMetadata& m) {
    if (epoch_) end_epoch_media();  // the recorder restarted: a new init segment follows
    if (!known(m.size) || m.size > config_.max_element_bytes)
      return fail(SegmenterErrorCode::kMalformed, m.position, "EBML header of unknown or huge size");
    epoch_ = EpochState{};
    epoch_->number = Epoch{next_epoch_++};
    epoch_->header_begin = m.position;
    epoch_->header.ebml = ByteRange{m.position, end_of(m)};
    return kContinue;
  }

  webm::Status begin_cluster(const webm::ElementMetadata& m) {
    if (!epoch_->init_emitted) {
      if (auto error = emit_init(m.position)) return *error;
    }
    cluster_.emplace();
    cluster_->begin = m.position;
    cluster_->content_end = m.position + m.header_size;
    return kContinue;
  }

  webm::Status on_cluster_child(const webm::ElementMetadata& m) {
    if (!known(m.size)) return fail(SegmenterErrorCode::kUnsupportedLayout, m.position, "cluster child of unknown size");
    cluster_->content_end = std::max(cluster_->content_end, end_of(m));
    if (cluster_->content_end - cluster_->begin > config_.max_element_bytes)
      return fail(SegmenterErrorCode::kElementTooLarge, m.position, "cluster larger than the element cap");
    return kContinue;
  }

  std::optional<webm::Status> emit_init(std::uint64_t position) {
    const HeaderParts& h = epoch_->header;
    if (!h.info || !h.tracks) return fail(SegmenterErrorCode::kMissingTracks, position, "Cluster before Info and Tracks");
    if (!h.has_video() && !h.has_audio())
      return fail(SegmenterErrorCode::kNoMediaTracks, position, "no video or audio track");
    events_.push_back(build_init_segment(h, epoch_->number, buffer_));
    epoch_->init_emitted = true;
    return std::nullopt;
  }

  void on_block(std::uint64_t track, std::int16_t relative_timecode, bool keyframe) {
    const HeaderParts& h = epoch_->header;
    const std::uint64_t timing_track = h.has_video() ? h.video_track : h.audio_track;
    if (track == timing_track) {
      const std::int64_t t = h.to_ms(static_cast<std::int64_t>(cluster_->timecode) + relative_timecode);
      if (last_block_ms_ && t > *last_block_ms_) last_frame_gap_ms_ = t - *last_block_ms_;
      last_block_ms_ = t;
    }
    if (track == h.video_track && h.has_video() && !cluster_->video_seen) on_first_video_block(keyframe);
  }

  // The one place a chunk boundary is decided: at the first video block of a cluster.
  void on_first_video_block(bool keyframe) {
    cluster_->video_seen = true;
    const std::int64_t time_ms = *cluster_->time_ms;
    const std::int64_t elapsed = time_ms - chunk_.start_ms;
    if (keyframe && !chunk_.clusters.empty() && elapsed * 5 >= std::int64_t{config_.target_duration_ms} * 4)
      emit_chunk(time_ms);
    if (!chunk_.first_video_keyframe) chunk_.first_video_keyframe = keyframe;
  }

  void emit_chunk(std::int64_t end_ms) {
    MediaChunk chunk;
    chunk.seq = ChunkSeq{next_seq_++};
    chunk.epoch = epoch_->number;
    chunk.start = TimeMs{chunk_.start_ms};
    chunk.duration_ms = static_cast<std::uint32_t>(std::max<std::int64_t>(0, end_ms - chunk_.start_ms));
    chunk.keyframe = chunk_.first_video_keyframe.value_or(!epoch_->header.has_video());
    chunk.bytes.reserve(chunk_.bytes);
    for (const ByteRange& r : chunk_.clusters) {
      const ByteView v = buffer_.view(r.begin, r.end);
      chunk.bytes.insert(chunk.bytes.end(), v.begin(), v.end());
    }
    events_.push_back(std::move(chunk));
    const std::int64_t next_start = end_ms;
    chunk_ = ChunkState{};
    chunk_.start_ms = next_start;
  }

  // The media of this epoch is over: the last chunk lasts until its last frame ends,
  // or until an unfinished cluster that is being dropped began.
  void end_epoch_media() {
    const std::int64_t end_ms = cluster_ && cluster_->time_ms
                                    ? *cluster_->time_ms
                                    : last_block_ms_.value_or(chunk_.start_ms) + last_frame_gap_ms_;
    if (!chunk_.clusters.empty()) emit_chunk(end_ms);
    chunk_ = ChunkState{};
    last_block_ms_.reset();
    last_frame_gap_ms_ = 0;
  }

  void abandon_epoch(SegmenterError error) {
    if (epoch_) end_epoch_media();
    events_.push_back(std::move(error));
    pending_error_.reset();
    epoch_.reset();
    cluster_.reset();
    seeking_header_ = true;
    // Always past the magic we last resumed at: a parse that fails before any element
    // begins must not find that same magic again, forever.
    scan_from_ = std::min(buffer_.fed(), std::max({buffer_.retained_from(), last_element_begin_ + 1, resumed_at_ + 1}));
  }

  // After an error, skips to the next EBML header (a restarted recorder, or a new
  // stream spliced in) and parses afresh from there.
  bool resume_at_ebml_header() {
    const ByteView rest = buffer_.view(scan_from_, buffer_.fed());
    const auto hit = std::search(rest.begin(), rest.end(), kEbmlMagic.begin(), kEbmlMagic.end());
    if (hit == rest.end()) {
      // Keep the last 3 bytes: the magic may straddle two pushes.
      scan_from_ += rest.size() - std::min<std::size_t>(rest.size(), kEbmlMagic.size() - 1);
      buffer_.seek(scan_from_);
      return false;
    }
    const std::uint64_t at = scan_from_ + static_cast<std::uint64_t>(hit - rest.begin());
    buffer_.seek(at);
    resumed_at_ = at;
    parser_ = std::make_unique<webm::WebmParser>();
    seeking_header_ = false;
    document_complete_ = false;
    return true;
  }

  std::uint64_t retain_from() const {
    std::uint64_t from = seeking_header_ ? scan_from_ : std::min(buffer_.Position(), last_element_begin_);
    if (epoch_ && !epoch_->init_emitted) from = std::min(from, epoch_->header_begin);
    if (!chunk_.clusters.empty()) from = std::min(from, chunk_.clusters.front().begin);
    if (cluster_) from = std::min(from, cluster_->begin);
    return from;
  }

  SegmenterConfig config_;
  StreamBuffer buffer_;
  std::unique_ptr<webm::WebmParser> parser_ = std::make_unique<webm::WebmParser>();
  std::vector<SegmenterEvent> events_;
  std::optional<SegmenterError> pending_error_;
  std::optional<EpochState> epoch_;
  std::optional<ClusterState> cluster_;
  ChunkState chunk_;
  std::optional<std::int64_t> last_block_ms_;
  std::int64_t last_frame_gap_ms_ = 0;
  std::uint64_t last_element_begin_ = 0;
  std::uint64_t last_unknown_reported_ = webm::kUnknownElementPosition;
  std::uint64_t scan_from_ = 0;
  std::uint64_t resumed_at_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint32_t next_epoch_ = 0;
  bool seeking_header_ = false;
  bool document_complete_ = false;
};

WebmSegmenter::WebmSegmenter(SegmenterConfig config) : impl_(std::make_unique<Impl>(config)) {}
WebmSegmenter::~WebmSegmenter() = default;
void WebmSegmenter::push(ByteView bytes) { impl_->push(bytes); }
void WebmSegmenter::finish() { impl_->finish(); }
std::vector<SegmenterEvent> WebmSegmenter::take_events() { return impl_->take_events(); }
std::uint64_t WebmSegmenter::retained_bytes() const { return impl_->retained_bytes(); }

}  // namespace swarmcast::media
