// The neutral SPDY/3 codec on its own: frames both exec ends build and parse, and one connection
// direction's header compression (tests/fakes/spdy_test.cc checks it against raw zlib and the fake).

#include "base/spdy_codec.h"

#include <string>

#include <gtest/gtest.h>

namespace kexsim::spdy {
namespace {

TEST(SpdyCodec, FramesTheExecClientSendsParseBack) {
  HeaderCompressor deflate;
  std::string wire = syn_stream_frame(3, 0, deflate.compress({{"streamtype", "stdin"}})) +
                     data_frame(3, 0, "echo hi\n") + data_frame(3, kFlagFin, {}) +
                     rst_stream_frame(3, RstStatus::kCancel) + goaway_frame(0, GoAwayStatus::kOk);
  wire.pop_back();  // the last frame is incomplete until its final byte arrives
  HeaderDecompressor inflate;
  auto syn = take_frame(wire);
  ASSERT_TRUE(syn);
  EXPECT_TRUE(syn->control);
  EXPECT_EQ(syn->type, static_cast<uint16_t>(ControlType::kSynStream));
  EXPECT_EQ(read_u32(syn->payload, 0), 3u);
  auto headers = inflate.decompress(std::string_view(syn->payload).substr(10));
  ASSERT_TRUE(headers) << headers.error().message;
  EXPECT_EQ(*headers, (Headers{{"streamtype", "stdin"}}));
  auto data = take_frame(wire);
  ASSERT_TRUE(data);
  EXPECT_FALSE(data->control);
  EXPECT_EQ(data->stream_id, 3u);
  EXPECT_EQ(data->payload, "echo hi\n");
  auto fin = take_frame(wire);
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->flags, kFlagFin);
  EXPECT_EQ(fin->payload, "");
  auto rst = take_frame(wire);
  ASSERT_TRUE(rst);
  EXPECT_EQ(read_u32(rst->payload, 4), static_cast<uint32_t>(RstStatus::kCancel));
  EXPECT_FALSE(take_frame(wire));
  wire.push_back('\0');
  auto goaway = take_frame(wire);
  ASSERT_TRUE(goaway);
  EXPECT_EQ(goaway->type, static_cast<uint16_t>(ControlType::kGoAway));
  EXPECT_TRUE(wire.empty());
}

TEST(SpdyCodec, OneDirectionsBlocksShareTheirZlibStream) {
  HeaderCompressor deflate;
  HeaderDecompressor inflate;
  const Headers first{{"streamtype", "error"}}, second{{"streamtype", "stdout"}, {"x", std::string("a\0b", 3)}};
  const std::string a = deflate.compress(first);
  const std::string b = deflate.compress(second);
  auto got = inflate.decompress(a);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, first);
  got = inflate.decompress(b);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, second);
  HeaderDecompressor fresh;  // b alone lacks the history a started: it must not decode
  EXPECT_FALSE(fresh.decompress(b));
}

}  // namespace
}  // namespace kexsim::spdy
