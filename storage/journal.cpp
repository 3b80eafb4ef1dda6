#include "storage/journal.hpp"

#include "core/logging.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace eventsubd::storage {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);  // NOLINT(concurrency-mt-unsafe): start-up, or one thread
}

/// Writes all of `data` at `offset`; false (errno set) on failure.
bool write_all(int fd, std::string_view data, size_t offset) {
  while (!data.empty()) {
    auto n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<size_t>(n);
  }
  return true;
}

/// The whole file; the error's detail is the system's reason.
result<std::string> read_all(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errc::unavailable, errno_text(errno));
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t at = 0;
  while (at < out.size()) {
    auto n = ::pread(fd, out.data() + at, out.size() - at, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errc::unavailable, errno_text(errno));
    }
    if (n == 0) break;
    at += static_cast<size_t>(n);
  }
  out.resize(at);
  return out;
}

error_info unavailable(std::string detail) {
  return fail(errc::unavailable, std::move(detail));
}

bool sync_data(int fd) {
  while (::fdatasync(fd) != 0)
    if (errno != EINTR) return false;
  return true;
}

/// Makes a new file's name durable in its directory.
void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

journal::journal(int fd, std::string path, size_t end)
    : fd_(fd), path_(std::move(path)), end_(end) {}

journal::~journal() {
  if (fd_ >= 0) ::close(fd_);  // the lock goes with it
}

result<journal::opened> journal::open(const std::string& dir) {
  const std::string where = "DATA_DIR '" + dir + "'";
  if (dir.empty())
    return unavailable(
        "DATA_DIR must not be empty (the journal of writes Redis has not taken yet)");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable(where + " cannot be created: " + ec.message());
  auto path = (std::filesystem::path(dir) / file_name).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return unavailable(where + " is not writable: cannot open " + path + ": " +
                       errno_text(errno));
  auto fail = [fd](std::string why) {
    ::close(fd);
    return unavailable(std::move(why));
  };
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return fail(where + " is in use: another eventsubd holds the lock on " + path);
    return fail(where + ": cannot lock " + path + ": " + errno_text(errno));
  }
  auto contents = read_all(fd);
  if (!contents) return fail("cannot read " + path + ": " + contents.error().detail);
  const std::string& data = *contents;

  // A file shorter than the header is one whose header was being written: a new one.
  const bool fresh =
      data.size() < file_header.size() && file_header.substr(0, data.size()) == data;
  if (fresh) {
    if (!write_all(fd, file_header, 0) || ::ftruncate(fd, file_header.size()) != 0 ||
        !sync_data(fd))
      return fail(where + " is not writable: cannot write " + path + ": " +
                  errno_text(errno));
    sync_directory(dir);
    return opened{std::unique_ptr<journal>(new journal(fd, path, file_header.size())),
                  {}};
  }
  if (data.compare(0, file_header.size(), file_header) != 0)
    return fail(
        path +
        " is not a storage journal this version of eventsubd can read; move it "
        "away (it may hold writes Redis has not taken) or set DATA_DIR elsewhere");

  auto records = std::string_view(data).substr(file_header.size());
  journal_scan left = scan_records(records);
  if (!left.error.empty())
    return fail(path + ": " + left.error +
                "; nothing was replayed. Start the eventsubd version that wrote it, or "
                "move the file away");
  const size_t end = file_header.size() + left.valid_bytes;
  if (left.torn_bytes > 0) {
    log_for("storage")->warn(
        "storage: journal {}: ignoring the last {} bytes after {} intact records: a "
        "record cut short or failing its checksum (the process stopped while writing "
        "it, before it was acknowledged)",
        path, left.torn_bytes, left.records);
    if (::ftruncate(fd, static_cast<off_t>(end)) != 0 || !sync_data(fd))
      return fail(where + " is not writable: cannot truncate " + path + ": " +
                  errno_text(errno));
  }
  return opened{std::unique_ptr<journal>(new journal(fd, path, end)), std::move(left)};
}

result<void> journal::append(std::string_view records) {
  if (records.empty()) return {};
  if (!write_all(fd_, records, end_)) {
    auto why = errno_text(errno);
    // Whatever got through is cut off again (the next append would overwrite it).
    [[maybe_unused]] auto ignored = ::ftruncate(fd_, static_cast<off_t>(end_));
    return unavailable("cannot write the journal " + path_ + ": " + why);
  }
  if (!sync_data(fd_))
    return unavailable("cannot sync the journal " + path_ + ": " + errno_text(errno));
  end_ += records.size();
  return {};
}

result<void> journal::reset() {
  if (::ftruncate(fd_, static_cast<off_t>(file_header.size())) != 0)
    return unavailable("cannot truncate the journal " + path_ + ": " + errno_text(errno));
  if (!sync_data(fd_))
    return unavailable("cannot sync the journal " + path_ + ": " + errno_text(errno));
  end_ = file_header.size();
  return {};
}

}  // namespace eventsubd::storage
