// Feeds arbitrary bytes to the `.jm` reader (runtime/file.h). Bytes that start with the magic
// go in as they are (the header's checks); any others are taken as the body and given a valid
// header, checksum included, so that every input reaches the table reader and the verifier. A
// machine that loads must survive a few customers in the engine (a gap in the verifier shows as
// an AddressSanitizer report) and come back byte for byte through serialize.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/engine.h"
#include "runtime/file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace rt = journey::rt;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string bytes = rt::looksLikeMachine(input) ? std::string(input) : rt::framed(input);
  auto loaded = rt::deserialize(bytes);
  if (std::holds_alternative<rt::LoadError>(loaded)) {
    if (std::get<rt::LoadError>(loaded).message.empty()) std::abort();
    return 0;
  }
  const rt::Machine& machine = std::get<rt::Machine>(loaded);
  if (rt::serialize(machine) != bytes) std::abort();
  rt::Program program(machine);
  rt::Counters counters(machine);
  rt::Customer customer(program, &counters, rt::Customer::Options{.maxSteps = 10'000});
  for (std::uint64_t index = 0; index < 4; ++index) {
    customer.start(1, index);
    customer.advanceTo(machine.horizon);
    customer.stopAtHorizon();
  }
  return 0;
}
