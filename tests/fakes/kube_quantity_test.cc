// Kubernetes quantities: parse and canonical String() as apimachinery's quantity_test.go expects.

#include <gtest/gtest.h>

#include "fakes/kube/quantity.h"

namespace kexsim::fakes {
namespace {

std::string canonical(const std::string& text) {
  auto q = Quantity::parse(text);
  return q.ok() ? q->to_string() : "error: " + q.error().message;
}

TEST(KubeQuantity, CanonicalFormsFromTheReference) {
  // k8s-cluster-messages.md §7 (apimachinery quantity.go CanonicalizeBytes).
  EXPECT_EQ(canonical("500m"), "500m");
  EXPECT_EQ(canonical("0.5"), "500m");
  EXPECT_EQ(canonical("1.5"), "1500m");
  EXPECT_EQ(canonical("2"), "2");
  EXPECT_EQ(canonical("2000m"), "2");
  EXPECT_EQ(canonical("4Gi"), "4Gi");
  EXPECT_EQ(canonical("4096Mi"), "4Gi");
  EXPECT_EQ(canonical("1.5Gi"), "1536Mi");
  EXPECT_EQ(canonical("0.5Gi"), "512Mi");
  EXPECT_EQ(canonical("0.5Ki"), "512");
  EXPECT_EQ(canonical("4G"), "4G");
  EXPECT_EQ(canonical("4000M"), "4G");
  EXPECT_EQ(canonical("1000"), "1k");
  EXPECT_EQ(canonical("1024"), "1024");
  EXPECT_EQ(canonical("1e3"), "1e3");
  EXPECT_EQ(canonical("128974848"), "128974848");
  EXPECT_EQ(canonical("129M"), "129M");
}

TEST(KubeQuantity, UpstreamTableCases) {
  // Cases from apimachinery pkg/api/resource/quantity_test.go TestQuantityParse / TestQuantityString.
  EXPECT_EQ(canonical("0"), "0");
  EXPECT_EQ(canonical("0n"), "0");
  EXPECT_EQ(canonical("0Ki"), "0");
  EXPECT_EQ(canonical("1Ki"), "1Ki");
  EXPECT_EQ(canonical("8Ki"), "8Ki");
  EXPECT_EQ(canonical("7Mi"), "7Mi");
  EXPECT_EQ(canonical("1024Ki"), "1Mi");
  EXPECT_EQ(canonical("100Ki"), "100Ki");
  EXPECT_EQ(canonical("1Mi"), "1Mi");
  EXPECT_EQ(canonical("1.5Mi"), "1536Ki");
  EXPECT_EQ(canonical("1n"), "1n");
  EXPECT_EQ(canonical("1u"), "1u");
  EXPECT_EQ(canonical("1m"), "1m");
  EXPECT_EQ(canonical("1k"), "1k");
  EXPECT_EQ(canonical("1M"), "1M");
  EXPECT_EQ(canonical("1G"), "1G");
  EXPECT_EQ(canonical("1T"), "1T");
  EXPECT_EQ(canonical("1P"), "1P");
  EXPECT_EQ(canonical("1E"), "1E");
  EXPECT_EQ(canonical("1.001"), "1.001");  // kept: scale -3, "1001" is canonical digits
  EXPECT_EQ(canonical("1.0010"), "1001m");
  EXPECT_EQ(canonical("0.1m"), "100u");
  EXPECT_EQ(canonical(".5"), "500m");
  EXPECT_EQ(canonical("1."), "1.");
  EXPECT_EQ(canonical("1.G"), "1.G");
  EXPECT_EQ(canonical("1000E"), "1e21");  // no DecimalSI suffix above E: exponent notation
  EXPECT_EQ(canonical("-1"), "-1");
  EXPECT_EQ(canonical("-500m"), "-500m");
  EXPECT_EQ(canonical("-0.5"), "-500m");
  EXPECT_EQ(canonical("1E3"), "1E3");  // exponent suffix, not exa: "E3" is an exponent
  EXPECT_EQ(canonical("1e-3"), "1e-3");
  EXPECT_EQ(canonical("100e-3"), "100e-3");
  EXPECT_EQ(canonical("1000e-3"), "1");
  EXPECT_EQ(canonical("10e3"), "10e3");
  EXPECT_EQ(canonical("1e6"), "1e6");
  EXPECT_EQ(canonical("1e9"), "1e9");
  // Below a nano-unit, values are rounded up to 1n.
  EXPECT_EQ(canonical("0.1n"), "1n");
  EXPECT_EQ(canonical("1.0000000001"), "1000000001n");
  // A canonical input is kept as given, sign included (the cached string).
  EXPECT_EQ(canonical("+1"), "+1");
  EXPECT_EQ(canonical("+4Gi"), "+4Gi");
}

TEST(KubeQuantity, ErrorsAreApimachinerysMessages) {
  const std::string format_wrong =
      "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  EXPECT_EQ(canonical(""), format_wrong);
  EXPECT_EQ(canonical("abc"), format_wrong);
  EXPECT_EQ(canonical("1 Gi"), format_wrong);
  EXPECT_EQ(canonical("1GB"), format_wrong);
  EXPECT_EQ(canonical("1Gix"), format_wrong);
  EXPECT_EQ(canonical("1ki"), "error: unable to parse quantity's suffix");
  EXPECT_EQ(canonical("1Kb"), format_wrong);
  EXPECT_EQ(canonical("1e"), "error: unable to parse quantity's suffix");
  EXPECT_EQ(canonical("1i"), "error: unable to parse quantity's suffix");
  auto q = Quantity::parse("cpu");
  ASSERT_FALSE(q.ok());
  EXPECT_FALSE(q.error().hint.empty());
}

TEST(KubeQuantity, MilliAndValueRoundUp) {
  EXPECT_EQ(Quantity::parse("500m")->milli(), 500);
  EXPECT_EQ(Quantity::parse("0.5")->milli(), 500);
  EXPECT_EQ(Quantity::parse("2")->milli(), 2000);
  EXPECT_EQ(Quantity::parse("1u")->milli(), 1);
  EXPECT_EQ(Quantity::parse("4Gi")->value(), 4LL << 30);
  EXPECT_EQ(Quantity::parse("4G")->value(), 4000000000LL);
  EXPECT_EQ(Quantity::parse("100Ki")->value(), 102400);
  EXPECT_EQ(Quantity::parse("1e3")->value(), 1000);
  EXPECT_EQ(Quantity::parse("1500m")->value(), 2);
  EXPECT_EQ(Quantity::parse("1")->value(), 1);
}

TEST(KubeQuantity, PlusKeepsTheLeftFormat) {
  EXPECT_EQ(Quantity::parse("100m")->plus(*Quantity::parse("1")).to_string(), "1100m");
  EXPECT_EQ(Quantity::parse("1Gi")->plus(*Quantity::parse("1Gi")).to_string(), "2Gi");
  EXPECT_EQ(Quantity::of(3).to_string(), "3");
  EXPECT_EQ(Quantity::of(1, Quantity::Format::kBinarySI).to_string(), "1");
}

}  // namespace
}  // namespace kexsim::fakes
