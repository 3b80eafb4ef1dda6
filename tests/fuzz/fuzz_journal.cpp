// The storage journal's records as read at start: any bytes (a torn or corrupt file)
// must scan without a crash, account for every byte, and whatever it reads back must
// encode to records that read back the same.
#include "storage/journal_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eventsubd::storage;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto scan = scan_records(raw);
  if (scan.error.empty() && scan.valid_bytes + scan.torn_bytes != size) __builtin_trap();
  if (!scan.error.empty() || scan.ops.empty()) return 0;
  std::string again;
  append_record(again, scan.ops);
  auto back = scan_records(again);
  if (!back.error.empty() || back.torn_bytes != 0 || back.records != 1 ||
      back.ops.size() != scan.ops.size())
    __builtin_trap();
  // Lossless: one intact record reads back and encodes to exactly its bytes.
  if (scan.records == 1 && scan.torn_bytes == 0 && again != raw) __builtin_trap();
  std::string twice;
  append_record(twice, back.ops);
  if (twice != again) __builtin_trap();
  return 0;
}
