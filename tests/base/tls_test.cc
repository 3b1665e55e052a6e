#include "base/tls.h"

#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kexsim {
namespace {

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// Verifies leaf against ca the way a TLS client would (optionally checking a host name), and
// returns OpenSSL's verify result.
int verify(X509* ca, X509* leaf, const std::string& host = {}, bool ip = false) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_TRUE(add_cert_to_store(ctx, ca));
  X509_STORE_CTX* sctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(ctx), leaf, nullptr);
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

// The same, from PEM (what a client reading files sees).
int verify(const std::string& ca_pem, const std::string& leaf_pem, const std::string& host = {}, bool ip = false) {
  X509Ptr ca = parse(ca_pem);
  X509Ptr leaf = parse(leaf_pem);
  EXPECT_TRUE(ca && leaf);
  if (!ca || !leaf) return -1;
  return verify(ca.get(), leaf.get(), host, ip);
}

// The curve of an EC key, or "" if key is not EC.
std::string curve_of(EVP_PKEY* key) {
  char name[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_is_a(key, "EC") ||
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1)
    return "";
  return std::string(name, len);
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

TEST(CertificateAuthority, KeysAreEcP256AndMatchTheirCertificates) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  auto leaf = ca->issue_identity({"gitlab.mylab.com"});
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_EQ(curve_of(X509_get0_pubkey(ca->cert())), "prime256v1");
  EXPECT_EQ(curve_of(leaf->key()), "prime256v1");
  EXPECT_EQ(X509_check_private_key(leaf->cert(), leaf->key()), 1);
  EXPECT_EQ(verify(ca->cert(), leaf->cert(), "gitlab.mylab.com"), X509_V_OK);
}

TEST(TlsIdentity, PemIsTheSameCertificateAndKey) {
  auto ca = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  auto leaf = ca->issue_identity({"k8s.local"});
  ASSERT_TRUE(leaf);
  auto pem = leaf->to_pem();
  ASSERT_TRUE(pem) << pem.error().message;
  X509Ptr cert = parse(pem->cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_cmp(cert.get(), leaf->cert()), 0);
  BIO* bio = BIO_new_mem_buf(pem->key_pem.data(), static_cast<int>(pem->key_pem.size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_eq(key.get(), leaf->key()), 1);
  X509Ptr ca_cert = parse(ca->cert_pem());
  ASSERT_TRUE(ca_cert);
  EXPECT_EQ(X509_cmp(ca_cert.get(), ca->cert()), 0);
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

TEST(CertificateAuthority, TheSameNamesGiveTheSameBytesAndValidityIsFixed) {
  // A job can print a certificate (CI_DEBUG_TRACE shows CI_SERVER_TLS_CA_FILE), so a CA and its leaves
  // must be the same bytes in every process, whatever else the process issued first.
  auto ca = CertificateAuthority::create("ca");
  auto again = CertificateAuthority::create("ca");
  ASSERT_TRUE(ca);
  ASSERT_TRUE(again);
  EXPECT_EQ(ca->cert_pem(), again->cert_pem());
  auto a = ca->issue({"a"});
  auto b = ca->issue({"b"});
  (void)again->issue({"z"});  // another leaf first must not change a's serial or bytes
  auto a_again = again->issue({"a"});
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  ASSERT_TRUE(a_again);
  EXPECT_EQ(a->cert_pem, a_again->cert_pem);
  EXPECT_EQ(a->key_pem, a_again->key_pem);
  EXPECT_NE(a->cert_pem, b->cert_pem);
  EXPECT_NE(a->key_pem, b->key_pem);
  X509Ptr ca_cert = parse(ca->cert_pem());
  X509Ptr ca_a = parse(a->cert_pem);
  X509Ptr ca_b = parse(b->cert_pem);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca_cert.get())), 1);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca_a.get()), X509_get0_serialNumber(ca_b.get())), 0);
  // The reproducible signatures are real ones: each leaf verifies with the CA's key, the CA with its own.
  EXPECT_EQ(X509_verify(ca_a.get(), X509_get0_pubkey(ca_cert.get())), 1);
  EXPECT_EQ(X509_verify(ca_b.get(), X509_get0_pubkey(ca_cert.get())), 1);
  EXPECT_EQ(X509_verify(ca_cert.get(), X509_get0_pubkey(ca_cert.get())), 1);
  // An expired twin of a leaf is another certificate.
  auto expired = ca->issue({"a"}, true);
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->cert_pem, a->cert_pem);
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

TEST(AddPemToStore, TheCasOwnPemGivesTheCaObjectItself) {
  auto ca = CertificateAuthority::create("pem cache CA");
  ASSERT_TRUE(ca);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_TRUE(add_pem_to_store(ctx, ca->cert_pem()));
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
  ASSERT_EQ(sk_X509_OBJECT_num(objects), 1);
  EXPECT_EQ(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, 0)), ca->cert());  // never decoded
  SSL_CTX_free(ctx);
}

