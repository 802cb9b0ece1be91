// What a compiled stage entry (rt::CompiledEntry) calls back in the engine, as plain C
// functions of the customer (`EvalContext::customer`) that the JIT links by address. None of
// them throws: a customer stopped inside one is reported by its result.
#pragma once

#include <cstdint>

extern "C" {
/// Schedules the stage's `after` (kind 0, `index` the stage) or an `on after` timer (kind 1,
/// `index` the rule) at `time`, in the current visit.
void journey_rt_entry_schedule(void* customer, double time, std::int32_t kind, std::int32_t index);
/// Starts the clock of a spontaneous event with `mean` (6.1): nothing when not above zero.
void journey_rt_entry_clock(void* customer, std::int32_t event, double mean);
/// Counts the negative duration of `expr` (1.5); returns the 0 to wait instead.
double journey_rt_entry_negative_duration(void* customer, std::int32_t expr);
/// A delivered touchpoint's response (8.4). Returns 0, or -1 when the customer was stopped.
std::int32_t journey_rt_entry_respond(void* customer, std::int32_t touchpoint);
/// Records the delivery of `touchpoint` when the engine records actions.
void journey_rt_entry_record(void* customer, std::int32_t touchpoint);
}
