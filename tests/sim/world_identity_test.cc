// The world's TLS identities: one per served host as its scenario wants it, made once per
// process, and reachable by host for the fakes that run TLS in memory (the pod's git).

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/tls.h"
#include "executor/config.h"
#include "sim/scenario.h"
#include "sim/virtual_clock.h"
#include "sim/world.h"

namespace kexsim::sim {
namespace {

struct Started {
  boost::asio::io_context io;
  VirtualClock clock{io, TimePoint(Duration(1767258000LL * 1000000))};  // 2026-01-01T09:00:00Z
  std::unique_ptr<SimWorld> world;
};

std::unique_ptr<Started> start(const std::string& relative) {
  auto scenario = load_scenario(std::string(KEXSIM_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(scenario) << scenario.error().message;
  if (!scenario) return nullptr;
  auto config = executor::parse_config(scenario->runner_config, scenario->path, scenario->runner_config_line - 1);
  EXPECT_TRUE(config) << config.error().message;
  if (!config) return nullptr;
  auto out = std::make_unique<Started>();
  auto world = SimWorld::start(*scenario, scenario->seed, out->io, out->clock);
  EXPECT_TRUE(world) << world.error().message;
  if (!world) return nullptr;
  out->world = std::move(*world);
  return out;
}

// Whether cert chains to ca and is valid for host.
bool valid_for(X509* ca, X509* cert, const std::string& host) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host.c_str(), 0);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(WorldIdentity, EachServedHostHasItsCertificateByNameOrAddress) {
  auto s = start("scenarios/basics/hello.toml");
  ASSERT_TRUE(s);
  const TlsIdentity* gitlab = s->world->identity_for("gitlab.example.com");
  ASSERT_NE(gitlab, nullptr);
  EXPECT_EQ(s->world->identity_for("192.0.2.10"), gitlab);
  EXPECT_EQ(X509_check_private_key(gitlab->cert(), gitlab->key()), 1);
  EXPECT_TRUE(valid_for(s->world->ca().cert(), gitlab->cert(), "gitlab.example.com"));
  const TlsIdentity* kube = s->world->identity_for(kKubeName);
  ASSERT_NE(kube, nullptr);
  EXPECT_NE(kube, gitlab);
  EXPECT_TRUE(valid_for(s->world->ca().cert(), kube->cert(), kKubeName));
  EXPECT_EQ(s->world->identity_for("nowhere.invalid"), nullptr);
}

TEST(WorldIdentity, LaterWorldsReuseTheIdentities) {
  auto first = start("scenarios/basics/hello.toml");
  auto second = start("scenarios/basics/hello.toml");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(&first->world->ca(), &second->world->ca());
  EXPECT_EQ(first->world->identity_for("gitlab.example.com"), second->world->identity_for("gitlab.example.com"));
  EXPECT_EQ(first->world->identity_for(kKubeName), second->world->identity_for(kKubeName));
}

TEST(WorldIdentity, AResettingHostHasNoCertificate) {
  auto s = start("scenarios/network/tls-handshake-reset.toml");
  ASSERT_TRUE(s);
  EXPECT_NE(s->world->identity_for("10.0.0.216"), nullptr);  // the runner's way in
  EXPECT_EQ(s->world->identity_for("10.0.0.217"), nullptr);  // the pods' way in resets the handshake
  EXPECT_EQ(s->world->identity_for("gitlab.mylab.com"), s->world->identity_for("10.0.0.216"));
}

}  // namespace
}  // namespace kexsim::sim