TEST(AddPemToStore, TheSameTextIsParsedOnce) {
  auto ca = CertificateAuthority::create("bundle CA");
  ASSERT_TRUE(ca);
  auto leaf = ca->issue({"a.example"});
  ASSERT_TRUE(leaf);
  const std::string bundle = leaf->cert_pem + ca->cert_pem();
  SSL_CTX* first = SSL_CTX_new(TLS_client_method());
  SSL_CTX* second = SSL_CTX_new(TLS_client_method());
  ASSERT_TRUE(add_pem_to_store(first, bundle));
  ASSERT_TRUE(add_pem_to_store(second, bundle));
  STACK_OF(X509_OBJECT)* a = X509_STORE_get0_objects(SSL_CTX_get_cert_store(first));
  STACK_OF(X509_OBJECT)* b = X509_STORE_get0_objects(SSL_CTX_get_cert_store(second));
  ASSERT_EQ(sk_X509_OBJECT_num(a), 2);
  ASSERT_EQ(sk_X509_OBJECT_num(b), 2);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(a, i)), X509_OBJECT_get0_X509(sk_X509_OBJECT_value(b, i)));
  // The leaf parsed from the bundle is the certificate the CA issued.
  X509Ptr parsed = parse(leaf->cert_pem);
  bool found = false;
  for (int i = 0; i < 2; ++i)
    found = found || X509_cmp(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(a, i)), parsed.get()) == 0;
  EXPECT_TRUE(found);
  SSL_CTX_free(first);
  SSL_CTX_free(second);
}

TEST(AddPemToStore, TextWithoutACertificateAddsNothingEveryTime) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_FALSE(add_pem_to_store(ctx, "not a certificate either"));
  EXPECT_FALSE(add_pem_to_store(ctx, "not a certificate either"));
  EXPECT_EQ(sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))), 0);
  EXPECT_EQ(ERR_peek_error(), 0u);
  SSL_CTX_free(ctx);
}

TEST(AddCertToStore, AddsTheCertificateObject) {
  auto a = CertificateAuthority::create("a");
  ASSERT_TRUE(a);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_TRUE(add_cert_to_store(ctx, a->cert()));
  EXPECT_EQ(sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))), 1);
  EXPECT_FALSE(add_cert_to_store(ctx, nullptr));
  SSL_CTX_free(ctx);
}

TEST(IdentityCache, ReturnsTheSameObjectsForTheSameKey) {
  IdentityCache cache;
  auto ca = cache.authority("kexsim simulation CA");
  auto again = cache.authority("kexsim simulation CA");
  auto rogue = cache.authority("untrusted CA");
  ASSERT_TRUE(ca && again && rogue);
  EXPECT_EQ(ca->get(), again->get());
  EXPECT_NE(ca->get(), rogue->get());

  auto leaf = cache.leaf("kexsim simulation CA", {"gitlab.example.com", "192.0.2.10"});
  auto same = cache.leaf("kexsim simulation CA", {"gitlab.example.com", "192.0.2.10"});
  auto reordered = cache.leaf("kexsim simulation CA", {"192.0.2.10", "gitlab.example.com"});
  auto expired = cache.leaf("kexsim simulation CA", {"gitlab.example.com", "192.0.2.10"}, true);
  auto other_ca = cache.leaf("untrusted CA", {"gitlab.example.com", "192.0.2.10"});
  ASSERT_TRUE(leaf && same && reordered && expired && other_ca);
  EXPECT_EQ(leaf->get(), same->get());
  EXPECT_NE(leaf->get(), reordered->get());
  EXPECT_NE(leaf->get(), expired->get());
  EXPECT_NE(leaf->get(), other_ca->get());
  EXPECT_EQ(verify((*ca)->cert(), (*leaf)->cert(), "gitlab.example.com"), X509_V_OK);
  EXPECT_EQ(verify((*rogue)->cert(), (*other_ca)->cert(), "gitlab.example.com"), X509_V_OK);
  // A leaf made after the CA came from the cache is still that CA's.
  EXPECT_EQ(X509_check_issued((*ca)->cert(), (*reordered)->cert()), X509_V_OK);
}

TEST(IdentityCache, CachedBadCertificatesFailWithTheSameVerdicts) {
  IdentityCache cache;
  auto ca = cache.authority("kexsim simulation CA");
  ASSERT_TRUE(ca);
  for (int round = 0; round < 2; ++round) {  // made, then from the cache
    auto expired = cache.leaf("kexsim simulation CA", {"gitlab.mylab.com"}, true);
    auto wrong_name = cache.leaf("kexsim simulation CA", {"wrong-name.invalid"});
    auto untrusted = cache.leaf("untrusted CA", {"gitlab.mylab.com"});
    ASSERT_TRUE(expired && wrong_name && untrusted);
    EXPECT_EQ(verify((*ca)->cert(), (*expired)->cert(), "gitlab.mylab.com"), X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_EQ(verify((*ca)->cert(), (*wrong_name)->cert(), "gitlab.mylab.com"), X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(verify((*ca)->cert(), (*untrusted)->cert(), "gitlab.mylab.com"),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
}

TEST(IdentityCache, ProcessCacheIsOneInstance) { EXPECT_EQ(&IdentityCache::process(), &IdentityCache::process()); }

TEST(IdentityCache, ThreadsAskingAtOnceGetOneObject) {
  IdentityCache cache;
  constexpr int kThreads = 4;
  std::vector<const TlsIdentity*> seen(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&cache, &seen, i] {
      auto leaf = cache.leaf("ca", {"k8s.local"});
      if (leaf) seen[i] = leaf->get();
    });
  for (auto& t : threads) t.join();
  ASSERT_NE(seen[0], nullptr);
  for (int i = 1; i < kThreads; ++i) EXPECT_EQ(seen[i], seen[0]);
}

TEST(IdentityCache, ReportsBadNames) {
  IdentityCache cache;
  auto leaf = cache.leaf("ca", {"a,DNS:evil"});
  ASSERT_FALSE(leaf);
  EXPECT_NE(leaf.error().message.find("invalid certificate name"), std::string::npos);
}

}  // namespace
}  // namespace kexsim
