#include "actors/journal_writer.hpp"

#include "actors/errors.hpp"

#include <caf/all.hpp>

namespace eventsubd {

journal_writer_actor::behavior_type journal_writer_fn(
    journal_writer_actor::stateful_pointer<journal_writer_state> self,
    std::shared_ptr<storage::journal> journal) {
  self->state.journal = std::move(journal);
  auto result = [](const eventsubd::result<void>& done) -> caf::result<caf::ok_atom> {
    if (!done) return to_caf_error(done.error());
    return caf::ok_atom::value;
  };
  return {
      [=](append_atom, const std::string& records) -> caf::result<caf::ok_atom> {
        return result(self->state.journal->append(records));
      },
      [=](reset_atom) -> caf::result<caf::ok_atom> {
        return result(self->state.journal->reset());
      },
  };
}

}  // namespace eventsubd
