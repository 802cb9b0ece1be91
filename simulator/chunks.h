// The threading of simulate and compare: customers in fixed chunks, computed on any thread in
// any order, merged in chunk order, so that the results are bit-identical for any thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace journey::sim {

/// Computes chunks [0, chunks) on `threads` threads (the caller's among them). Each thread
/// makes its own state with `makeState()`; `compute(state, chunk)` fills it with one chunk, and
/// `merge(state, chunk)` folds it into the results, called in chunk order and one at a time.
/// Once `stop` is seen set, that chunk and every later one are skipped, never computed nor
/// merged: the results cover a prefix of the customers, as if fewer had been asked for.
/// Returns whether that happened.
template <typename MakeState, typename Compute, typename Merge>
bool runChunksInOrder(std::uint64_t chunks, unsigned threads, const std::atomic<bool>* stop,
                      MakeState makeState, Compute compute, Merge merge) {
  std::atomic<std::uint64_t> next{0};
  std::mutex mutex;
  std::condition_variable merged;
  std::uint64_t mergedChunks = 0;
  bool stopped = false;
  auto worker = [&]() {
    auto state = makeState();
    for (;;) {
      std::uint64_t chunk = next.fetch_add(1);
      if (chunk >= chunks) return;
      bool stopNow = stop != nullptr && stop->load(std::memory_order_relaxed);
      if (!stopNow) compute(state, chunk);
      std::unique_lock lock(mutex);
      merged.wait(lock, [&] { return mergedChunks == chunk; });
      if (stopNow) stopped = true;
      if (!stopped) merge(state, chunk);
      ++mergedChunks;
      merged.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t)
    pool.emplace_back(worker);
  worker();
  for (auto& thread : pool)
    thread.join();
  return stopped;
}

}  // namespace journey::sim
