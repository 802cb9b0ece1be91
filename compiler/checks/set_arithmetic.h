// Internal to compiler/checks: building and combining value sets, shared by the set algebra
// (value_set.cpp) and the evaluator (intervals.cpp).
#pragma once

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "compiler/checks/intervals.h"

namespace journey::checks {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
// Beyond this many pieces a set is replaced by its hull: keeps every operation cheap.
inline constexpr std::size_t kMaxPieces = 32;

/// The numbers in `pieces`, in normal form: sorted, disjoint, merged, at most kMaxPieces.
ValueSet numbers(std::vector<Interval> pieces, bool integral);
/// The smallest interval that holds the whole set.
Interval hullOf(const ValueSet& set);
/// Whether the two sets are the same, piece by piece.
bool sameSet(const ValueSet& a, const ValueSet& b);
/// The products of a value of `a` and a value of `b`.
Interval multiply(const Interval& a, const Interval& b);
/// What a comparison of a value of `a` with a value of `b` can give.
ValueSet compare(ast::BinaryOp op, const ValueSet& a, const ValueSet& b);

/// `op` over every pair of pieces (over the hulls when there are too many pairs).
template <typename Op>
ValueSet pairwise(const ValueSet& a, const ValueSet& b, bool integral, Op op) {
  if (a.isString || b.isString) return ValueSet::all();
  std::vector<Interval> left = a.pieces;
  std::vector<Interval> right = b.pieces;
  if (left.size() * right.size() > kMaxPieces * 2) {
    left = {hullOf(a)};
    right = {hullOf(b)};
  }
  std::vector<Interval> pieces;
  for (const auto& l : left) {
    for (const auto& r : right)
      pieces.push_back(op(l, r));
  }
  return numbers(std::move(pieces), integral);
}

/// `op` over every piece.
template <typename Op>
ValueSet eachPiece(const ValueSet& a, bool integral, Op op) {
  if (a.isString) return ValueSet::all();
  std::vector<Interval> pieces;
  for (const auto& p : a.pieces)
    pieces.push_back(op(p));
  return numbers(std::move(pieces), integral);
}

/// The bounds of a non-empty numeric set, and whether the set holds them.
inline bool infAttained(const ValueSet& s) {
  return !s.pieces.front().loOpen;
}
inline bool supAttained(const ValueSet& s) {
  return !s.pieces.back().hiOpen;
}
inline double inf(const ValueSet& s) {
  return s.pieces.front().lo;
}
inline double sup(const ValueSet& s) {
  return s.pieces.back().hi;
}

}  // namespace journey::checks
