#include "plan/units.h"

#include <gtest/gtest.h>

#include "plan/sha256.h"

namespace slipway::plan {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration_ns("0"), 0);
  EXPECT_EQ(parse_duration_ns("3s"), 3000000000LL);
  EXPECT_EQ(parse_duration_ns("1m30s"), 90000000000LL);
  EXPECT_EQ(parse_duration_ns("1.5h"), 5400000000000LL);
  EXPECT_EQ(parse_duration_ns("300ms"), 300000000LL);
  EXPECT_EQ(parse_duration_ns("10us"), 10000LL);
  EXPECT_FALSE(parse_duration_ns(""));
  EXPECT_FALSE(parse_duration_ns("10"));
  EXPECT_FALSE(parse_duration_ns("s"));
  EXPECT_FALSE(parse_duration_ns("10 parsecs"));
  EXPECT_FALSE(parse_duration_ns("99999999999999h"));
}

TEST(Units, Bytes) {
  EXPECT_EQ(parse_bytes("104857600"), 104857600);
  EXPECT_EQ(parse_bytes("64m"), 64LL << 20);
  EXPECT_EQ(parse_bytes("1g"), 1LL << 30);
  EXPECT_EQ(parse_bytes("512kb"), 512LL << 10);
  EXPECT_EQ(parse_bytes("2GiB"), 2LL << 30);
  EXPECT_FALSE(parse_bytes("lots"));
  EXPECT_FALSE(parse_bytes("12q"));
  EXPECT_FALSE(parse_bytes("99999999999p"));
}

}  // namespace
}  // namespace slipway::plan
