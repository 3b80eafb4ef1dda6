#include "twitch/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <stdexcept>

namespace eventsubd::twitch {
namespace {

using digest = std::array<unsigned char, 32>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

struct signature_verifier::impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;  // initialised with the key; duplicated per message

  digest compute(std::string_view id, std::string_view ts, std::string_view body) const {
    digest out{};
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed);
    if (!ctx) throw std::runtime_error("EVP_MAC_CTX_dup failed");
    size_t len = 0;
    bool ok = EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(id.data()),
                             id.size()) &&
              EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(ts.data()),
                             ts.size()) &&
              EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()),
                             body.size()) &&
              EVP_MAC_final(ctx, out.data(), &len, out.size());
    EVP_MAC_CTX_free(ctx);
    if (!ok || len != out.size()) throw std::runtime_error("HMAC computation failed");
    return out;
  }
};

signature_verifier::signature_verifier(std::string_view secret)
    : impl_(std::make_unique<impl>()) {
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!impl_->mac) throw std::runtime_error("OpenSSL has no HMAC");
  impl_->keyed = EVP_MAC_CTX_new(impl_->mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (!impl_->keyed ||
      !EVP_MAC_init(impl_->keyed, reinterpret_cast<const unsigned char*>(secret.data()),
                    secret.size(), params))
    throw std::runtime_error("HMAC key setup failed");
}

signature_verifier::~signature_verifier() {
  EVP_MAC_CTX_free(impl_->keyed);
  EVP_MAC_free(impl_->mac);
}

std::string signature_verifier::sign(std::string_view id, std::string_view timestamp,
                                     std::string_view body) const {
  static constexpr char hex[] = "0123456789abcdef";
  auto d = impl_->compute(id, timestamp, body);
  std::string out = "sha256=";
  out.reserve(7 + 64);
  for (unsigned char b : d) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

bool signature_verifier::verify(std::string_view id, std::string_view timestamp,
                                std::string_view body, std::string_view header) const {
  constexpr std::string_view prefix = "sha256=";
  if (header.size() != prefix.size() + 64 || header.substr(0, prefix.size()) != prefix)
    return false;
  digest given{};
  bool well_formed = true;
  for (size_t i = 0; i < given.size(); ++i) {
    int hi = hex_value(header[prefix.size() + 2 * i]);
    int lo = hex_value(header[prefix.size() + 2 * i + 1]);
    well_formed &= (hi >= 0 && lo >= 0);
    given[i] = static_cast<unsigned char>(((hi & 0xf) << 4) | (lo & 0xf));
  }
  auto expected = impl_->compute(id, timestamp, body);
  bool equal = CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
  return equal && well_formed;
}

}  // namespace eventsubd::twitch
