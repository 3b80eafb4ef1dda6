// The storage journal: record framing and checksums (journal_codec), and the file
// (journal): order, a torn last record, corruption, reset, locking, unusable
// directories.
#include "storage/journal.hpp"

#include "storage/journal_codec.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace eventsubd::storage {
namespace {

namespace fs = std::filesystem;

streamer_record a_streamer() {
  return {"42", "alpha", "Alpha", "sub-on", "", true};
}

stream_status a_status(const std::string& login) {
  return {"id-" + login,
          login,
          "Display_" + login,
          true,
          R"({"id":"9001","title":"caf\u00e9 \"quoted\""})",
          "2024-01-15T11:45:23.123456+00:00",
          "stream.online"};
}

event_record an_event(int n) {
  event_record e;
  e.id = "msg-" + std::to_string(n);
  e.event_type = "stream.online";
  e.broadcaster_id = "1337";
  e.broadcaster_login = "cool_user";
  e.broadcaster_name = "Cool_User";
  e.timestamp = "2024-01-15T11:45:23.123456+00:00";
  e.score = 1705319123.123456 + n;  // not exactly representable: the bits must survive
  e.data = R"({"n":)" + std::to_string(n) + "}";
  e.source = n % 2 ? "polling" : "";
  return e;
}

stream_memory a_memory() {
  stream_memory m;
  m.current = stream_memory::phase::live;
  m.live_id = "s-1";
  m.started_at = sys_time{std::chrono::nanoseconds{1705319123123456789}};
  m.online_sent_at = sys_time{std::chrono::nanoseconds{-5}};
  m.ended.push_back({"s-0", end_cause::replaced, sys_time{std::chrono::seconds{7}}});
  m.ended.push_back({"", end_cause::polling, sys_time{}});
  return m;
}

/// One op of every kind, with values that are easy to get wrong (empty strings, bytes
/// beyond ASCII, a negative time).
std::vector<write_op> every_op() {
  return {put_streamer_op{a_streamer()},
          remove_streamer_op{"gone"},
          put_status_op{a_status("beta")},
          remove_status_op{""},
          append_event_op{an_event(1), 1000},
          append_event_op{an_event(2), 3},
          mark_seen_op{std::string("m\0\xff", 3), std::chrono::seconds(600)},
          put_stream_memory_op{"77", a_memory()},
          remove_stream_memory_op{"77"}};
}

/// A readable form of an op, to compare whole sequences.
struct describe {
  std::string operator()(const put_streamer_op& o) const {
    const auto& s = o.streamer;
    return "put_streamer " + s.user_id + "|" + s.username + "|" + s.display_name + "|" +
           s.online_subscription_id + "|" + s.offline_subscription_id + "|" +
           std::to_string(s.is_active);
  }
  std::string operator()(const remove_streamer_op& o) const {
    return "remove_streamer " + o.username;
  }
  std::string operator()(const put_status_op& o) const {
    const auto& s = o.status;
    return "put_status " + s.user_id + "|" + s.username + "|" + s.display_name + "|" +
           std::to_string(s.is_live) + "|" + s.stream_data + "|" + s.last_updated + "|" +
           s.last_event_type;
  }
  std::string operator()(const remove_status_op& o) const {
    return "remove_status " + o.username;
  }
  std::string operator()(const append_event_op& o) const {
    const auto& e = o.event;
    std::ostringstream score;
    score.precision(17);
    score << e.score;
    return "append_event " + e.id + "|" + e.event_type + "|" + e.broadcaster_id + "|" +
           e.broadcaster_login + "|" + e.broadcaster_name + "|" + e.timestamp + "|" +
           score.str() + "|" + e.data + "|" + e.source + "|" + std::to_string(o.keep);
  }
  std::string operator()(const mark_seen_op& o) const {
    return "mark_seen " + o.message_id + "|" + std::to_string(o.ttl.count());
  }
  std::string operator()(const put_stream_memory_op& o) const {
    const auto& m = o.memory;
    std::string out = "put_stream_memory " + o.user_id + "|" +
                      std::to_string(static_cast<int>(m.current)) + "|" + m.live_id +
                      "|" + std::to_string(m.started_at.time_since_epoch().count()) +
                      "|" + std::to_string(m.online_sent_at.time_since_epoch().count());
    for (const auto& e : m.ended)
      out += "|" + e.id + "/" + std::to_string(static_cast<int>(e.cause)) + "/" +
             std::to_string(e.at.time_since_epoch().count());
    return out;
  }
  std::string operator()(const remove_stream_memory_op& o) const {
    return "remove_stream_memory " + o.user_id;
  }
};

std::vector<std::string> described(const std::vector<write_op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(std::visit(describe{}, op));
  return out;
}

