// The client TLS context cache: who shares a context, and what makes a new one.

#include "executor/http/tls_contexts.h"

#include <string>

#include <utility>  // Boost 1.74 Asio in C++20 needs <utility> first
#include <boost/asio/ssl/context.hpp>
#include <gtest/gtest.h>

#include "executor/dialer.h"

namespace kexsim::executor {
namespace {

// A dialer that only supplies trust (the cache never dials), named or not.
class TrustOnlyDialer : public Dialer {
 public:
  explicit TrustOnlyDialer(std::string trust_key) : trust_key_(std::move(trust_key)) {}
  asio::awaitable<Result<asio::ip::tcp::socket>> dial(const std::string&, uint16_t) override {
    co_return make_error("this test has no network");
  }
  void add_default_trust(ssl_ctx_st*) override { ++trust_added; }
  std::string default_trust_key() const override { return trust_key_; }

  int trust_added = 0;

 private:
  std::string trust_key_;
};

TEST(TlsContextCache, DialersNamingTheSameTrustShareOneContext) {
  TlsContextCache cache;
  TrustOnlyDialer a("ca-1"), b("ca-1"), c("ca-2");
  auto from_a = cache.get(a, {});
  auto from_b = cache.get(b, {});
  auto from_c = cache.get(c, {});
  ASSERT_TRUE(from_a && from_b && from_c);
  EXPECT_EQ(from_a->get(), from_b->get());
  EXPECT_NE(from_a->get(), from_c->get());
  EXPECT_EQ(cache.built(), 2u);
  EXPECT_EQ(a.trust_added + b.trust_added, 1);
}

TEST(TlsContextCache, DialersWithoutATrustNameShareOnlyAmongTheirOwnClients) {
  TlsContextCache cache;
  TrustOnlyDialer a(""), b("");
  auto first = cache.get(a, {});
  auto again = cache.get(a, {});
  auto other = cache.get(b, {});
  ASSERT_TRUE(first && again && other);
  EXPECT_EQ(first->get(), again->get());
  EXPECT_NE(first->get(), other->get());
  EXPECT_EQ(cache.built(), 2u);
}

TEST(TlsContextCache, ExtraTrustMakesAnotherContext) {
  TlsContextCache cache;
  TrustOnlyDialer a("ca-1");
  auto plain = cache.get(a, {});
  auto extra = cache.get(a, {.ca_pem = "not a certificate"});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(extra);
  if (!extra) {
    EXPECT_EQ(extra.error().message, "no certificates found in the configured certificate authority data");
  }
  EXPECT_EQ(cache.built(), 1u);
}

TEST(TlsContextCache, ProcessCacheIsOneInstance) {
  EXPECT_EQ(TlsContextCache::process().get(), TlsContextCache::process().get());
}

}  // namespace
}  // namespace kexsim::executor
