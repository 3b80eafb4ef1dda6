#include "twitch/seen_messages.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace eventsubd::twitch {

/// One SHA-256 context, fetched once and reused (a one-shot digest fetches and frees its
/// context every time: 129 ns against 86 ns for a message id).
struct seen_messages::digester {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;

  digester() : md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx(EVP_MD_CTX_new()) {
    if (!md || !ctx) {
      release();
      throw std::runtime_error("OpenSSL has no SHA-256");
    }
  }
  ~digester() { release(); }
  digester(const digester&) = delete;
  digester& operator=(const digester&) = delete;

  void release() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

seen_messages::seen_messages() : digester_(std::make_unique<digester>()) {}

seen_messages::~seen_messages() = default;

seen_messages::key seen_messages::key_of(std::string_view id) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto* ctx = digester_->ctx;
  if (!EVP_DigestInit_ex(ctx, digester_->md, nullptr) ||
      !EVP_DigestUpdate(ctx, id.data(), id.size()) ||
      !EVP_DigestFinal_ex(ctx, digest, &len) || len < sizeof(key))
    throw std::runtime_error("SHA-256 of a message id failed");
  key k;
  std::memcpy(k.data(), digest, sizeof(key));
  return k;
}

bool seen_messages::remember(const key& k, sys_time at) {
  if (!seen_.emplace(k, at).second) return false;
  order_.emplace_back(at, k);
  return true;
}

void seen_messages::forget(std::string_view id) {
  // Its expiry entry stays; expiry skips it unless the id is remembered again by then.
  seen_.erase(key_of(id));
}

std::size_t seen_messages::expire_before(sys_time horizon) {
  std::size_t expired = 0;
  while (!order_.empty() && order_.front().first < horizon) {
    const auto& [at, k] = order_.front();
    // Only the entry that remembered it: an id forgotten and remembered again later
    // has a newer entry further back and stays until that one expires.
    if (auto it = seen_.find(k); it != seen_.end() && it->second == at) {
      seen_.erase(it);
      ++expired;
    }
    order_.pop_front();
  }
  return expired;
}

}  // namespace eventsubd::twitch
