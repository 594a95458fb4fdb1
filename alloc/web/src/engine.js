// The allocation engine (spec section 7), written from the spec and checked
// against alloc/draw.py result line by result line (tests/test_js.py).
//
// Everything is keyed by (tier rank, lottery number) and by identifiers,
// never by the order of rows, so the result is a pure function of the rules,
// the records and the seed. Units (a child, or a bundled multiples group) are
// what the mechanisms place; a kindergarten's *choice* (7.2) is one function
// that every mechanism presents candidates to.

import { compareCodePoints } from './bytes.js';
import { DuplicateError, InputError } from './errors.js';
import { Mechanism, Multiples, OPEN_BLOCK, TieBreak } from './rules.js';
import { ticketMaker } from './tickets.js';

const NONE = -1;
const MOVED = -2; // block column of a child moved by merge-after: reported as the open seats

function rowError(reg, problem, field, value, hint, Kind = InputError) {
  return new Kind(`Applicant '${reg}' ${problem}`, { field, value, hint, source: 'records' });
}

// --- preparing the problem (7.1) --------------------------------------------------

function prepare(rules, records, seed) {
  const kgs = rules.kindergartens;
  const K = kgs.length;
  const kgIndex = new Map(kgs.map((k, i) => [k.id, i]));
  const n = records.length;
  let C = 1;
  for (const r of records) C = Math.max(C, r.choices.length);

  // Choices: known kindergartens, at least one, none twice.
  const rowChoices = new Int32Array(n * C).fill(NONE);
  const rowWidth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i];
    r.choices.forEach((id, c) => {
      const k = kgIndex.get(id);
      if (k === undefined) {
        throw rowError(r.registration_number, 'chooses a kindergarten the rules do not list.', `choice ${c + 1}`, id, 'Use a kindergarten id from the rules.');
      }
      rowChoices[i * C + c] = k;
    });
    rowWidth[i] = r.choices.length;
  }
  for (let i = 0; i < n; i++) {
    if (rowWidth[i] === 0) {
      throw rowError(records[i].registration_number, 'lists no kindergarten.', 'choices', undefined, 'Give at least one choice.');
    }
  }
  for (let i = 0; i < n; i++) {
    const seen = new Set();
    for (const id of records[i].choices) {
      if (seen.has(id)) {
        throw rowError(records[i].registration_number, 'lists the same kindergarten twice.', 'choices', id, 'Each kindergarten may appear once per child.', DuplicateError);
      }
      seen.add(id);
    }
  }

  // Tiers.
  const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
  const rowTier = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = records[i].tier;
    if (rules.tiers.length) {
      if (t === null || !tierRank.has(t)) {
        throw rowError(records[i].registration_number, 'has a tier the rules do not declare.', 'tier', t, `Use one of ${rules.tiers.join(', ')}.`);
      }
      rowTier[i] = tierRank.get(t);
    } else if (t !== null) {
      throw rowError(records[i].registration_number, 'has a tier, but the rules declare none.', 'tier', t, 'Declare the tiers in the rules or leave the tier empty.');
    }
  }
  // Facts: at known kindergartens; per row a set of "fact\0kindergarten index".
  const rowFacts = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    for (const f of records[i].facts) {
      const k = kgIndex.get(f.kindergarten);
      if (k === undefined) {
        throw rowError(records[i].registration_number, 'holds a fact at a kindergarten the rules do not list.', 'facts', f.kindergarten, 'Use a kindergarten id from the rules.');
      }
      (rowFacts[i] ??= new Set()).add(f.fact + '\u0000' + k);
    }
  }

  // Lottery numbers.
  const tickets = ticketMaker(seed, rules.draw_id);
  const rowTicket = records.map((r) => tickets.child(r.registration_number));
  const perKg = rules.tie_break === TieBreak.PER_KINDERGARTEN;
  const rowChoiceTickets = perKg
    ? records.map((r) => r.choices.map((kg) => tickets.childAt(r.registration_number, kg)))
    : null;

  // Multiples groups: at least two members, identical choices.
  const groups = new Map();
  for (let i = 0; i < n; i++) {
    const g = records[i].group;
    if (g !== null) {
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(i); // rows are in registration-number order
    }
  }
  const groupIds = [...groups.keys()].sort(compareCodePoints);
  for (const g of groupIds) {
    const rows = groups.get(g);
    if (rows.length < 2) {
      throw rowError(records[rows[0]].registration_number, 'is the only member of its multiples group.', 'group', g, 'Register every sibling with the same group id, or clear the group.');
    }
    const lead = records[rows[0]].choices;
    for (const row of rows.slice(1)) {
      const mine = records[row].choices;
      if (mine.length !== lead.length || mine.some((id, c) => id !== lead[c])) {
        throw rowError(records[row].registration_number, 'lists different choices from a sibling in its multiples group.', 'group', g, `Siblings must list identical choices (compare '${records[rows[0]].registration_number}').`);
      }
    }
  }

  // Units.
  const bundle = rules.multiples === Multiples.BUNDLE || rules.multiples === Multiples.BUNDLE_OVER_PLAN;
  const unitMembers = [];
  const unitGroup = [];
  for (let i = 0; i < n; i++) {
    if (bundle && records[i].group !== null) continue;
    unitMembers.push([i]);
    unitGroup.push(null);
  }
  if (bundle) {
    for (const g of groupIds) {
      unitMembers.push(groups.get(g));
      unitGroup.push(g);
    }
  }
  const U = unitMembers.length;
  const weight = new Int32Array(U);
  const tier = new Int32Array(U);
  const choiceKg = new Int32Array(U * C).fill(NONE);
  const width = new Int32Array(U);
  const elig = new Uint32Array(U * C); // bit j: holds block j's fact at that choice
  const unitFacts = new Array(U).fill(null);
  const unitTicket = new Array(U);
  const unitChoiceTickets = perKg ? new Array(U) : null;
  const rowUnit = new Int32Array(n);
  for (let u = 0; u < U; u++) {
    const members = unitMembers[u];
    const head = members[0];
    weight[u] = members.length;
    width[u] = rowWidth[head];
    let worst = 0;
    let facts = rowFacts[head];
    for (const m of members) {
      rowUnit[m] = u;
      worst = Math.max(worst, rowTier[m]);
      if (m !== head) facts = facts === null || rowFacts[m] === null ? null : new Set([...facts].filter((f) => rowFacts[m].has(f)));
    }
    if (facts !== null && facts.size === 0) facts = null;
    tier[u] = worst;
    unitFacts[u] = facts;
    const g = unitGroup[u];
    unitTicket[u] = g === null ? rowTicket[head] : tickets.group(g);
    if (perKg) {
      unitChoiceTickets[u] = g === null ? rowChoiceTickets[head] : records[head].choices.map((kg) => tickets.groupAt(g, kg));
    }
    for (let c = 0; c < width[u]; c++) {
      const k = rowChoices[head * C + c];
      choiceKg[u * C + c] = k;
      if (facts !== null) {
        let bits = 0;
        kgs[k].blocks.forEach((b, j) => {
          if (facts.has(b.fact + '\u0000' + k)) bits |= 1 << j;
        });
        elig[u * C + c] = bits;
      }
    }
  }

  // Units by lottery number, lowest first (all 256 bits: hex strings of one length).
  const unitOrder = Array.from({ length: U }, (_, u) => u).sort((a, b) => cmpHex(unitTicket[a], unitTicket[b]));
  for (let i = 1; i < U; i++) {
    if (unitTicket[unitOrder[i]] === unitTicket[unitOrder[i - 1]]) {
      throw new DuplicateError('Two lottery numbers are equal, which only a duplicate registration number can cause.', {
        field: 'registration_number',
      });
    }
  }
  // Keys (tier rank, lottery number) as one number per unit and choice.
  const key = new Float64Array(U * C);
  if (!perKg) {
    const rank = new Float64Array(U);
    unitOrder.forEach((u, i) => {
      rank[u] = i;
    });
    for (let u = 0; u < U; u++) {
      for (let c = 0; c < width[u]; c++) key[u * C + c] = tier[u] * U + rank[u];
    }
  } else {
    const cells = [];
    for (let u = 0; u < U; u++) for (let c = 0; c < width[u]; c++) cells.push(u * C + c);
    const ticketOf = (cell) => unitChoiceTickets[Math.floor(cell / C)][cell % C];
    cells.sort((a, b) => cmpHex(ticketOf(a), ticketOf(b)));
    const M = cells.length;
    cells.forEach((cell, i) => {
      key[cell] = tier[Math.floor(cell / C)] * M + i;
    });
  }
  return {
    n, K, C, U, kgs, weight, tier, choiceKg, width, elig, unitFacts, unitMembers, unitGroup,
    unitTicket, unitChoiceTickets, unitOrder, rowUnit, rowChoices, rowWidth, key,
  };
}

