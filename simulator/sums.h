// Element-wise sums of tallies' count and sum vectors, in index order (so that merging in a
// fixed order gives the same doubles).
#pragma once

#include <span>
#include <vector>

namespace journey::sim {

template <typename T, typename U>
void addInto(std::vector<T>& into, std::span<const U> from) {
  for (std::size_t i = 0; i < into.size(); ++i)
    into[i] += from[i];
}

template <typename T>
void addInto(std::vector<T>& into, const std::vector<T>& from) {
  addInto(into, std::span<const T>(from));
}

}  // namespace journey::sim
