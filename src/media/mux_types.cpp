#include "media/mux_types.hpp"

namespace swarmcast::media {

const char* to_string(MuxErrorCode code) {
  switch (code) {
    case MuxErrorCode::kBadSpec: return "bad_spec";
    case MuxErrorCode::kNoSuchTrack: return "no_such_track";
    case MuxErrorCode::kTimestampOutOfRange: return "timestamp_out_of_range";
    case MuxErrorCode::kOutOfOrder: return "out_of_order";
    case MuxErrorCode::kEmptyFrame: return "empty_frame";
    case MuxErrorCode::kFrameTooLarge: return "frame_too_large";
    case MuxErrorCode::kChunkTooLarge: return "chunk_too_large";
    case MuxErrorCode::kLateFrame: return "late_frame";
    case MuxErrorCode::kMisaligned: return "misaligned";
  }
  return "unknown";
}

}  // namespace swarmcast::media