function cmpHex(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- a kindergarten's choice (7.2) -------------------------------------------------

/**
 * One kindergarten's choice among candidate cells (unit * C + choice), in key
 * order. `seats` holds the seats per column (blocks, then the open seats);
 * `offered` (or null: everything) says which columns take part. Returns the
 * admitting column per candidate (-1: refused), over-capacity flags and the
 * seats left per column, with the spec's bookkeeping.
 */
function choose(P, k, cells, seats, offered, overPlan) {
  const kg = P.kgs[k];
  const nb = kg.blocks.length;
  const m = cells.length;
  const column = new Int32Array(m).fill(NONE);
  const over = new Uint8Array(m);
  const left = Int32Array.from(seats);
  const unusedCols = [];
  const unusedSeats = [];
  let unusedTotal = 0;
  for (let col = 0; col <= nb; col++) {
    if (offered !== null && !offered[col]) continue;
    const isOpen = col === nb;
    const own = seats[col];
    const available = own + unusedTotal;
    let used = 0;
    for (let i = 0; i < m; i++) {
      const room = available - used;
      if (room <= 0) break;
      if (column[i] !== NONE) continue;
      const cell = cells[i];
      if (!isOpen && !((P.elig[cell] >>> col) & 1)) continue;
      const w = P.weight[Math.floor(cell / P.C)];
      if (overPlan && isOpen) {
        column[i] = col;
        over[i] = w > room ? 1 : 0;
        used += w;
      } else if (w <= room) {
        column[i] = col;
        used += w;
      }
    }
    const ownUsed = Math.min(used, own);
    let borrowed = used - ownUsed;
    for (let j = 0; j < unusedCols.length && borrowed > 0; j++) {
      const take = Math.min(unusedSeats[j], borrowed);
      unusedSeats[j] -= take;
      unusedTotal -= take;
      borrowed -= take;
    }
    unusedCols.push(col);
    unusedSeats.push(own - ownUsed);
    unusedTotal += own - ownUsed;
  }
  for (let j = 0; j < unusedCols.length; j++) left[unusedCols[j]] = unusedSeats[j];
  return { column, over, left };
}

// --- mechanisms (7.3) ------------------------------------------------------------------

function byKey(P) {
  const key = P.key;
  return (a, b) => key[a] - key[b];
}

function independent(P, allowed, pools, offered, overPlan, phase, state) {
  const buckets = Array.from({ length: P.K }, () => []);
  for (let u = 0; u < P.U; u++) {
    for (let c = 0; c < P.width[u]; c++) {
      const cell = u * P.C + c;
      if (allowed[cell]) buckets[P.choiceKg[cell]].push(cell);
    }
  }
  const order = byKey(P);
  for (let k = 0; k < P.K; k++) {
    const cells = buckets[k];
    if (!cells.length) continue;
    cells.sort(order);
    const result = choose(P, k, cells, pools[k], offered && offered[k], overPlan);
    pools[k] = result.left;
    for (let i = 0; i < cells.length; i++) {
      if (result.column[i] === NONE) continue;
      const u = Math.floor(cells[i] / P.C);
      (state.wins[u] ??= []).push({ kg: k, pos: cells[i] % P.C, column: result.column[i], phase, over: result.over[i] });
      state.won[u] = 1;
    }
  }
}

function place(state, u, k, pos, column, over, phase) {
  state.placedKg[u] = k;
  state.placedPos[u] = pos;
  state.placedColumn[u] = column;
  state.placedOver[u] = over;
  state.placedPhase[u] = phase;
}

function firstChoiceFirst(P, allowed, pools, offered, overPlan, phase, state) {
  const order = byKey(P);
  for (let c = 0; c < P.C; c++) {
    const buckets = new Map();
    for (let u = 0; u < P.U; u++) {
      const cell = u * P.C + c;
      if (!allowed[cell] || state.placedKg[u] !== NONE) continue;
      const k = P.choiceKg[cell];
      if (!buckets.has(k)) buckets.set(k, []);
      buckets.get(k).push(cell);
    }
    for (const [k, cells] of buckets) {
      cells.sort(order);
      const result = choose(P, k, cells, pools[k], offered && offered[k], overPlan);
      pools[k] = result.left;
      for (let i = 0; i < cells.length; i++) {
        if (result.column[i] !== NONE) place(state, Math.floor(cells[i] / P.C), k, c, result.column[i], result.over[i], phase);
      }
    }
  }
}

function deferredAcceptance(P, allowed, pools, offered, overPlan, phase, state) {
  const { U, C } = P;
  const next = new Int32Array(U);
  const nextAllowed = (u, from) => {
    for (let c = from; c < P.width[u]; c++) if (allowed[u * C + c]) return c;
    return C;
  };
  for (let u = 0; u < U; u++) next[u] = nextAllowed(u, 0);
  const held = new Uint8Array(U);
  const heldAt = Array.from({ length: P.K }, () => []); // cells held, in key order
  const heldColumn = new Int32Array(U);
  const heldOver = new Uint8Array(U);
  const full = pools.map((p) => Int32Array.from(p)); // every round chooses with the phase's full seats
  const order = byKey(P);
  for (;;) {
    const proposals = new Map();
    for (let u = 0; u < U; u++) {
      if (held[u] || next[u] >= C) continue;
      const cell = u * C + next[u];
      next[u] = nextAllowed(u, next[u] + 1);
      const k = P.choiceKg[cell];
      if (!proposals.has(k)) proposals.set(k, []);
      proposals.get(k).push(cell);
    }
    if (proposals.size === 0) break;
    for (const [k, fresh] of proposals) {
      fresh.sort(order);
      const cells = mergeSorted(heldAt[k], fresh, P.key);
      const result = choose(P, k, cells, full[k], offered && offered[k], overPlan);
      pools[k] = result.left;
      const kept = [];
      for (let i = 0; i < cells.length; i++) {
        const u = Math.floor(cells[i] / C);
        if (result.column[i] === NONE) {
          held[u] = 0;
        } else {
          held[u] = 1;
          heldColumn[u] = result.column[i];
          heldOver[u] = result.over[i];
          kept.push(cells[i]);
        }
      }
      heldAt[k] = kept;
    }
  }
  for (let k = 0; k < P.K; k++) {
    for (const cell of heldAt[k]) {
      const u = Math.floor(cell / C);
      place(state, u, k, cell % C, heldColumn[u], heldOver[u], phase);
    }
  }
}

function mergeSorted(a, b, key) {
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = key[a[i]] <= key[b[j]] ? a[i++] : b[j++];
  while (i < a.length) out[o++] = a[i++];
  while (j < b.length) out[o++] = b[j++];
  return out;
}

// --- phases (7.4) ------------------------------------------------------------------------

function run(rules, P) {
  const { U, C } = P;
  const state = {
    placedKg: new Int32Array(U).fill(NONE),
    placedPos: new Int32Array(U).fill(NONE),
    placedColumn: new Int32Array(U).fill(NONE),
    placedOver: new Uint8Array(U),
    placedPhase: new Int32Array(U).fill(NONE),
    wins: new Array(U),
    won: new Uint8Array(U),
    considered: new Uint8Array(U * C),
  };
  let pools = P.kgs.map((kg) => Int32Array.from([...kg.blocks.map((b) => b.seats), kg.seats - kg.reserved]));
  const overPlan = rules.multiples === Multiples.BUNDLE_OVER_PLAN;
  const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
  const phases = rules.phases.length ? rules.phases : [null];
  const mechanism = {
    [Mechanism.INDEPENDENT]: independent,
    [Mechanism.FIRST_CHOICE_FIRST]: firstChoiceFirst,
    [Mechanism.DEFERRED_ACCEPTANCE]: deferredAcceptance,
  }[rules.mechanism];
  phases.forEach((phase, p) => {
    const allowed = new Uint8Array(U * C);
    const tiers = phase && phase.tiers !== null ? new Set(phase.tiers.map((t) => tierRank.get(t))) : null;
    for (let u = 0; u < U; u++) {
      if (state.placedKg[u] !== NONE || state.won[u]) continue;
      if (tiers !== null && !tiers.has(P.tier[u])) continue;
      const limit = phase && phase.choices !== null ? Math.min(phase.choices, P.width[u]) : P.width[u];
      for (let c = 0; c < limit; c++) {
        const cell = u * C + c;
        if (phase && phase.fact !== null) {
          const facts = P.unitFacts[u];
          if (facts === null || !facts.has(phase.fact + '\u0000' + P.choiceKg[cell])) continue;
        }
        allowed[cell] = 1;
        state.considered[cell] = 1;
      }
    }
    // A phase with blocks offers only those blocks' seats; the rest wait for later phases.
    let offered = null;
    let phasePools = pools;
    if (phase && phase.blocks !== null) {
      const names = new Set(phase.blocks);
      offered = P.kgs.map((kg) => [...kg.blocks.map((b) => names.has(b.name)), false]);
      phasePools = pools.map((seats, k) => seats.map((s, col) => (offered[k][col] ? s : 0)));
    } else {
      phasePools = pools.map((seats) => Int32Array.from(seats));
    }
    mechanism(P, allowed, phasePools, offered, overPlan, phase ? p : NONE, state);
    pools = pools.map((seats, k) => seats.map((s, col) => (offered === null || offered[k][col] ? phasePools[k][col] : s)));
  });
  return state;
}

// --- the outcome ---------------------------------------------------------------------------

/**
 * Run the draw (spec section 7) on parsed rules and records.
 * @param {object} rules from parseRules
 * @param {object[]} records from parseRecords (ascending registration number)
 * @param {Uint8Array} seed 32 bytes
 * @returns {{results: object[], summaries: object[], unplaced: number}} results in draw
 *   order (spec 7.7), each the result object of spec 8.2; summaries as the transcript's
 *   kindergartens list (9.3)
 * @throws {InputError} naming the applicant and field for bad records
 */
export function draw(rules, records, seed) {
  const P = prepare(rules, records, seed);
  const state = run(rules, P);
  const { n, C, K, kgs } = P;
  const isIndependent = rules.mechanism === Mechanism.INDEPENDENT;

  // Unit results spread to children.
  const placed = new Int32Array(n).fill(NONE);
  const pos = new Int32Array(n).fill(NONE);
  const column = new Int32Array(n).fill(NONE);
  const phase = new Int32Array(n).fill(NONE);
  const over = new Uint8Array(n);
  const moved = new Int32Array(n).fill(NONE);
  for (let i = 0; i < n; i++) {
    const u = P.rowUnit[i];
    placed[i] = state.placedKg[u];
    pos[i] = state.placedPos[u];
    column[i] = state.placedColumn[u];
    phase[i] = state.placedPhase[u];
    over[i] = state.placedOver[u];
    if (isIndependent && state.wins[u]) over[i] = state.wins[u].some((w) => w.over) ? 1 : 0;
  }

  // 7.5 merge-after: groups in order of id, members in order of registration number.
  if (rules.multiples === Multiples.MERGE_AFTER) {
    const count = new Int32Array(K);
    for (let i = 0; i < n; i++) if (placed[i] !== NONE) count[placed[i]]++;
    const groups = new Map();
    records.forEach((r, i) => {
      if (r.group !== null) {
        if (!groups.has(r.group)) groups.set(r.group, []);
        groups.get(r.group).push(i);
      }
    });
    for (const g of [...groups.keys()].sort(compareCodePoints)) {
      const rows = groups.get(g).filter((i) => placed[i] !== NONE);
      if (rows.length < 2) continue;
      let best = rows[0];
      for (const i of rows) if (pos[i] < pos[best]) best = i; // rows ascend by registration number
      const target = placed[best];
      for (const i of rows) {
        if (placed[i] === target) continue;
        if (!rules.merge_over_capacity && count[target] >= kgs[target].seats) continue;
        count[placed[i]]--;
        count[target]++;
        moved[i] = placed[i];
        placed[i] = target;
        pos[i] = pos[best];
        column[i] = MOVED;
        over[i] = count[target] > kgs[target].seats ? 1 : 0;
      }
    }
  }

  // Every seat taken: (kindergarten, column, phase) per child, in the child's order of choices.
  const wins = new Array(n);
  for (let i = 0; i < n; i++) {
    if (isIndependent) {
      const unitWins = state.wins[P.rowUnit[i]];
      wins[i] = unitWins ? [...unitWins].sort((a, b) => a.pos - b.pos) : [];
    } else {
      wins[i] = placed[i] === NONE ? [] : [{ kg: placed[i], column: column[i], phase: phase[i] }];
    }
  }
  const openColumn = (k, col) => (col === MOVED ? kgs[k].blocks.length : col);

  // 7.6 waitlists.
  const waitlist = Array.from({ length: K }, () => []); // per kindergarten: [row, position]
  if (rules.waitlist_length > 0) {
    const waiting = Array.from({ length: K }, () => []);
    for (let u = 0; u < P.U; u++) {
      const head = P.unitMembers[u][0];
      for (let c = 0; c < P.width[u]; c++) {
        const cell = u * C + c;
        if (!state.considered[cell]) continue;
        const k = P.choiceKg[cell];
        if (isIndependent) {
          if ((state.wins[u] ?? []).some((w) => w.kg === k)) continue;
        } else if (placed[head] !== NONE && (placed[head] === k || pos[head] < c)) {
          continue;
        }
        waiting[k].push(cell);
      }
    }
    const order = byKey(P);
    for (let k = 0; k < K; k++) {
      const cells = waiting[k].sort(order).slice(0, rules.waitlist_length);
      cells.forEach((cell, i) => {
        for (const row of P.unitMembers[Math.floor(cell / C)]) waitlist[k].push([row, i + 1]);
      });
    }
  }
  const rowWaitlist = new Array(n);
  for (let k = 0; k < K; k++) {
    for (const [row, position] of waitlist[k]) (rowWaitlist[row] ??= []).push({ kindergarten: kgs[k].id, position });
  }

  // Per-kindergarten summaries (transcript, spec 9.3).
  const taken = kgs.map((kg) => new Int32Array(kg.blocks.length + 1));
  for (let i = 0; i < n; i++) for (const w of wins[i]) taken[w.kg][openColumn(w.kg, w.column)]++;
  const applicants = new Int32Array(K);
  const firstChoice = new Int32Array(K);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < P.rowWidth[i]; c++) applicants[P.rowChoices[i * C + c]]++;
    firstChoice[P.rowChoices[i * C]]++;
  }
  const summaries = kgs.map((kg, k) => {
    const total = taken[k].reduce((a, b) => a + b, 0);
    return {
      id: kg.id,
      name: kg.name,
      seats: kg.seats,
      applicants: applicants[k],
      first_choice: firstChoice[k],
      placed: total,
      left_over: Math.max(kg.seats - total, 0),
      over_capacity: Math.max(total - kg.seats, 0),
      blocks: [
        ...kg.blocks.map((b, j) => ({ name: b.name, seats: b.seats, placed: taken[k][j] })),
        { name: OPEN_BLOCK, seats: kg.seats - kg.reserved, placed: taken[k][kg.blocks.length] },
      ],
      waitlist: waitlist[k].length,
    };
  });

  // 7.7 draw order and the result objects (8.2).
  const blockName = (k, col) => {
    const c = openColumn(k, col);
    return c < kgs[k].blocks.length ? kgs[k].blocks[c].name : OPEN_BLOCK;
  };
  const phaseName = (p) => (p >= 0 && rules.phases.length ? rules.phases[p].name : null);
  const results = [];
  let unplaced = 0;
  for (const u of P.unitOrder) {
    for (const i of P.unitMembers[u]) {
      const here = !isIndependent && placed[i] !== NONE;
      if (placed[i] === NONE && wins[i].length === 0) unplaced++;
      results.push({
        block: here ? blockName(placed[i], column[i]) : null,
        choice_tickets: P.unitChoiceTickets ? [...P.unitChoiceTickets[u]] : [],
        moved_from: moved[i] === NONE ? null : kgs[moved[i]].id,
        over_capacity: over[i] === 1,
        phase: here ? phaseName(phase[i]) : null,
        placed: here ? kgs[placed[i]].id : null,
        registration_number: records[i].registration_number,
        ticket: P.unitTicket[u],
        waitlist: rowWaitlist[i] ?? [],
        wins: wins[i].map((w) => ({ block: blockName(w.kg, w.column), kindergarten: kgs[w.kg].id, phase: phaseName(w.phase) })),
      });
    }
  }
  return { results, summaries, unplaced };
}
