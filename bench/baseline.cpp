#include "bench/baseline.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/calendar.h"
#include "runtime/random.h"

namespace journey::bench::baseline {
namespace {

using rt::RandomStream;

constexpr double kHour = 3600, kDay = 86400, kYear = 365 * kDay;
constexpr double kHorizon = 2 * kYear;

enum Persona : std::uint8_t { SmallBiz, Enterprise };

/// What can be pending, in the class order of semantics 5.2 (then declaration order).
enum Kind : std::uint8_t {
  StageAfter,          // class 1
  DemoRequested,       // class 2, events in declaration order
  IssueReported,       //
  NurtureTimer,        // class 3: `on after` timers by rule
  RenewalCallTimer,    //
  QuietAccountsTimer,  // `on inactive`
  HeldManagerCall,     // class 4: held messages by sending rule
  HeldRescueCall,      //
  HeldRenewalCall,     //
};

struct Item {
  double time;
  std::uint64_t key;  // kind, then the order of scheduling
  std::uint32_t visit;
  Kind kind;
  bool spontaneous;
  double severity;  // the payload a held ManagerCall keeps
};

struct Later {
  bool operator()(const Item& a, const Item& b) const {
    return a.time > b.time || (a.time == b.time && a.key > b.key);
  }
};

class Customer {
 public:
  void run(std::uint64_t seed, std::uint64_t index, Totals& totals) {
    population_.reset(seed, index, rt::Stream::Population);
    random_.reset(seed, index, rt::Stream::Journey);
    heap_.clear();
    visits_.fill(0);
    timeInStage_.fill(0);
    now_ = emotion_ = cost_ = value_ = signedAt_ = enteredAt_ = 0;
    tickets_ = 0;
    visit_ = 0;
    sequence_ = 0;
    steps_ = 0;
    emailCount_ = 0;
    phoneReceived_ = 0;
    rescueRuns_ = 0;
    rescueCondition_ = false;
    inactiveArmed_ = false;
    inactiveDue_ = 0;
    finished_ = false;
    stage_ = kStageCount;

    // Persona by share, then the attributes in declaration order (population stream).
    persona_ = population_.uniform() < 0.75 ? SmallBiz : Enterprise;
    if (persona_ == SmallBiz) {
      static constexpr double kSeats[] = {3, 0.35, 5, 0.30, 10, 0.25, 20, 0.10};
      seats_ = rt::sampleDiscrete(population_, kSeats, 4);
      hasItTeam_ = false;
    } else {
      seats_ = rt::sampleLognormal(population_, 150, 0.6);
      hasItTeam_ = rt::sampleBernoulli(population_, 0.85) != 0;
    }

    enter(persona_ == Enterprise && seats_ >= 50 ? Research : Need);
    conditions();
    while (!finished_ && !heap_.empty() && heap_.front().time <= kHorizon) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      Item item = heap_.back();
      heap_.pop_back();
      if (cancelled(item)) continue;  // not a step (semantics 4.4, 5.3)
      ++steps_;
      now_ = item.time;
      step(item);
      if (!finished_) conditions();
    }
    if (!finished_) {
      timeInStage_[stage_] += kHorizon - enteredAt_;
      ++totals.endedAt[stage_];
    }

    ++totals.customers;
    totals.steps += steps_;
    for (int s = 0; s < kStageCount; ++s) {
      totals.visits[s] += visits_[s];
      totals.timeInStage[s] += timeInStage_[s];
    }
    totals.cost += cost_;
    totals.costSquares += cost_ * cost_;
    totals.emotion += emotion_;
    totals.emotionSquares += emotion_ * emotion_;
    totals.value += value_;
    totals.emailDropped += emailDropped_;
    totals.phoneDeferred += phoneDeferred_;
    emailDropped_ = phoneDeferred_ = 0;
    if (finished_) {
      ++totals.endedAt[stage_];
      if (stage_ == Renewed || stage_ == Advocacy) {
        ++totals.converted;
        totals.timeToGoal += now_;
      }
    }
  }

