#include "executor/url_sanitizer.h"

#include <gtest/gtest.h>

#include "executor/trace.h"
#include "tests/support/manual_clock.h"

namespace kexsim::executor {
namespace {

// Writes `input` split at each '|' (as upstream's test does), then closes.
std::string sanitize(std::string_view input) {
  UrlSanitizer s;
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t bar = input.find('|', start);
    s.write(input.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start), out);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  s.close(out);
  return out;
}

struct Case {
  std::string input;
  std::string expected;
};

TEST(UrlSanitizer, UpstreamTable) {
  // common/buildlogger/internal/urlsanitizer/urlsanitizer_test.go TestMasking (19.4; the same table
  // from 15.4 but for two rows).
  const std::string long_zeros(8 * 1024, '0');
  const std::vector<Case> cases = {
      {"no escaping at all http://example.org/?test=foobar", "no escaping at all http://example.org/?test=foobar"},
      {"multiple: &private_token=hello &?x-amz-security-token=hello &?x-amz-security-token=hello "
       "?x-amz-security?x-amz-security-token=hello",
       "multiple: &private_token=[MASKED] &?x-amz-security-token=[MASKED] &?x-amz-security-token=[MASKED] "
       "?x-amz-security?x-amz-security-token=[MASKED]"},
      {"above known key size: http://example.org/?this-is-a-really-really-long-key-name=foobar",
       "above known key size: http://example.org/?this-is-a-really-really-long-key-name=foobar"},
      {"http://example.com/?private_token=deadbeef sensitive URL at the start",
       "http://example.com/?private_token=[MASKED] sensitive URL at the start"},
      {"a sensitive URL at the end http://example.com/?authenticity_token=deadbeef",
       "a sensitive URL at the end http://example.com/?authenticity_token=[MASKED]"},
      {"a sensitive URL http://example.com/?rss_token=deadbeef in the middle",
       "a sensitive URL http://example.com/?rss_token=[MASKED] in the middle"},
      {"a sensitive URL http://example.com/?X-AMZ-sigNATure=deadbeef with mixed case",
       "a sensitive URL http://example.com/?X-AMZ-sigNATure=[MASKED] with mixed case"},
      {"a sensitive URL http://example.com/?param=second&x-amz-credential=deadbeef second param",
       "a sensitive URL http://example.com/?param=second&x-amz-credential=[MASKED] second param"},
      {"a sensitive URL http://example.com/?rss_token=hide&x-amz-credential=deadbeef both params",
       "a sensitive URL http://example.com/?rss_token=[MASKED]&x-amz-credential=[MASKED] both params"},
      {"a long sensitive URL http://example.com/?x-amz-credential=abcdefghijklmnopqrstuvwxyz0123456789"
       "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789",
       "a long sensitive URL http://example.com/?x-amz-credential=[MASKED]"},
      {"a really long sensitive URL http://example.com/?x-amz-credential=" + long_zeros + " that is still scrubbed",
       "a really long sensitive URL http://example.com/?x-amz-credential=[MASKED] that is still scrubbed"},
      {"spl|it sensit|ive UR|L http://example.com/?x-amz-cred|ential=abcdefghij|klmnopqrstuvwxyz01234567",
       "split sensitive URL http://example.com/?x-amz-credential=[MASKED]"},
      {"newline: http://example.com/?x-amz-credential=abc\nhttp://example.com/?x-amz-credential=abc",
       "newline: http://example.com/?x-amz-credential=[MASKED]\nhttp://example.com/?x-amz-credential=[MASKED]"},
      {"control character: http://example.com/?x-amz-credential=abc\bhttp://example.com/?x-amz-credential=abc",
       "control character: http://example.com/?x-amz-credential=[MASKED]\bhttp://example.com/?x-amz-credential=[MASKED]"},
      {"rss_token=notmasked http://example.com/?rss_token=!@#$A&x-amz-credential=abc&test=test",
       "rss_token=notmasked http://example.com/?rss_token=[MASKED]&x-amz-credential=[MASKED]&test=test"},
      {"query string with no value: http://example.com/?x-amz-credential=&private_token=gitlab",
       "query string with no value: http://example.com/?x-amz-credential=[MASKED]&private_token=[MASKED]"},
      {"invalid URL with double &: http://example.com/?x-amz-credential=abc&&private_token=gitlab",
       "invalid URL with double &: http://example.com/?x-amz-credential=[MASKED]&&private_token=[MASKED]"},
      {"invalid URL with double ?: http://example.com/?x-amz-credential=abc??private_token=gitlab",
       "invalid URL with double ?: http://example.com/?x-amz-credential=[MASKED]??private_token=[MASKED]"},
      {"split on &: http://example.com/|&|x-amz-cre|dential=abc", "split on &: http://example.com/&x-amz-credential=[MASKED]"},
      {"split on ?: http://example.com/|?|x-amz-cre|dential=abc", "split on ?: http://example.com/?x-amz-credential=[MASKED]"},
      {"split after ?: http://example.com/|?||x-amz-cre|dential=abc",
       "split after ?: http://example.com/?x-amz-credential=[MASKED]"},
      {"interweaved tokens: ?|one ?x-amz-credential=abc two=three ?|one=two &token &x-amz-credential=abc =token ?=",
       "interweaved tokens: ?one ?x-amz-credential=[MASKED] two=three ?one=two &token &x-amz-credential=[MASKED] "
       "=token ?="},
      {"terminated before mask: ?x", "terminated before mask: ?x"},
      {"terminated before mask: ?x|-", "terminated before mask: ?x-"},
      {"terminated before mask: ?x-|", "terminated before mask: ?x-"},
      {"terminated before mask: ?x-amz-credential=", "terminated before mask: ?x-amz-credential=[MASKED]"},
      {"terminated before mask: ?x-amz-credential=|", "terminated before mask: ?x-amz-credential=[MASKED]"},
  };
  for (const auto& c : cases) EXPECT_EQ(sanitize(c.input), c.expected) << c.input;
}

TEST(UrlSanitizer, EachKeyInAnyCaseAndNoFalsePositives) {
  for (const char* key : {"private_token", "authenticity_token", "rss_token", "x-amz-signature", "x-amz-credential",
                          "x-amz-security-token", "PRIVATE_TOKEN", "X-Amz-Security-Token"}) {
    EXPECT_EQ(sanitize(std::string("https://h/p?") + key + "=s3cr3t&a=b"), std::string("https://h/p?") + key + "=[MASKED]&a=b")
        << key;
  }
  // The key must be the whole parameter name, after '?' or '&'.
  for (const char* line : {"https://h/?private_tokenX=s3cr3t", "https://h/?xprivate_token=s3cr3t", "private_token=s3cr3t",
                           "https://h/?private-token=s3cr3t", "https://h/?private_token s3cr3t"})
    EXPECT_EQ(sanitize(line), line) << line;
  // strings.ToLower maps U+212A KELVIN SIGN to 'k'.
  EXPECT_EQ(sanitize("?private_to\xE2\x84\xAA" "en=s3cr3t"), "?private_to\xE2\x84\xAA" "en=[MASKED]");
}

TEST(UrlSanitizer, ValueEndsAtSpacesAndControlsOnly) {
  EXPECT_EQ(sanitize("?private_token=a/b:c#d;e\"f' x"), "?private_token=[MASKED] x");
  EXPECT_EQ(sanitize("?private_token=abc\tx"), "?private_token=[MASKED]\tx");
  EXPECT_EQ(sanitize("?private_token=abc\xC2\xA0x"), "?private_token=[MASKED]\xC2\xA0x");       // NBSP
  EXPECT_EQ(sanitize("?private_token=abc\xE3\x80\x80x"), "?private_token=[MASKED]\xE3\x80\x80x");  // U+3000
  EXPECT_EQ(sanitize("?private_token=ab\xC3\xA9" "c x"), "?private_token=[MASKED] x");              // é is a value byte
}

TEST(UrlSanitizer, ValueSplitAcrossWritesAndKeySplitAtItsFullLength) {
  // A quote is not a parameter end: the value runs to the space.
  EXPECT_EQ(sanitize("curl 'https://h/api?private_token=glpat-ab|cdef|gh' -o x"), "curl 'https://h/api?private_token=[MASKED] -o x");
  // Upstream keeps at most 21 bytes of key: the longest key whole, then '=' in the next write, is missed.
  EXPECT_EQ(sanitize("?x-amz-security-toke|n=abc"), "?x-amz-security-token=[MASKED]");
  EXPECT_EQ(sanitize("?x-amz-security-token|=abc"), "?x-amz-security-token=abc");
}

TEST(ScrubUrlSecrets, FiltersRunnerLines) {
  // helpers/url/scrub_secrets_test.go facts: the '?'/'&' stays, the value up to '&' or a space goes.
  EXPECT_EQ(scrub_url_secrets(Profile::kV15_11, "Get http://localhost/?id=123&X-Amz-Signature=abcd1234&private_token=abcd1234"),
            "Get http://localhost/?id=123&X-Amz-Signature=[FILTERED]&private_token=[FILTERED]");
  EXPECT_EQ(scrub_url_secrets(Profile::kV15_11, "x ?Private-Token=1 &rss_token=2 ?authenticity_token=3?x=y z"),
            "x ?Private-Token=[FILTERED] &rss_token=[FILTERED] ?authenticity_token=[FILTERED] z");
  // The X-AMZ keys need no separator; X-AMZ-Security-Token only from 14.5.
  EXPECT_EQ(scrub_url_secrets(Profile::kV15_11, "aX-AMZ-Security-Token=t b"), "aX-AMZ-Security-Token=[FILTERED] b");
  EXPECT_EQ(scrub_url_secrets(Profile::kV13_12, "aX-AMZ-Security-Token=t b"), "aX-AMZ-Security-Token=t b");
  EXPECT_EQ(scrub_url_secrets(Profile::kV13_12, "?private_tokenX=1 private_token=2"), "?private_tokenX=1 private_token=2");
  // The value class takes a newline too.
  EXPECT_EQ(scrub_url_secrets(Profile::kV13_12, "?rss_token=abc\n"), "?rss_token=[FILTERED]");
}

// The trace reads the clock only for sections and timestamps, which these tests leave off.
struct EpochClock : testing::ManualClock {
  EpochClock() : ManualClock(TimePoint(std::chrono::seconds(0))) {}
};

constexpr std::string_view kEcho = "curl https://gitlab.mylab.com/api/v4/projects?private_token=glpat-Ab3dE6gH9jK2mN5pQ8sT\n";

TEST(JobTraceUrls, ContainerOutputIsMaskedFrom1611) {
  for (const Profile p : {Profile::kV16_11, Profile::kV17_11, Profile::kV18_11, Profile::kV19_4}) {
    EpochClock clock;
    JobTrace t(clock, p, false, {}, {});
    t.raw(kEcho.substr(0, 70));
    t.raw(kEcho.substr(70));
    t.flush();
    EXPECT_EQ(t.bytes(), "curl https://gitlab.mylab.com/api/v4/projects?private_token=[MASKED]\n") << profile_name(p);
  }
}

TEST(JobTraceUrls, OlderRunnersLeakContainerOutputButFilterTheirOwnLines) {
  EpochClock clock;
  JobTrace t(clock, Profile::kV15_11, false, {}, {});
  t.raw("https://h/x?private_token=abc\n");
  t.error("Get https://h/x?private_token=abc");
  EXPECT_EQ(t.bytes(), "https://h/x?private_token=abc\n\033[31;1mERROR: Get https://h/x?private_token=[FILTERED]\033[0;m\n");
  // 13.12 scrubs the line with its newline, so a value at the end swallows it.
  JobTrace old(clock, Profile::kV13_12, false, {}, {});
  old.raw("https://h/x?private_token=abc\n");
  old.error("Get https://h/x?private_token=abc");
  EXPECT_EQ(old.bytes(), "https://h/x?private_token=abc\n\033[31;1mERROR: Get https://h/x?private_token=[FILTERED]\033[0;m");
}

TEST(JobTraceUrls, TheFlagMasksEverythingIn15) {
  EpochClock clock;
  JobTrace t(clock, Profile::kV15_11, false, {}, {}, false, /*improved_url_masking=*/true);
  t.raw("https://h/x?private_token=ab");
  t.raw("c&rss_token=");
  t.error("Get https://h/x?private_token=abc");
  EXPECT_EQ(t.bytes(), "https://h/x?private_token=[MASKED]&rss_token=[MASKED]\033[31;1mERROR: Get https://h/x?private_token=[MASKED]\033[0;m\n");
}

TEST(JobTraceUrls, UrlAtTheEndOfTheLogAndWithPhrasesAndTokens) {
  EpochClock clock;
  JobTrace t(clock, Profile::kV19_4, false, {"s3cr3t"}, {});
  t.raw("a s3cr3t glpat-xyz ?private_token=glpat-xyz");
  t.flush();
  EXPECT_EQ(t.bytes(), "a [MASKED] glpat-[MASKED] ?private_token=[MASKED]");
}

}  // namespace
}  // namespace kexsim::executor
