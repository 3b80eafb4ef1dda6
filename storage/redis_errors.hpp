#pragma once

#include <string_view>

namespace eventsubd::storage {

/// Whether Redis's error reply to one of our writes means that this very command can
/// never succeed, so it may be dropped (logged) rather than hold up every later write.
///
/// Permanent, and why dropping is safe:
/// - `WRONGTYPE`: the key holds another type (another program wrote it). The command
///   fails the same way until someone deletes that key, which eventsubd never does.
/// - `ERR wrong number of arguments`, `ERR syntax error`, `ERR value is not a valid
///   float`, `ERR value is not an integer or out of range`, `ERR invalid expire time`:
///   Redis refuses the command's own arguments before it touches any data, so the same
///   bytes get the same answer every time, whatever state Redis is in.
///
/// Everything else keeps the write queued and the backend down until Redis takes it:
/// `MISCONF` (a failed save), `NOPERM` (an ACL an operator can fix), `NOAUTH`, `OOM`,
/// `LOADING`, `BUSY`, `READONLY`, `MASTERDOWN`, `TRYAGAIN`, `NOREPLICAS`, `CLUSTERDOWN`,
/// `MOVED`/`ASK`, other `ERR` texts (`unknown command` from a renamed command would
/// otherwise drop every write; `max number of clients reached` passes), and any error
/// this list does not know. A refusal wrongly called temporary costs a retry and a 503
/// health; one wrongly called permanent would lose an acknowledged webhook.
bool redis_error_is_permanent(std::string_view error);

}  // namespace eventsubd::storage
