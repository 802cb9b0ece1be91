// The file form of a machine (`journey build FILE -o FILE.jm`): a header (magic, format
// version, length, checksum) and the tables in a fixed little-endian layout. Loading checks the
// header, reads every table with bounds checks, then runs the verifier: a truncated, corrupted
// or foreign file is an error with a message, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "runtime/machine.h"

namespace journey::rt {

/// Eight bytes at the start of every `.jm` file.
inline constexpr std::string_view kMachineMagic = "JOURNEY\x1a";

std::string serialize(const Machine& machine);

/// The file form of a body of tables: the header (magic, version, length, checksum), then the
/// body. `serialize` frames the machine's tables; the fuzzer frames arbitrary bytes.
std::string framed(std::string_view body);

struct LoadError {
  std::string message;
};

/// Reads a machine from the bytes of a `.jm` file, verified.
std::variant<Machine, LoadError> deserialize(std::string_view bytes);

/// True when `bytes` starts like a machine file (to tell `.jm` from a spec by content).
bool looksLikeMachine(std::string_view bytes);

}  // namespace journey::rt
