#include "util/read_input.h"

#include <gtest/gtest.h>

#include <sstream>

#include "util/error.h"

namespace slipway {
namespace {

TEST(ReadInput, ReadsUpToTheLimit) {
  std::istringstream in(std::string(100, 'x'));
  EXPECT_EQ(read_input_stream(in, "f", "compose file", 100).size(), 100u);
}

TEST(ReadInput, RefusesMoreThanTheLimit) {
  std::istringstream in(std::string(101, 'x'));
  try {
    read_input_stream(in, "f", "compose file", 100);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("f: the compose file is larger than 100 bytes"), std::string::npos)
        << e.what();
  }
}

TEST(ReadInput, StopsReadingAnEndlessStream) {
  // /dev/zero never ends: the read must stop at the limit rather than fill the memory.
  EXPECT_THROW(read_input_file("/dev/zero", "env file", 1u << 20), UserError);
}

TEST(ReadInput, MissingFileIsAnEnvironmentError) {
  EXPECT_THROW(read_input_file("/nonexistent/compose.yaml", "compose file"), EnvError);
}

}  // namespace
}  // namespace slipway
