#include "media/webm_segmenter.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <optional>
#include <string>

#include "media/chunk_assembler.hpp"
#include "media/cluster_writer.hpp"
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
  std::int64_t timecode = 0;
};
struct EpochState {
  Epoch number;
  std::uint64_t header_begin = 0;
  HeaderParts header;
  std::optional<ChunkAssembler> chunks;  // once the init segment is out
  bool inside_segment = false;
};

// A Cluster Timecode beyond this is refused rather than overflow the block times
// computed from it (2^48 ticks: ~8900 years at the usual 1 ms).
constexpr std::uint64_t kMaxClusterTimecode = 1ull << 48;

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
    if (!epoch_->chunks && m.position - epoch_->header_begin > 2ull * config_.max_element_bytes)
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
    // Above a second per tick, block times in ms could overflow; no encoder writes that.
    if (info.timecode_scale.value() == 0 || info.timecode_scale.value() > 1'000'000'000)
      return fail(SegmenterErrorCode::kMalformed, m.position, "TimecodeScale out of range");
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
    if (cluster.timecode.value() > kMaxClusterTimecode)
      return fail(SegmenterErrorCode::kMalformed, cluster_->begin, "Cluster Timecode out of range");
    cluster_->timecode = static_cast<std::int64_t>(cluster.timecode.value());
    return kContinue;
  }

  // A SimpleBlock is cut at as soon as its header is read (what came before is whole),
  // and kept once its frame is.
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata& m, const webm::SimpleBlock& block,
                                  webm::Action* action) override {
    *action = webm::Action::kRead;
    if (!in_cluster()) return kContinue;
    open_block_ = block_at(ByteRange{last_element_begin_, last_element_begin_ + m.header_size + m.size},
                           last_element_begin_ + m.header_size, block.track_number, block.timecode, block.is_key_frame);
    emit(epoch_->chunks->open(*open_block_));
    return kContinue;
  }

  webm::Status OnSimpleBlockEnd(const webm::ElementMetadata&, const webm::SimpleBlock&) override {
    if (open_block_) epoch_->chunks->keep(*std::exchange(open_block_, std::nullopt));
    return kContinue;
  }

  webm::Status OnBlockBegin(const webm::ElementMetadata& m, const webm::Block&, webm::Action* action) override {
    *action = webm::Action::kRead;
    block_in_group_at_ = last_element_begin_ + m.header_size;
    return kContinue;
  }

  webm::Status OnBlockGroupEnd(const webm::ElementMetadata& m, const webm::BlockGroup& group) override {
    // VP8 alpha comes in BlockGroups; a keyframe there is one without ReferenceBlock.
    // The group is cut at and kept whole once complete: its keyframe flag comes last.
    if (in_cluster() && group.block.is_present() && block_in_group_at_) {
      const webm::Block& block = group.block.value();
      const BlockRef ref = block_at(ByteRange{group_begin_, group_begin_ + m.header_size + m.size},
                                    *block_in_group_at_, block.track_number, block.timecode, group.references.empty());
      emit(epoch_->chunks->open(ref));
      epoch_->chunks->keep(ref);
    }
    block_in_group_at_.reset();
    return kContinue;
  }

  webm::Status OnClusterEnd(const webm::ElementMetadata&, const webm::Cluster&) override {
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
    if (!epoch_->chunks) {
      if (auto error = emit_init(m.position)) return *error;
    }
    cluster_.emplace();
    cluster_->begin = m.position;
    cluster_->content_end = m.position + m.header_size;
    return kContinue;
  }

  webm::Status on_cluster_child(const webm::ElementMetadata& m) {
    if (!known(m.size)) return fail(SegmenterErrorCode::kUnsupportedLayout, m.position, "cluster child of unknown size");
    if (m.id == webm::Id::kBlockGroup) group_begin_ = m.position;
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
    epoch_->chunks.emplace(CutRules{config_.target_duration_ms, config_.max_duration_ms, config_.max_chunk_bytes,
                                    h.has_video()});
    return std::nullopt;
  }

  // libwebm reads blocks only inside a Cluster, which opens only after the init segment.
  bool in_cluster() const { return epoch_ && epoch_->chunks && cluster_; }

  // A block as the chunk assembler sees it. `block_data` is where the (Simple)Block's
  // content begins: its track number (a vint, its length told by its first byte's
  // leading zeros), then the 16-bit relative timecode.
  BlockRef block_at(ByteRange bytes, std::uint64_t block_data, std::uint64_t track, std::int16_t relative,
                    bool keyframe) const {
    const HeaderParts& h = epoch_->header;
    const Byte first = buffer_.view(block_data, block_data + 1)[0];
    BlockRef ref;
    ref.bytes = bytes;
    ref.timecode_at = block_data + static_cast<std::uint64_t>(std::countl_zero(first)) + 1;
    ref.ticks = cluster_->timecode + relative;
    ref.ms = h.to_ms(ref.ticks);
    ref.timing = track == (h.has_video() ? h.video_track : h.audio_track);
    ref.keyframe = ref.timing && (keyframe || !h.has_video());  // audio-only: any block may open a chunk
    return ref;
  }

  void emit(std::optional<ClosedChunk> closed) {
    if (!closed) return;
    MediaChunk chunk;
    chunk.seq = ChunkSeq{next_seq_++};
    chunk.epoch = epoch_->number;
    chunk.start = TimeMs{closed->start_ms};
    chunk.duration_ms = static_cast<std::uint32_t>(
        std::min<std::int64_t>(closed->end_ms - closed->start_ms, std::numeric_limits<std::uint32_t>::max()));
    chunk.keyframe = closed->keyframe;
    chunk.bytes = write_cluster(closed->start_ticks, closed->blocks, buffer_);
    events_.push_back(std::move(chunk));
  }

  // The media of this epoch is over: the last chunk lasts until its last frame ends. A
  // block still being read is left out.
  void end_epoch_media() {
    if (epoch_->chunks) emit(epoch_->chunks->finish());
    open_block_.reset();
    block_in_group_at_.reset();
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
    if (epoch_ && !epoch_->chunks) from = std::min(from, epoch_->header_begin);
    if (epoch_ && epoch_->chunks) from = std::min(from, epoch_->chunks->held_from().value_or(from));
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
  std::optional<BlockRef> open_block_;  // a SimpleBlock whose frame is still being read
  std::uint64_t group_begin_ = 0;       // the BlockGroup being read
  std::optional<std::uint64_t> block_in_group_at_;  // its Block's content, once begun
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
