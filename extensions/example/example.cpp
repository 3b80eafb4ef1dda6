// Test-only example of the whole kit: on every go-live it reads storage, asks Twitch,
// appends a line to a file (from a detached helper: file I/O blocks) and counts a
// metric. tests/extensions/example_e2e_test.cpp runs it in the real server.
#include "extensions/kit/kit.hpp"

#include <fstream>

namespace eventsubd::ext {
namespace {

/// Appends each line it receives to `path`; blocking, so spawned detached.
caf::behavior line_writer(caf::event_based_actor*, const std::string& path) {
  return {
      [path](const std::string& line) {
        std::ofstream out(path, std::ios::app);
        out << line << '\n';
      },
  };
}

struct announcer_state {
  static inline const char* name = "example";
  size_t monitored = 0;  // from storage, refreshed on every go-live
};
using announcer_actor = listener_actor::stateful_pointer<announcer_state>;

/// Asks Twitch for the display name, then writes the line and counts it.
void announce(announcer_actor self, const context& ctx, const caf::actor& writer,
              const counter& announced, const stream_change& change,
              const std::string& stored) {
  ctx.twitch(twitch_priority::someone_waiting)
      .users(self, {change.login}, [=](result<std::vector<twitch_user>> users) {
        auto name = users && !users->empty() ? users->front().display_name : "?";
        caf::anon_send(writer, "online " + change.login + " stored=" + stored +
                                   " monitored=" + std::to_string(self->state.monitored) +
                                   " twitch=" + name);
        announced.add();
      });
}

listener_actor::behavior_type announcer(announcer_actor self, context ctx,
                                        caf::actor writer, counter announced) {
  return {
      [=](const stream_change& change) {
        if (change.kind != change_kind::online) return;
        ctx.storage().streamers(self, [=](result<std::vector<streamer_record>> all) {
          if (all) self->state.monitored = all->size();
        });
        ctx.storage().status(self, change.login, [=](result<stream_status> status) {
          auto stored = !status ? "none" : status->is_live ? "live" : "offline";
          announce(self, ctx, writer, announced, change, stored);
        });
      },
  };
}

result<void> start(const context& ctx) {
  auto path = ctx.settings().text("FILE");
  if (path.empty())
    return fail(errc::bad_request,
                ctx.settings().variable("FILE") + " must name the file to append to");
  auto writer = ctx.spawn<caf::detached>(line_writer, path);
  auto announced = ctx.metrics().counter("announcements_total", "Go-lives announced.");
  ctx.spawn_listener(announcer, ctx, writer, announced);
  return {};
}

}  // namespace
}  // namespace eventsubd::ext

EVENTSUBD_EXTENSION(example, "test-only: appends a line per go-live to EXT_EXAMPLE_FILE",
                    eventsubd::ext::start)
