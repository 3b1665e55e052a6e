#include "base/tls.h"

#include <memory>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kexsim {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// Verifies leaf against ca the way a TLS client would (optionally checking a host name), and
// returns OpenSSL's verify result.
int verify(const std::string& ca_pem, const std::string& leaf_pem, const std::string& host = {}, bool ip = false) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_TRUE(add_pem_to_store(ctx, ca_pem));
  X509Ptr leaf = parse(leaf_pem);
  X509_STORE_CTX* sctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(ctx), leaf.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(sctx);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (!host.empty()) {
    if (ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  X509_verify_cert(sctx);
  const int result = X509_STORE_CTX_get_error(sctx);
  X509_STORE_CTX_free(sctx);
  SSL_CTX_free(ctx);
  return result;
}

TEST(CertificateAuthority, IssuesLeafThatVerifiesForItsNames) {
  auto ca = CertificateAuthority::create("kexsim simulation CA");
  ASSERT_TRUE(ca) << ca.error().message;
  auto leaf = ca->issue({"gitlab.mylab.com", "10.0.0.216"});
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_NE(leaf->key_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(verify(ca->cert_pem(), leaf->cert_pem, "gitlab.mylab.com"), X509_V_OK);
  EXPECT_EQ(verify(ca->cert_pem(), leaf->cert_pem, "10.0.0.216", true), X509_V_OK);
}

TEST(CertificateAuthority, WrongNameAndWrongIpAreRejected) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  auto leaf = ca->issue({"gitlab.mylab.com"});
  ASSERT_TRUE(leaf);
  EXPECT_EQ(verify(ca->cert_pem(), leaf->cert_pem, "other.mylab.com"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(ca->cert_pem(), leaf->cert_pem, "10.0.0.1", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST(CertificateAuthority, ExpiredLeafFailsVerification) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  auto leaf = ca->issue({"k8s.local"}, true);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(verify(ca->cert_pem(), leaf->cert_pem), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(CertificateAuthority, AnotherCaIsNotTrusted) {
  auto ca = CertificateAuthority::create("ca");
  auto other = CertificateAuthority::create("other");
  ASSERT_TRUE(ca);
  ASSERT_TRUE(other);
  auto leaf = ca->issue({"k8s.local"});
  ASSERT_TRUE(leaf);
  EXPECT_EQ(verify(other->cert_pem(), leaf->cert_pem), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(CertificateAuthority, SerialsCountUpAndValidityIsFixed) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  auto a = ca->issue({"a"});
  auto b = ca->issue({"b"});
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  X509Ptr ca_cert = parse(ca->cert_pem());
  X509Ptr ca_a = parse(a->cert_pem);
  X509Ptr ca_b = parse(b->cert_pem);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca_cert.get())), 1);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca_a.get())), 2);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca_b.get())), 3);
  ASN1_TIME* expected = ASN1_TIME_new();
  ASN1_TIME_set_string_X509(expected, "20991231235959Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(ca_a.get()), expected), 0);
  ASN1_TIME_free(expected);
}

TEST(CertificateAuthority, RejectsBadNames) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  EXPECT_FALSE(ca->issue({}));
  EXPECT_FALSE(ca->issue({"a,DNS:evil"}));
}

TEST(AddPemToStore, AddsEveryCertificateOfABundle) {
  auto a = CertificateAuthority::create("a");
  auto b = CertificateAuthority::create("b");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_TRUE(add_pem_to_store(ctx, a->cert_pem() + b->cert_pem()));
  EXPECT_EQ(sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))), 2);
  EXPECT_FALSE(add_pem_to_store(ctx, "not a certificate"));
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace kexsim
