#pragma once

#include "storage/write_op.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::storage {

// The bytes of the storage journal (see storage/journal.hpp for the file). After the
// file header, one record after another:
//
//   u32 length | u32 CRC-32C of the payload | payload (`length` bytes)
//
// little endian. A payload is the write ops of one accepted write (or of one batch of
// them), applied together or not at all: each op is a tag byte and its fields, strings
// as u32 length + bytes, integers as u64/i64, a double as its IEEE-754 bits. The fields
// are written as they are (no JSON round trip), so a replayed op gives Redis the very
// bytes the first attempt did: an event replayed is the same `twitch:events` member and
// `ZADD` adds no second copy.

/// CRC-32C (Castagnoli), as iSCSI and ext4 use it.
uint32_t crc32c(std::string_view data);

/// The record header's size: length and checksum.
inline constexpr size_t record_header_size = 8;

/// A payload longer than this is not ours (a corrupt length): the scan stops there.
inline constexpr size_t record_payload_limit = size_t{64} << 20;

/// Appends one framed record holding `ops` to `out`.
void append_record(std::string& out, std::span<const write_op> ops);

/// What a scan of the records (the file after its header) found.
struct journal_scan {
  std::vector<write_op> ops;  // every op of every intact record, in order
  size_t records = 0;         // intact records
  size_t valid_bytes = 0;     // where the intact records end
  /// Bytes after them, ignored: a record cut short or failing its checksum (a crash or
  /// a failed write while it was appended: it was never acknowledged), and anything
  /// after it.
  size_t torn_bytes = 0;
  /// Set when a record's checksum holds but its ops cannot be read (a newer format):
  /// nothing may be replayed then, or acknowledged writes would be skipped silently.
  std::string error;
};

/// Reads the records in `data` up to the first one that is cut short or corrupt.
journal_scan scan_records(std::string_view data);

}  // namespace eventsubd::storage
