#pragma once

#include "core/result.hpp"
#include "storage/journal_codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace eventsubd::storage {

/// The storage journal, `<DATA_DIR>/storage.journal`: the writes acknowledged while the
/// backend could not take them, on disk, so that neither a SIGTERM nor a `kill -9` nor a
/// power cut loses them. A header line, then records (storage/journal_codec.hpp).
///
/// - `append` writes records at the end of the intact ones and returns only once
///   `fdatasync` has made them durable; the storage actor acknowledges a write only
///   then. One call per group of writes (group commit: one sync for all of them).
/// - `reset` drops every record (the backend has them all), durably too.
/// - `open` reads what the last run left; a record cut short or failing its checksum
///   (the process stopped while appending it, so it was never acknowledged) ends the
///   intact ones: it and anything after it are logged and cut off.
///
/// Blocking file I/O: it is used from a detached actor (actors/journal_writer.hpp) and,
/// at start, from the main thread before the actors run. Not thread-safe.
class journal {
 public:
  static constexpr std::string_view file_name = "storage.journal";
  /// The first bytes of the file (the format's version is in it).
  static constexpr std::string_view file_header = "eventsubd storage journal v1\n";

  /// An open journal and the intact records the last run left in it.
  struct opened {
    std::unique_ptr<journal> file;
    journal_scan left;
  };

  /// Opens `<dir>/storage.journal`, creating the directory and the file as needed,
  /// takes an exclusive lock on it (one process per directory), and reads the intact
  /// records. Fails (errc::unavailable, the detail naming DATA_DIR and the path) when
  /// the directory cannot be created or written, another process holds it, or the file
  /// is not a journal this version can read.
  static result<opened> open(const std::string& dir);

  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Appends framed records (from `append_record`) and syncs them to disk. On failure
  /// the journal is as it was: the next append writes over whatever part got through.
  /// Failures are errc::unavailable, saying which call failed and why.
  result<void> append(std::string_view records);

  /// Drops every record, durably.
  result<void> reset();

  const std::string& path() const { return path_; }

  /// Bytes of records (after the header).
  size_t records_size() const { return end_ - file_header.size(); }

 private:
  journal(int fd, std::string path, size_t end);

  int fd_ = -1;
  std::string path_;
  size_t end_ = 0;  // where the intact records end: the next append goes there
};

}  // namespace eventsubd::storage