/// Records for events `from`..`to`, one per event.
std::string event_records(int from, int to) {
  std::string out;
  for (int n = from; n <= to; ++n) {
    std::vector<write_op> ops{append_event_op{an_event(n), 1000}};
    append_record(out, ops);
  }
  return out;
}

std::vector<std::string> event_ids(const std::vector<write_op>& ops) {
  std::vector<std::string> ids;
  for (const auto& op : ops) ids.push_back(std::get<append_event_op>(op).event.id);
  return ids;
}

std::vector<std::string> ids_from(int from, int to) {
  std::vector<std::string> ids;
  for (int n = from; n <= to; ++n) ids.push_back("msg-" + std::to_string(n));
  return ids;
}

// --- framing ------------------------------------------------------------------------

TEST(journal_codec, crc32c_matches_the_standard_check_value) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(journal_codec, every_op_reads_back_exactly) {
  auto ops = every_op();
  std::string bytes;
  append_record(bytes, ops);
  auto scan = scan_records(bytes);
  EXPECT_TRUE(scan.error.empty()) << scan.error;
  EXPECT_EQ(scan.records, 1u);
  EXPECT_EQ(scan.valid_bytes, bytes.size());
  EXPECT_EQ(scan.torn_bytes, 0u);
  EXPECT_EQ(described(scan.ops), described(ops));
  // The score's bits, not a rounded text: the Redis member and score come out the same.
  EXPECT_EQ(std::get<append_event_op>(scan.ops[4]).event.score, an_event(1).score);
}

TEST(journal_codec, records_come_back_in_the_order_they_were_appended) {
  auto scan = scan_records(event_records(1, 50));
  EXPECT_EQ(scan.records, 50u);
  EXPECT_EQ(event_ids(scan.ops), ids_from(1, 50));
}

TEST(journal_codec, an_empty_journal_has_nothing) {
  auto scan = scan_records("");
  EXPECT_EQ(scan.records, 0u);
  EXPECT_TRUE(scan.ops.empty());
  EXPECT_EQ(scan.torn_bytes, 0u);
}

TEST(journal_codec, a_torn_last_record_is_ignored_at_every_cut) {
  auto intact = event_records(1, 3);
  auto last = event_records(4, 4);
  // Cut anywhere inside the last record: in its header, in its payload, one byte short.
  for (size_t keep = 1; keep < last.size(); ++keep) {
    auto scan = scan_records(intact + last.substr(0, keep));
    EXPECT_TRUE(scan.error.empty());
    EXPECT_EQ(scan.records, 3u) << keep;
    EXPECT_EQ(event_ids(scan.ops), ids_from(1, 3)) << keep;
    EXPECT_EQ(scan.valid_bytes, intact.size()) << keep;
    EXPECT_EQ(scan.torn_bytes, keep) << keep;
  }
}

TEST(journal_codec, a_record_failing_its_checksum_ends_the_intact_ones) {
  auto bytes = event_records(1, 5);
  const auto two = event_records(1, 2).size();
  // Flip one payload bit of the third record: it and everything after are ignored.
  bytes[two + record_header_size + 3] ^= 0x01;
  auto scan = scan_records(bytes);
  EXPECT_TRUE(scan.error.empty());
  EXPECT_EQ(event_ids(scan.ops), ids_from(1, 2));
  EXPECT_EQ(scan.valid_bytes, two);
  EXPECT_EQ(scan.torn_bytes, bytes.size() - two);

  // A wrong checksum field is the same.
  bytes = event_records(1, 2);
  bytes[event_records(1, 1).size() + 4] ^= 0x80;
  EXPECT_EQ(event_ids(scan_records(bytes).ops), ids_from(1, 1));
}

TEST(journal_codec, an_impossible_length_is_a_torn_record_not_an_allocation) {
  auto bytes = event_records(1, 1);
  bytes += std::string("\xff\xff\xff\x7f\0\0\0\0", 8);
  bytes += "zzzz";
  auto scan = scan_records(bytes);
  EXPECT_EQ(scan.records, 1u);
  EXPECT_EQ(scan.torn_bytes, 12u);
}

TEST(journal_codec, an_intact_record_that_cannot_be_read_is_an_error) {
  // A valid frame around a tag this version does not know (a newer format).
  std::string payload = "\x63some-newer-op";
  std::string bytes;
  for (uint32_t v : {static_cast<uint32_t>(payload.size()), crc32c(payload)})
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  bytes += payload;
  auto scan = scan_records(event_records(1, 1) + bytes);
  EXPECT_FALSE(scan.error.empty());
  EXPECT_NE(scan.error.find("record 2"), std::string::npos) << scan.error;
}

// --- the file -----------------------------------------------------------------------

