#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace eventsubd::twitch {

/// HMAC-SHA256 over `message id + timestamp + raw body`, keyed with the webhook secret,
/// as Twitch signs EventSub deliveries (`sha256=<lowercase hex>`).
/// The key is loaded once; each call works on a copy of the keyed context.
class signature_verifier {
 public:
  explicit signature_verifier(std::string_view secret);
  ~signature_verifier();
  signature_verifier(const signature_verifier&) = delete;
  signature_verifier& operator=(const signature_verifier&) = delete;

  /// `sha256=` + lowercase hex of the HMAC (what Twitch sends).
  std::string sign(std::string_view id, std::string_view timestamp,
                   std::string_view body) const;

  /// True when `header` is exactly the signature of the message. The digest comparison is
  /// constant-time (CRYPTO_memcmp); only the header's public shape is checked before it.
  bool verify(std::string_view id, std::string_view timestamp, std::string_view body,
              std::string_view header) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace eventsubd::twitch
