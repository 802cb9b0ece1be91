#include "runtime/file.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <type_traits>

#include "runtime/verify.h"

namespace journey::rt {
namespace {

static_assert(std::endian::native == std::endian::little, "the file form is little-endian");

// One list of fields per struct, walked by both the writer and the reader, so the two cannot
// disagree about the layout.
template <typename IO>
void fields(IO& io, Instr& x) {
  io(x.op, x.a, x.k);
}
template <typename IO>
void fields(IO& io, Expr& x) {
  io(x.begin, x.size, x.type, x.constant, x.sampled, x.value, x.place);
}
template <typename IO>
void fields(IO& io, Branch& x) {
  io(x.kind, x.value, x.target);
}
template <typename IO>
void fields(IO& io, Target& x) {
  io(x.kind, x.stage, x.firstBranch, x.branchCount, x.place);
}
template <typename IO>
void fields(IO& io, Persona& x) {
  io(x.name, x.display, x.share);
}
template <typename IO>
void fields(IO& io, Attribute& x) {
  io(x.name, x.type);
}
template <typename IO>
void fields(IO& io, Var& x) {
  io(x.name, x.type, x.initial);
}
template <typename IO>
void fields(IO& io, Param& x) {
  io(x.name, x.type, x.value, x.text, x.overridden);
}
template <typename IO>
void fields(IO& io, Channel& x) {
  io(x.name, x.cost, x.capCount, x.capWindow, x.capPolicy, x.hasQuiet, x.quietStart, x.quietEnd,
     x.quietPolicy);
}
template <typename IO>
void fields(IO& io, Touchpoint& x) {
  io(x.name, x.display, x.channel, x.stage, x.cost, x.emotion, x.duration, x.responseProbability,
     x.responseEvent, x.responseDelay, x.nps);
}
template <typename IO>
void fields(IO& io, Stage& x) {
  io(x.name, x.display, x.kind, x.milestone, x.firstTouchpoint, x.touchpointCount, x.value,
     x.periodValue, x.period, x.firstEventTransition, x.eventTransitionCount, x.firstEvent,
     x.eventCount);
}
template <typename IO>
void fields(IO& io, Transition& x) {
  io(x.delay, x.target);
}
template <typename IO>
void fields(IO& io, EventTransition& x) {
  io(x.event, x.firstTarget);
}
template <typename IO>
void fields(IO& io, PayloadField& x) {
  io(x.name, x.type, x.value);
}
template <typename IO>
void fields(IO& io, Event& x) {
  io(x.name, x.display, x.firstField, x.fieldCount, x.value);
}
template <typename IO>
void fields(IO& io, Kpi& x) {
  io(x.name, x.display, x.value, x.primary);
}
template <typename IO>
void fields(IO& io, Action& x) {
  io(x.kind, x.index, x.value);
}
template <typename IO>
void fields(IO& io, Rule& x) {
  io(x.name, x.display, x.trigger, x.triggerIndex, x.triggerValue, x.firstStage, x.stageCount,
     x.firstPersona, x.personaCount, x.condition, x.payloadEvent, x.priority, x.capCount,
     x.capWindow, x.firstAction, x.actionCount);
}
template <typename IO>
void fields(IO& io, Machine& x) {
  io(x.name, x.display, x.source, x.currency, x.horizon, x.entry, x.personas, x.attributes,
     x.personaAttributes, x.vars, x.params, x.channels, x.stages, x.touchpoints, x.events, x.rules,
     x.kpis, x.discountRate, x.discountPeriod, x.lifetime, x.afters, x.stageTouchpoints,
     x.eventTransitions, x.eventTargets, x.stageEvents, x.eventMeans, x.eventInStage,
     x.payloadFields, x.ruleStages, x.rulePersonas, x.actions, x.targets, x.branches, x.exprs,
     x.code, x.strings, x.places);
}

template <typename T>
constexpr bool kScalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

class Writer {
 public:
  std::string out;

  template <typename... T>
  void operator()(T&... values) {
    (write(values), ...);
  }