class journal_file : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "journal-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/data/nested";  // created on open
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<journal> open(journal_scan& left) {
    auto opened = journal::open(dir_);
    EXPECT_TRUE(opened) << opened.error().detail;
    if (!opened) return nullptr;
    left = std::move(opened->left);
    return std::move(opened->file);
  }
  /// Why opening `dir` fails; empty when it opens.
  static std::string open_error(const std::string& dir) {
    auto opened = journal::open(dir);
    return opened ? std::string() : opened.error().detail;
  }
  std::string file() const { return dir_ + "/" + std::string(journal::file_name); }
  size_t file_size() const { return fs::file_size(file()); }

  std::string root_;
  std::string dir_;
};

TEST_F(journal_file, a_new_journal_creates_its_directory_and_header) {
  journal_scan left;
  auto j = open(left);
  ASSERT_TRUE(j);
  EXPECT_EQ(left.records, 0u);
  EXPECT_EQ(j->path(), file());
  EXPECT_EQ(file_size(), journal::file_header.size());
  EXPECT_EQ(j->records_size(), 0u);
}

TEST_F(journal_file, appended_records_are_read_back_in_order_by_the_next_open) {
  {
    journal_scan left;
    auto j = open(left);
    ASSERT_TRUE(j->append(event_records(1, 10)));
    ASSERT_TRUE(j->append(event_records(11, 11)));
    ASSERT_TRUE(j->append(event_records(12, 30)));
  }
  journal_scan left;
  auto j = open(left);
  ASSERT_TRUE(j);
  EXPECT_EQ(left.records, 30u);
  EXPECT_EQ(event_ids(left.ops), ids_from(1, 30));
  // The next append goes after them.
  ASSERT_TRUE(j->append(event_records(31, 31)));
  j.reset();
  open(left);
  EXPECT_EQ(event_ids(left.ops), ids_from(1, 31));
}

TEST_F(journal_file, a_torn_tail_is_cut_off_and_later_appends_are_kept) {
  {
    journal_scan left;
    auto j = open(left);
    ASSERT_TRUE(j->append(event_records(1, 3)));
  }
  // A crash in the middle of appending record 4: half of it reached the file.
  auto half = event_records(4, 4);
  {
    std::ofstream out(file(), std::ios::binary | std::ios::app);
    out << half.substr(0, half.size() / 2);
  }
  journal_scan left;
  auto j = open(left);
  ASSERT_TRUE(j);
  EXPECT_EQ(event_ids(left.ops), ids_from(1, 3));
  EXPECT_EQ(left.torn_bytes, half.size() / 2);
  // Cut off on disk, so a record appended now is not hidden behind the torn one.
  ASSERT_TRUE(j->append(event_records(5, 5)));
  j.reset();
  open(left);
  EXPECT_EQ(left.torn_bytes, 0u);
  EXPECT_EQ(event_ids(left.ops),
            (std::vector<std::string>{"msg-1", "msg-2", "msg-3", "msg-5"}));
}

TEST_F(journal_file, reset_drops_every_record) {
  journal_scan left;
  auto j = open(left);
  ASSERT_TRUE(j->append(event_records(1, 5)));
  ASSERT_TRUE(j->reset());
  EXPECT_EQ(file_size(), journal::file_header.size());
  ASSERT_TRUE(j->append(event_records(6, 6)));
  j.reset();
  open(left);
  EXPECT_EQ(event_ids(left.ops), ids_from(6, 6));
}

TEST_F(journal_file, a_second_process_on_the_same_directory_is_refused) {
  journal_scan left;
  auto first = open(left);
  std::string error = open_error(dir_);
  EXPECT_NE(error.find("DATA_DIR"), std::string::npos) << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  first.reset();  // the lock goes with the first one
  EXPECT_EQ(open_error(dir_), "");
}

TEST_F(journal_file, a_directory_that_cannot_be_created_is_a_clear_error) {
  // Below a regular file: refused even for root.
  std::ofstream(root_ + "/a-file") << "x";
  std::string error = open_error(root_ + "/a-file/data");
  EXPECT_NE(error.find("DATA_DIR '" + root_ + "/a-file/data' cannot be created"),
            std::string::npos)
      << error;
  error = open_error("");
  EXPECT_NE(error.find("DATA_DIR must not be empty"), std::string::npos) << error;
}

TEST_F(journal_file, a_file_that_is_not_a_journal_is_left_alone) {
  fs::create_directories(dir_);
  std::ofstream(file()) << "something else entirely\n";
  std::string error = open_error(dir_);
  EXPECT_NE(error.find("is not a storage journal"), std::string::npos) << error;
  std::ifstream in(file());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "something else entirely");  // untouched
}

TEST_F(journal_file, a_header_cut_short_starts_a_new_journal) {
  fs::create_directories(dir_);
  std::ofstream(file(), std::ios::binary) << journal::file_header.substr(0, 7);
  journal_scan left;
  auto j = open(left);
  ASSERT_TRUE(j);
  EXPECT_EQ(file_size(), journal::file_header.size());
}

}  // namespace
}  // namespace eventsubd::storage
