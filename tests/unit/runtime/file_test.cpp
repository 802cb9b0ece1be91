// The `.jm` file form: a round trip keeps every table; truncated, corrupted or foreign bytes
// give a LoadError, never a crash.
#include "runtime/file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "compiler/driver/machine.h"
#include "runtime/print.h"

namespace rt = journey::rt;

namespace {

rt::Machine example(const char* name) {
  journey::DiskFileReader disk;
  auto compilation =
      journey::compile(std::string(JOURNEY_SOURCE_DIR) + "/examples/" + name + ".journey", disk);
  auto machine = journey::buildMachine(*compilation, {});
  if (!machine) throw std::runtime_error(std::string(name) + " does not compile");
  return *machine;
}

/// The header's checksum recomputed (FNV-1a over the body), so that corruption reaches the
/// table reader and the verifier instead of stopping at the checksum.
void resign(std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::size_t i = 28; i < bytes.size(); ++i) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= 1099511628211ull;
  }
  std::memcpy(bytes.data() + 20, &hash, sizeof hash);
}

}  // namespace

TEST(MachineFile, RoundTripKeepsEverything) {
  for (const char* name : {"business_phone", "ecommerce", "retention", "saas_trial", "retail"}) {
    rt::Machine machine = example(name);
    std::string bytes = rt::serialize(machine);
    ASSERT_TRUE(rt::looksLikeMachine(bytes));
    auto loaded = rt::deserialize(bytes);
    ASSERT_TRUE(std::holds_alternative<rt::Machine>(loaded))
        << name << ": " << std::get<rt::LoadError>(loaded).message;
    const rt::Machine& back = std::get<rt::Machine>(loaded);
    EXPECT_EQ(rt::serialize(back), bytes) << name;
    EXPECT_EQ(rt::print(back), rt::print(machine)) << name;
    EXPECT_EQ(back.source, machine.source) << name;
  }
}

TEST(MachineFile, TruncatedFilesAreErrors) {
  std::string bytes = rt::serialize(example("business_phone"));
  std::size_t step = std::max<std::size_t>(1, bytes.size() / 997);
  for (std::size_t length = 0; length < bytes.size(); length += length < 64 ? 1 : step) {
    auto loaded = rt::deserialize(std::string_view(bytes).substr(0, length));
    ASSERT_TRUE(std::holds_alternative<rt::LoadError>(loaded)) << "length " << length;
    EXPECT_FALSE(std::get<rt::LoadError>(loaded).message.empty());
  }
  // Truncated and re-signed: the table reader notices.
  for (std::size_t length = 28; length < bytes.size(); length += step) {
    std::string cut = bytes.substr(0, length);
    std::uint64_t size = length - 28;
    std::memcpy(cut.data() + 12, &size, sizeof size);
    resign(cut);
    auto loaded = rt::deserialize(cut);
    ASSERT_TRUE(std::holds_alternative<rt::LoadError>(loaded)) << "length " << length;
  }
}

TEST(MachineFile, ForeignAndWrongVersionFilesAreErrors) {
  EXPECT_TRUE(std::holds_alternative<rt::LoadError>(rt::deserialize("")));
  EXPECT_TRUE(std::holds_alternative<rt::LoadError>(rt::deserialize("journey J { }")));
  std::string bytes = rt::serialize(example("business_phone"));
  std::string other = bytes;
  other[8] = 99;  // version
  auto loaded = rt::deserialize(other);
  ASSERT_TRUE(std::holds_alternative<rt::LoadError>(loaded));
  EXPECT_NE(std::get<rt::LoadError>(loaded).message.find("version 99"), std::string::npos);
  other = bytes + "x";
  EXPECT_TRUE(std::holds_alternative<rt::LoadError>(rt::deserialize(other)));
}

// Every bit flip is caught by the checksum; re-signed, it reaches the reader and the verifier,
// which either refuse it or accept a machine that is well-formed (a flipped letter in a name).
TEST(MachineFile, BitFlipsAreErrorsOrWellFormed) {
  std::string bytes = rt::serialize(example("business_phone"));
  int refused = 0, accepted = 0;
  for (std::size_t i = 28; i < bytes.size(); i += 13) {
    for (int bit = static_cast<int>(i % 2); bit < 8; bit += 4) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      auto plain = rt::deserialize(flipped);
      ASSERT_TRUE(std::holds_alternative<rt::LoadError>(plain)) << "byte " << i;
      EXPECT_NE(std::get<rt::LoadError>(plain).message.find("checksum"), std::string::npos);
      resign(flipped);
      auto loaded = rt::deserialize(flipped);
      if (std::holds_alternative<rt::LoadError>(loaded)) {
        ++refused;
      } else {
        ++accepted;
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(accepted, 0);
}