 private:
  void push(double time, Kind kind, double severity = 0, bool spontaneous = false) {
    heap_.push_back(
        Item{time, (std::uint64_t{kind} << 56) | sequence_++, visit_, kind, spontaneous, severity});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  void activity() {
    // `on inactive 120d` (CheckOnQuietAccounts): one pending timer, moved later lazily.
    inactiveDue_ = now_ + 120 * kDay;
    if (!inactiveArmed_) {
      inactiveArmed_ = true;
      push(inactiveDue_, QuietAccountsTimer);
    }
  }

  // Touchpoints: channel cost + own cost, emotion, counts, caps, responses.
  void email(double cost, double emotion) {
    cost_ += 0.002 + cost;
    emotion_ += emotion;
    emailRing_[emailCount_ % 2] = now_;
    ++emailCount_;
  }
  void phone(double cost, double emotion) {
    cost_ += cost;
    emotion_ += emotion;
    ++phoneReceived_;
  }
  /// A rule's email: dropped when two were delivered in the last seven days.
  bool emailAllowed() {
    if (emailCount_ >= 2 && emailRing_[emailCount_ % 2] + 7 * kDay > now_) {
      ++emailDropped_;
      return false;
    }
    return true;
  }
  /// A rule's phone call: held until 08:00 when it falls in 19:00..08:00.
  bool phoneNow(Kind held, double severity = 0) {
    double timeOfDay = rt::timeOfDay(now_);
    if (timeOfDay >= 19 * kHour || timeOfDay < 8 * kHour) {
      double wait = 8 * kHour - timeOfDay;
      if (wait <= 0) wait += kDay;
      ++phoneDeferred_;
      push(now_ + wait, held, severity);
      return false;
    }
    return true;
  }

  void enter(Stage stage) {
    if (stage_ == Support) cost_ += 0.05;  // AskAfterSupport: SupportSurvey
    if (stage_ != kStageCount) timeInStage_[stage_] += now_ - enteredAt_;
    ++visit_;
    stage_ = stage;
    enteredAt_ = now_;
    ++visits_[stage];
    activity();
    bool small = persona_ == SmallBiz;
    switch (stage) {
      case Need:
        cost_ += 0.16;  // SeesAd
        emotion_ += 1;  // ReadsReviews
        push(now_ + rt::sampleExponential(random_, 10 * kDay), StageAfter);
        return;
      case Research:
        emotion_ -= 1;  // VisitsSite, HuntsForPrices
        push(now_ + (small ? rt::sampleLognormal(random_, 10 * kDay, 0.7)
                           : rt::sampleLognormal(random_, 21 * kDay, 0.5)),
             StageAfter);
        event(DemoRequested, small ? 20 * kDay : 7 * kDay);
        if (small) push(now_ + 14 * kDay, NurtureTimer);
        return;
      case Evaluate:
        cost_ += 45, emotion_ += 1;  // Demo
        push(now_ + (small ? rt::sampleGamma(random_, 2, 5 * kDay)
                           : rt::sampleGamma(random_, 3, 10 * kDay)),
             StageAfter);
        if (!small) cost_ += 200, emotion_ += 1;  // ReviewSecurity: SecurityReview
        return;
      case Onboarding:
        phone(8, 1);                           // WelcomeCall
        cost_ += std::ceil(seats_ / 25) * 40;  // Training
        email(0, -1);                          // NumberPorting
        push(now_ + rt::sampleWeibull(random_, 2, 14 * kDay), StageAfter);
        signedAt_ = now_;                                          // RecordSigning
        if (!small && seats_ >= 100) cost_ += 400, emotion_ += 2;  // InstallOnSite
        return;
      case Usage:
        push(now_ + std::max(kHour, signedAt_ + kYear - now_), StageAfter);
        event(IssueReported, small ? 75 * kDay : 30 * kDay);
        return;
      case Support:
        cost_ += 6, emotion_ -= 1;  // Ticket
        push(now_ + rt::sampleExponential(random_, small ? 2 * kDay : 4 * kHour), StageAfter);
        return;
      case Renewal:
        email(0, 0);  // RenewalQuote
        push(now_ + (small ? 21 * kDay : 30 * kDay), StageAfter);
        push(now_ + 7 * kDay, RenewalCallTimer);
        return;
      case Renewed:
        value_ = seats_ * 25 * 12 * (1 - 0.10);
        finished_ = true;
        return;
      case Advocacy:
        cost_ += 15, emotion_ += 1;  // ThankAdvocates: ReferralKit
        value_ = seats_ * 25 * 12 * (1 - 0.10) + 1500;
        finished_ = true;
        return;
      case Churned:
      case Lost:
        finished_ = true;
        return;
      case kStageCount:
        return;
    }
  }

  /// A spontaneous event's clock (mean 0: none).
  void event(Kind kind, double mean) {
    if (mean > 0) push(now_ - mean * std::log(1.0 - random_.uniform()), kind, 0, true);
  }

  bool chance(double p) { return random_.uniform() < p; }

  /// The stage's `after` fired: its branches.
  void transition() {
    bool small = persona_ == SmallBiz;
    switch (stage_) {
      case Need:
        enter(Research);
        return;
      case Research:
        enter(chance(small ? 0.30 : 0.60) ? Evaluate : Lost);
        return;
      case Evaluate:
        if (small) {
          enter(chance(std::clamp(0.35 + emotion_ * 0.10, 0.05, 0.80)) ? Onboarding : Lost);
        } else {
          enter(chance(hasItTeam_ ? 0.55 : 0.40) ? Onboarding : Lost);
        }
        return;
      case Onboarding:
        enter(chance(hasItTeam_ ? 0.97 : 0.90) ? Usage : Churned);
        return;
      case Usage:
        enter(Renewal);
        return;
      case Support:
        if (small && (emotion_ <= -4 || now_ - enteredAt_ > 5 * kDay)) {
          enter(chance(0.30) ? Churned : Usage);
        } else {
          enter(Usage);
        }
        return;
      case Renewal: {
        double u = random_.uniform();
        if (emotion_ >= 3) {
          enter(u < 0.35 ? Advocacy : Renewed);
        } else if (emotion_ >= 0) {
          enter(u < (small ? 0.80 : 0.90) ? Renewed : Churned);
        } else {
          enter(u < (small ? 0.45 : 0.60) ? Renewed : Churned);
        }
        return;
      }
      default:
        return;
    }
  }

  void managerCall(double severity) {
    if (!(severity >= 3 || tickets_ >= 3)) return;  // Escalate's `if`, again when held
    if (phoneNow(HeldManagerCall, severity)) phone(30, 2);
  }
  void rescueCall() {
    if (stage_ != Onboarding && stage_ != Usage && stage_ != Support) return;
    if (phoneNow(HeldRescueCall)) phone(15, 2);
  }
  void renewalCall() {
    if (stage_ != Renewal || !(emotion_ < 1)) return;
    if (phoneNow(HeldRenewalCall)) phone(12, 1);
  }

  /// Items of a visit that ended, and an inactivity timer that found activity since it was set
  /// (it moves to its new due time).
  bool cancelled(const Item& item) {
    if (item.spontaneous && item.visit != visit_) return true;
    switch (item.kind) {
      case StageAfter:
      case NurtureTimer:
      case RenewalCallTimer:
        return item.visit != visit_;
      case QuietAccountsTimer:
        if (!(inactiveDue_ > item.time)) return false;
        push(inactiveDue_, QuietAccountsTimer);
        return true;
      default:
        return false;
    }
  }

  void step(const Item& item) {
    // A spontaneous occurrence's clock ends with the visit that started it (semantics 6.1).
    if (item.spontaneous && item.visit != visit_) return;
    switch (item.kind) {
      case StageAfter:
        if (item.visit == visit_) transition();
        return;
      case DemoRequested:
        if (stage_ != Research) return;  // lost
        activity();
        enter(Evaluate);
        return;
      case IssueReported: {
        if (stage_ != Usage) return;  // lost
        static constexpr double kSeverity[] = {1, 0.70, 2, 0.22, 3, 0.08};
        double severity = rt::sampleDiscrete(random_, kSeverity, 3);
        activity();
        ++tickets_;  // CountTickets (priority 20)
        if (severity >= 3 || tickets_ >= 3) {
          managerCall(severity);  // Escalate (priority 10), then `stop`
        } else if (severity >= 2 && emailAllowed()) {
          email(25, 1);  // ApologizeWithCredit: ServiceCredit
        }
        enter(Support);
        return;
      }
      case NurtureTimer:
        if (item.visit != visit_) return;
        if (emailAllowed()) {
          email(0, 0);  // Nurture, response 12%: a demo request after exponential(2d)
          if (chance(0.12)) push(now_ + rt::sampleExponential(random_, 2 * kDay), DemoRequested);
        }
        return;
      case RenewalCallTimer:
        if (item.visit == visit_) renewalCall();
        return;
      case QuietAccountsTimer:
        inactiveArmed_ = false;
        // CheckOnQuietAccounts: in Usage, no phone call ever received.
        if (stage_ == Usage && phoneReceived_ == 0 && emailAllowed()) {
          email(0, 1);  // CheckIn, response 10%: an issue at once
          if (chance(0.10)) push(now_, IssueReported);
        }
        return;
      case HeldManagerCall:
        managerCall(item.severity);
        return;
      case HeldRescueCall:
        rescueCall();
        return;
      case HeldRenewalCall:
        renewalCall();
        return;
    }
  }

  /// RescueUnhappy: `on emotion <= -3`, in Onboarding, Usage, Support, for SmallBiz, cap 1.
  void conditions() {
    for (;;) {
      bool value = emotion_ <= -3;
      bool fired = value && !rescueCondition_;
      rescueCondition_ = value;
      if (!fired) return;
      if (persona_ != SmallBiz || rescueRuns_ >= 1) return;
      if (stage_ != Onboarding && stage_ != Usage && stage_ != Support) return;
      ++rescueRuns_;
      rescueCall();
    }
  }

  RandomStream population_, random_;
  std::vector<Item> heap_;
  std::array<std::uint32_t, kStageCount> visits_{};
  std::array<double, kStageCount> timeInStage_{};
  Persona persona_ = SmallBiz;
  double seats_ = 0;
  bool hasItTeam_ = false;
  Stage stage_ = kStageCount;
  double now_ = 0, enteredAt_ = 0, emotion_ = 0, cost_ = 0, value_ = 0, signedAt_ = 0;
  int tickets_ = 0;
  std::uint32_t visit_ = 0;
  std::uint64_t sequence_ = 0, steps_ = 0;
  double emailRing_[2] = {0, 0};
  std::uint32_t emailCount_ = 0, phoneReceived_ = 0, rescueRuns_ = 0;
  std::uint64_t emailDropped_ = 0, phoneDeferred_ = 0;
  bool rescueCondition_ = false;
  bool inactiveArmed_ = false;
  double inactiveDue_ = 0;
  bool finished_ = false;
};

}  // namespace

void simulate(std::uint64_t seed, std::uint64_t first, std::uint64_t last, Totals& totals) {
  Customer customer;
  for (std::uint64_t i = first; i < last; ++i)
    customer.run(seed, i, totals);
}

}  // namespace journey::bench::baseline