 private:
  template <typename T>
  void write(T& value) {
    if constexpr (kScalar<T>) {
      char bytes[sizeof(T)];
      std::memcpy(bytes, &value, sizeof(T));
      out.append(bytes, sizeof(T));
    } else {
      fields(*this, value);
    }
  }
  void write(std::string& value) {
    std::uint64_t size = value.size();
    write(size);
    out += value;
  }
  template <typename T>
  void write(std::vector<T>& values) {
    std::uint64_t size = values.size();
    write(size);
    for (auto& value : values)
      write(value);
  }
};

struct Truncated {};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <typename... T>
  void operator()(T&... values) {
    (read(values), ...);
  }

  bool atEnd() const { return in_.empty(); }

 private:
  void take(void* into, std::size_t size) {
    if (in_.size() < size) throw Truncated{};
    std::memcpy(into, in_.data(), size);
    in_.remove_prefix(size);
  }
  std::uint64_t count(std::size_t minimumItemSize) {
    std::uint64_t size = 0;
    take(&size, sizeof size);
    // Each item takes at least one byte: a count beyond what is left is corrupt, and
    // checking it first keeps a corrupt count from allocating gigabytes.
    if (size > in_.size() / minimumItemSize) throw Truncated{};
    return size;
  }
  void read(bool& value) {
    std::uint8_t byte = 0;
    take(&byte, 1);
    if (byte > 1) throw Truncated{};
    value = byte != 0;
  }
  template <typename T>
  void read(T& value) {
    if constexpr (kScalar<T>) {
      take(&value, sizeof(T));
    } else {
      fields(*this, value);
    }
  }
  void read(std::string& value) {
    std::uint64_t size = count(1);
    value.assign(in_.data(), size);
    in_.remove_prefix(size);
  }
  template <typename T>
  void read(std::vector<T>& values) {
    std::uint64_t size = count(kScalar<T> ? sizeof(T) : 1);
    values.resize(size);
    for (auto& value : values)
      read(value);
  }

  std::string_view in_;
};

/// FNV-1a, 64 bits: catches corruption, not tampering.
std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

constexpr std::size_t kHeaderSize = 8 + 4 + 8 + 8;

}  // namespace

std::string framed(std::string_view body) {
  std::string out(kMachineMagic);
  std::uint32_t version = kMachineVersion;
  std::uint64_t size = body.size();
  std::uint64_t sum = checksum(body);
  out.append(reinterpret_cast<const char*>(&version), sizeof version);
  out.append(reinterpret_cast<const char*>(&size), sizeof size);
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  out += body;
  return out;
}

std::string serialize(const Machine& machine) {
  Writer writer;
  fields(writer, const_cast<Machine&>(machine));  // the writer only reads
  return framed(writer.out);
}

bool looksLikeMachine(std::string_view bytes) {
  return bytes.substr(0, kMachineMagic.size()) == kMachineMagic;
}

std::variant<Machine, LoadError> deserialize(std::string_view bytes) {
  if (!looksLikeMachine(bytes)) return LoadError{"not a compiled journey (`.jm`) file"};
  if (bytes.size() < kHeaderSize)
    return LoadError{"the file is truncated (its header is incomplete)"};
  std::uint32_t version = 0;
  std::uint64_t size = 0, sum = 0;
  std::memcpy(&version, bytes.data() + 8, sizeof version);
  std::memcpy(&size, bytes.data() + 12, sizeof size);
  std::memcpy(&sum, bytes.data() + 20, sizeof sum);
  if (version != kMachineVersion) {
    return LoadError{fmt::format(
        "the file has format version {}, this journey reads version {}: rebuild it with "
        "`journey build`",
        version, kMachineVersion)};
  }
  std::string_view body = bytes.substr(kHeaderSize);
  if (body.size() < size) {
    return LoadError{
        fmt::format("the file is truncated: {} bytes of {} are present", body.size(), size)};
  }
  if (body.size() > size) return LoadError{"the file has unexpected bytes after its end"};
  if (checksum(body) != sum)
    return LoadError{"the file is corrupted (its checksum does not match)"};
  Machine machine;
  Reader reader(body);
  try {
    fields(reader, machine);
  } catch (const Truncated&) {
    return LoadError{"the file is corrupted (a table runs past its end)"};
  }
  if (!reader.atEnd()) return LoadError{"the file is corrupted (bytes left after the last table)"};
  auto problems = verify(machine);
  if (!problems.empty()) {
    return LoadError{fmt::format("the machine in the file is malformed: {}", problems.front())};
  }
  return machine;
}

}  // namespace journey::rt
