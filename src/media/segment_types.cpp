#include "media/segment_types.hpp"

namespace swarmcast::media {

const char* to_string(SegmenterErrorCode code) {
  switch (code) {
    case SegmenterErrorCode::kMalformed: return "malformed";
    case SegmenterErrorCode::kElementTooLarge: return "element_too_large";
    case SegmenterErrorCode::kUnexpectedElement: return "unexpected_element";
    case SegmenterErrorCode::kUnknownElement: return "unknown_element";
    case SegmenterErrorCode::kUnsupportedDocType: return "unsupported_doc_type";
    case SegmenterErrorCode::kUnsupportedLayout: return "unsupported_layout";
    case SegmenterErrorCode::kMissingTracks: return "missing_tracks";
    case SegmenterErrorCode::kNoMediaTracks: return "no_media_tracks";
    case SegmenterErrorCode::kTruncated: return "truncated";
  }
  return "unknown";
}

}  // namespace swarmcast::media
