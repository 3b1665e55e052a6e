// base/files: whole-file reads and writes as values, and the self-removing temporary directory.

#include "base/files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace kexsim {
namespace {

TEST(Files, WriteThenReadRoundTripsBytes) {
  testing::TestDir dir;
  const std::string path = dir.file("data.bin");
  const std::string content("line\r\n\0\xff", 8);
  ASSERT_TRUE(write_file(path, content).ok());
  auto read = read_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, content);
  ASSERT_TRUE(write_file(path, "short").ok());  // replaces, does not append
  EXPECT_EQ(*read_file(path), "short");
}

TEST(Files, MissingFileIsAnErrorInGoWords) {
  testing::TestDir dir;
  const std::string path = dir.file("token");
  auto read = read_file(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "open " + path + ": no such file or directory");
  EXPECT_EQ(read.error().where, path);
  EXPECT_FALSE(read.error().hint.empty());
}

TEST(Files, WriteIntoAMissingDirectoryFails) {
  testing::TestDir dir;
  const std::string path = dir.file("no/such/dir/f");
  const Status written = write_file(path, "x");
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().message, "open " + path + ": no such file or directory");
}

TEST(Files, TempDirIsRemovedUnlessKept) {
  std::filesystem::path gone, kept;
  {
    TempDir dir("kexsim-files-test");
    ASSERT_TRUE(dir.ok()) << dir.error();
    gone = dir.path();
    EXPECT_TRUE(std::filesystem::is_directory(gone));
    EXPECT_NE(gone.filename().string().find("kexsim-files-test-"), std::string::npos);
    ASSERT_TRUE(write_file(dir.file("inner"), "x").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(gone));
  {
    TempDir dir("kexsim-files-test");
    ASSERT_TRUE(dir.ok()) << dir.error();
    kept = dir.path();
    dir.keep();
  }
  EXPECT_TRUE(std::filesystem::is_directory(kept));
  std::filesystem::remove_all(kept);
}

}  // namespace
}  // namespace kexsim
