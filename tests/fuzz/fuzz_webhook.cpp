// The webhook path as the webhook actor runs it, minus the actor: headers and body from
// the fuzzer, verified (the signature is computed here for most inputs, so the parser is
// reached; the rest carry the fuzzer's own signature header), the timestamp parsed, the
// body parsed for its type, the login normalised.
#include "core/login.hpp"
#include "core/time.hpp"
#include "twitch/eventsub_message.hpp"
#include "twitch/signature.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

using namespace eventsubd;

namespace {

/// Splits the input into fields at 0xFF bytes (absent fields are empty).
std::string_view take(std::string_view& in) {
  auto cut = in.find('\xff');
  auto field = in.substr(0, cut);
  in = cut == std::string_view::npos ? std::string_view{} : in.substr(cut + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const twitch::signature_verifier verifier{"fuzz-webhook-secret-0123456789"};
  static twitch::eventsub_parser parser;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool sign_here = data[0] % 4 != 0;  // mostly valid signatures, some forged
  auto id = take(in);
  auto timestamp = take(in);
  auto type_header = take(in);
  auto own_signature = sign_here ? std::string_view{} : take(in);
  std::string_view body = in;

  std::string signature =
      sign_here ? verifier.sign(id, timestamp, body) : std::string(own_signature);
  if (!verifier.verify(id, timestamp, body, signature)) return 0;
  // A body other than the signed one never verifies.
  if (!body.empty()) {
    std::string other(body);
    other[0] = static_cast<char>(other[0] ^ 1);
    if (verifier.verify(id, timestamp, other, signature)) __builtin_trap();
  }
  if (auto sent = parse_rfc3339(timestamp)) (void)format_rfc3339(*sent);
  auto type = twitch::parse_message_type(type_header);
  auto parsed = parser.parse(type, body);
  if (auto* msg = std::get_if<twitch::eventsub_message>(&parsed)) {
    if (auto login = normalize_login(msg->event.broadcaster_user_login))
      if (!is_valid_login(*login)) __builtin_trap();
    (void)parse_rfc3339(msg->event.started_at);
  }
  return 0;
}
