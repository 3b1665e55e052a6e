// The in-memory TLS pipe: OpenSSL's verdict for each kind of server identity, and bytes both ways.

#include "fakes/network/tls_pipe.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "base/tls.h"

namespace kexsim::fakes {
namespace {

constexpr int64_t kTlsNow = 1767225600;  // 2026-01-01, inside the simulation certificates' validity

class TlsPipeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ca = CertificateAuthority::create("kexsim simulation CA");
    auto rogue = CertificateAuthority::create("untrusted CA");
    ASSERT_TRUE(ca && rogue);
    ca_ = new CertificateAuthority(std::move(*ca));
    rogue_ = new CertificateAuthority(std::move(*rogue));
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete rogue_;
  }

  static TlsPipeServer identity(const Result<KeyPair>& pair) { return {pair->cert_pem, pair->key_pem, false}; }
  TlsPipeClient client(const std::string& host = "gitlab.mylab.com") const {
    return {host, {ca_->cert_pem()}, true, kTlsNow};
  }

  static CertificateAuthority* ca_;
  static CertificateAuthority* rogue_;
};
CertificateAuthority* TlsPipeTest::ca_ = nullptr;
CertificateAuthority* TlsPipeTest::rogue_ = nullptr;

TEST_F(TlsPipeTest, TrustedCertificateForTheNameCarriesBytesBothWays) {
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(identity(ca_->issue({"gitlab.mylab.com"})), client(), verdict);
  ASSERT_NE(pipe, nullptr) << verdict.error;
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kOk);
  ASSERT_TRUE(pipe->client_write("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(pipe->server_read(), "GET / HTTP/1.1\r\n\r\n");
  // More than the BIO pair holds at once is pumped through in parts.
  const std::string big(300 * 1024, 'x');
  ASSERT_TRUE(pipe->server_write(big));
  EXPECT_EQ(pipe->client_read(), big);
  EXPECT_EQ(pipe->client_read(), "");
}

TEST_F(TlsPipeTest, UnknownCaIsOpenSslsUnableToGetLocalIssuer) {
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(identity(rogue_->issue({"gitlab.mylab.com"})), client(), verdict);
  EXPECT_EQ(pipe, nullptr);
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kVerifyFailed);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(verdict.verify_text, "unable to get local issuer certificate");
}

TEST_F(TlsPipeTest, ExpiredCertificateIsCheckedAtTheVirtualTime) {
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(identity(ca_->issue({"gitlab.mylab.com"}, true)), client(), verdict);
  EXPECT_EQ(pipe, nullptr);
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kVerifyFailed);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(verdict.verify_text, "certificate has expired");
  // In the year 2000 the same certificate is still valid.
  TlsPipeClient early = client();
  early.verify_time = 946728000;  // 2000-01-01T12:00:00Z
  EXPECT_NE(TlsPipe::connect(identity(ca_->issue({"gitlab.mylab.com"}, true)), early, verdict), nullptr);
}

TEST_F(TlsPipeTest, WrongNameIsAHostnameMismatch) {
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(identity(ca_->issue({"wrong-name.invalid"})), client(), verdict);
  EXPECT_EQ(pipe, nullptr);
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kVerifyFailed);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  // An IP literal is matched against the IP SANs.
  EXPECT_EQ(TlsPipe::connect(identity(ca_->issue({"gitlab.mylab.com", "127.0.0.1"})), client("127.0.0.1"), verdict) !=
                nullptr,
            true);
  EXPECT_EQ(TlsPipe::connect(identity(ca_->issue({"gitlab.mylab.com"})), client("10.0.0.216"), verdict), nullptr);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(TlsPipeTest, ResetClosesOnTheClientHello) {
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(TlsPipeServer{"", "", true}, client(), verdict);
  EXPECT_EQ(pipe, nullptr);
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kPeerClosed);
}

TEST_F(TlsPipeTest, WithoutVerificationAnyCertificateIsAccepted) {
  TlsPipeClient insecure = client();
  insecure.verify = false;
  TlsVerdict verdict;
  EXPECT_NE(TlsPipe::connect(identity(rogue_->issue({"wrong-name.invalid"}, true)), insecure, verdict), nullptr);
  EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kOk);
}

TEST_F(TlsPipeTest, ExtraTrustAddsACa) {
  TlsPipeClient trusting = client();
  trusting.trusted_pems.push_back(rogue_->cert_pem());
  TlsVerdict verdict;
  EXPECT_NE(TlsPipe::connect(identity(rogue_->issue({"gitlab.mylab.com"})), trusting, verdict), nullptr);
}

TEST_F(TlsPipeTest, AnIdentityObjectIsPresentedAsItsCertificate) {
  auto issued = ca_->issue_identity({"gitlab.mylab.com"});
  ASSERT_TRUE(issued);
  TlsPipeServer server{.identity = std::make_shared<const TlsIdentity>(std::move(*issued))};
  TlsVerdict verdict;
  auto pipe = TlsPipe::connect(server, client(), verdict);
  ASSERT_NE(pipe, nullptr) << verdict.error;
  ASSERT_TRUE(pipe->client_write("ping"));
  EXPECT_EQ(pipe->server_read(), "ping");
  // The same identity again (its context is shared): the name is still checked per pipe.
  EXPECT_EQ(TlsPipe::connect(server, client("other.mylab.com"), verdict), nullptr);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_NE(TlsPipe::connect(server, client(), verdict), nullptr);
}

TEST_F(TlsPipeTest, EveryPipeRunsAFullHandshake) {
  auto issued = ca_->issue_identity({"gitlab.mylab.com"});
  ASSERT_TRUE(issued);
  TlsPipeServer server{.identity = std::make_shared<const TlsIdentity>(std::move(*issued))};
  TlsVerdict verdict;
  for (int i = 0; i < 3; ++i) {
    auto pipe = TlsPipe::connect(server, client(), verdict);
    ASSERT_NE(pipe, nullptr) << verdict.error;
    // The server's ticket arrives with its first bytes; the next pipe still does not offer it.
    ASSERT_TRUE(pipe->server_write("pong"));
    EXPECT_EQ(pipe->client_read(), "pong");
    EXPECT_FALSE(pipe->session_reused()) << "pipe " << i;
  }
}

TEST_F(TlsPipeTest, SharedContextsKeepEachClientsTrust) {
  const TlsPipeServer server = identity(ca_->issue({"gitlab.mylab.com"}));
  TlsPipeClient rogue_only = client();
  rogue_only.trusted_pems = {rogue_->cert_pem()};
  TlsVerdict verdict;
  EXPECT_EQ(TlsPipe::connect(server, rogue_only, verdict), nullptr);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(TlsPipe::connect(server, client(), verdict), nullptr);
  EXPECT_EQ(TlsPipe::connect(server, rogue_only, verdict), nullptr);
  EXPECT_EQ(verdict.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(TlsPipeTest, AKeyThatDoesNotLoadIsReportedEveryTime) {
  TlsPipeServer broken = identity(ca_->issue({"gitlab.mylab.com"}));
  broken.key_pem = "not a key";
  for (int i = 0; i < 2; ++i) {
    TlsVerdict verdict;
    EXPECT_EQ(TlsPipe::connect(broken, client(), verdict), nullptr);
    EXPECT_EQ(verdict.kind, TlsVerdict::Kind::kFailed);
    EXPECT_EQ(verdict.error.rfind("the server's certificate or key does not load", 0), 0u) << verdict.error;
  }
}

}  // namespace
}  // namespace kexsim::fakes
