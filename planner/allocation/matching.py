"""Company-proposing deferred acceptance over a programme's slot types (allocation rule 3).

Each slot type (offer, kind) has a capacity; each company ranks its applications (1 = most
wanted) and may hold at most `cap_per_company` places in the programme, both kinds together.
A company prefers a set of places by its ranks (responsive preferences); a slot type prefers
higher priority, and between equal priorities a higher lottery number (rule 2). Every
candidate handed in is acceptable: eligibility is decided before matching.

The mechanism: every company proposes to its best-ranked slot types not yet rejecting it until
it holds `cap_per_company` tentative places or runs out; every slot type keeps its strongest
proposals up to its capacity and rejects the rest; a rejected company proposes further down its
list. The result is the company-optimal stable matching: no company and slot type would both
rather be matched to each other, and every company likes it at least as well as any other
stable matching (Roth 1984 for many-to-many matching with responsive preferences).

Incentives, stated no further than they hold: with a cap of one place no company can gain by
misreporting its ranks (deferred acceptance is strategy-proof for the proposing side when each
proposer wants one place). With a higher cap that guarantee does not hold; a company can
sometimes gain by reordering its ranks, so the site must not promise it.

Cost: each candidate proposes at most once and a slot keeps a heap of its held proposals, so a
run is O(n log n) for the sort that ranks candidates plus O(n log capacity) for the proposals.
Priorities and lottery numbers are ranked once into one integer per candidate so the loop
compares plain ints. Should two candidates of a slot ever tie on both priority and lottery number
(rule 4 makes that practically impossible), the lower application id wins, so results are
still deterministic.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace

SlotKey = tuple[int, str]  # (offer_id, kind)


@dataclass(frozen=True)
class Slot:
    key: SlotKey
    capacity: int


@dataclass(frozen=True)
class Candidate:
    application_id: int
    company_id: int
    slot: SlotKey
    preference: int   # the company's rank, 1 = most wanted; strict within a company
    priority: float   # higher wins
    tiebreak: float   # higher wins between equal priorities


@dataclass(frozen=True)
class Matching:
    allocated: frozenset[int]
    # Per slot type (every one present), its non-allocated candidates in priority order,
    # including those of companies already holding their cap (allocation rule 5).
    waitlists: Mapping[SlotKey, tuple[int, ...]]

    def positions(self) -> dict[int, int]:
        """1-based waitlist position of every non-allocated application id."""
        return {app_id: pos for waitlist in self.waitlists.values()
                for pos, app_id in enumerate(waitlist, start=1)}


def _strength_key(candidate: Candidate) -> tuple[float, float, int]:
    return (candidate.priority, candidate.tiebreak, -candidate.application_id)


@dataclass
class _Prepared:
    """Validated input as flat lists indexed by candidate, slot and company position."""

    slot_keys: list[SlotKey]
    slot_capacity: list[int]
    app_ids: list[int]
    slot_of: list[int]          # candidate -> slot position
    order: list[int]            # strength -> candidate, weakest first, as every slot ranks them
    # Candidates grouped by company in rank order: positions start[c]..end[c] of the flat lists.
    flat_slot: list[int]
    flat_strength: list[int]
    start: list[int]
    end: list[int]
    company_of_strength: list[int]


def _prepare(slots: Sequence[Slot], candidates: Sequence[Candidate], cap_per_company: int) -> _Prepared:
    """Validate and flatten the input; raises ValueError for inputs the rules refuse."""
    if cap_per_company < 0:
        raise ValueError("cap_per_company cannot be negative")
    slot_index: dict[SlotKey, int] = {}
    slot_capacity: list[int] = []
    for slot in slots:
        if slot.key in slot_index:
            raise ValueError(f"slot {slot.key!r} is listed twice")
        if slot.capacity < 0:
            raise ValueError(f"slot {slot.key!r} has a negative capacity")
        slot_index[slot.key] = len(slot_capacity)
        slot_capacity.append(slot.capacity)

    # One pass reads every candidate once; the sorts below then run on homogeneous lists of
    # ints or floats, which CPython compares several times faster than tuples of objects.
    n = len(candidates)
    app_ids: list[int] = []
    companies: list[int] = []
    slot_of: list[int] = []
    ranks: list[int] = []
    priorities: list[float] = []
    tiebreaks: list[float] = []
    for cand in candidates:
        s = slot_index.get(cand.slot)
        if s is None:
            raise ValueError(f"application {cand.application_id} is for unknown slot {cand.slot!r}")
        app_ids.append(cand.application_id)
        companies.append(cand.company_id)
        slot_of.append(s)
        ranks.append(cand.preference)
        priorities.append(cand.priority)
        tiebreaks.append(cand.tiebreak)
    if len(set(app_ids)) != n:
        seen: set[int] = set()
        for app_id in app_ids:
            if app_id in seen:
                raise ValueError(f"application {app_id} is listed twice")
            seen.add(app_id)

    # Strength: ascending (priority, tiebreak, lower application id wins), by stable sorts
    # from the last key to the first.
    order = list(range(n))
    order.sort(key=app_ids.__getitem__, reverse=True)
    order.sort(key=tiebreaks.__getitem__)
    order.sort(key=priorities.__getitem__)
    strength = [0] * n
    for r, i in enumerate(order):
        strength[i] = r

    by_company = list(range(n))
    by_company.sort(key=ranks.__getitem__)
    by_company.sort(key=companies.__getitem__)
    flat_slot = [slot_of[i] for i in by_company]
    flat_strength = [strength[i] for i in by_company]
    start: list[int] = []
    end: list[int] = []
    company_of_strength = [0] * n
    pairs: set[int] = set()
    n_slots = len(slot_capacity)
    c = -1
    previous_company: int | None = None
    previous_rank = 0
    for k, i in enumerate(by_company):
        company = companies[i]
        if company != previous_company:
            if c >= 0:
                end.append(k)
            c += 1
            start.append(k)
            previous_company = company
        elif ranks[i] == previous_rank:
            raise ValueError(f"company {company} gives rank {ranks[i]} to two applications")
        previous_rank = ranks[i]
        pair = c * n_slots + slot_of[i]
        if pair in pairs:
            raise ValueError(f"company {company} applies twice for slot {candidates[i].slot!r}")
        pairs.add(pair)
        company_of_strength[strength[i]] = c
    if c >= 0:
        end.append(n)
    return _Prepared(slot_keys=list(slot_index), slot_capacity=slot_capacity, app_ids=app_ids,
                     slot_of=slot_of, order=order, flat_slot=flat_slot, flat_strength=flat_strength,
                     start=start, end=end, company_of_strength=company_of_strength)


def deferred_acceptance(slots: Sequence[Slot], candidates: Sequence[Candidate],
                        cap_per_company: int) -> Matching:
    """The company-optimal stable matching of `candidates` to `slots` (allocation rule 3).

    Returns the allocated application ids and, per slot type, the waitlist (rule 5).
    Raises ValueError for equal ranks within a company, unknown or duplicate slots, duplicate
    application ids, a company with two candidates for the same slot, or negative numbers.
    """
    prep = _prepare(slots, candidates, cap_per_company)
    slot_capacity = prep.slot_capacity
    flat_slot = prep.flat_slot
    flat_strength = prep.flat_strength
    company_of_strength = prep.company_of_strength
    end = prep.end
    companies = len(prep.start)
    heaps: list[list[int]] = [[] for _ in slot_capacity]
    held = [0] * companies
    next_position = list(prep.start)
    cap = cap_per_company
    # Any order of proposals gives the same matching; a stack of companies with something
    # left to propose keeps the loop free of per-step sorting.
    stack = list(range(companies - 1, -1, -1))
    while stack:
        c = stack.pop()
        p = next_position[c]
        last = end[c]
        count = held[c]
        while count < cap and p < last:
            s = flat_slot[p]
            r = flat_strength[p]
            p += 1
            heap = heaps[s]
            if len(heap) < slot_capacity[s]:
                heappush(heap, r)
                count += 1
            elif heap and r > heap[0]:
                # The slot's weakest held proposal makes way; that company proposes again later.
                # It cannot be c itself: a company has one candidate per slot.
                loser = company_of_strength[heapreplace(heap, r)]
                held[loser] -= 1
                stack.append(loser)
                count += 1
        next_position[c] = p
        held[c] = count

    n = len(prep.app_ids)
    is_held = bytearray(n)
    for heap in heaps:
        for r in heap:
            is_held[r] = 1
    app_ids = prep.app_ids
    slot_of = prep.slot_of
    order = prep.order
    allocated: list[int] = []
    waiting: list[list[int]] = [[] for _ in slot_capacity]
    for r in range(n - 1, -1, -1):
        i = order[r]
        if is_held[r]:
            allocated.append(app_ids[i])
        else:
            waiting[slot_of[i]].append(app_ids[i])
    return Matching(allocated=frozenset(allocated),
                    waitlists={key: tuple(ids) for key, ids in zip(prep.slot_keys, waiting)})


def blocking_pairs(slots: Sequence[Slot], candidates: Sequence[Candidate], cap_per_company: int,
                   allocated: Collection[int]) -> list[tuple[int, SlotKey]]:
    """(company_id, slot key) pairs that would both rather be matched to each other, sorted.

    A pair blocks when the company has a non-allocated candidate at the slot, the company holds
    fewer than its cap or prefers that slot to its worst held place, and the slot has a free
    seat or prefers that candidate to its weakest allocated one. An empty list means `allocated`
    is stable. For tests and audits; raises ValueError like deferred_acceptance, and for
    allocated ids that are not candidates.
    """
    _prepare(slots, candidates, cap_per_company)
    capacity = {slot.key: slot.capacity for slot in slots}
    taken = set(allocated)
    known = {cand.application_id for cand in candidates}
    if not taken <= known:
        raise ValueError(f"allocated ids are not candidates: {sorted(taken - known)!r}")
    held_count: dict[int, int] = {}
    worst_rank: dict[int, int] = {}
    seat_count: dict[SlotKey, int] = {}
    weakest: dict[SlotKey, tuple[float, float, int]] = {}
    for cand in candidates:
        if cand.application_id in taken:
            held_count[cand.company_id] = held_count.get(cand.company_id, 0) + 1
            worst_rank[cand.company_id] = max(worst_rank.get(cand.company_id, cand.preference),
                                              cand.preference)
            seat_count[cand.slot] = seat_count.get(cand.slot, 0) + 1
            key = _strength_key(cand)
            weakest[cand.slot] = min(weakest.get(cand.slot, key), key)
    pairs = []
    for cand in candidates:
        if cand.application_id in taken:
            continue
        company_wants = (held_count.get(cand.company_id, 0) < cap_per_company
                         or cand.preference < worst_rank.get(cand.company_id, cand.preference))
        slot_wants = (seat_count.get(cand.slot, 0) < capacity[cand.slot]
                      or (cand.slot in weakest and _strength_key(cand) > weakest[cand.slot]))
        if company_wants and slot_wants:
            pairs.append((cand.company_id, cand.slot))
    return sorted(pairs)
