// Declared state machines (DESIGN §4): a table of `from → event → to`. Statuses change only through one; the
// SQL guard of a move (`WHERE status = ANY($sources)`) is derived from the table, never written by hand.
// Written here rather than taken from a library: what we need is the table and two derived lists, and the
// SQL guard is the enforcement — an in-memory interpreter (xstate & co.) would add nothing.
export type Transitions<S extends string, E extends string> = Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>;

export interface StateMachine<S extends string, E extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly events: readonly E[];
  readonly transitions: Transitions<S, E>;
  /** the state `event` moves `from` to, or null when the event does not apply there */
  next(from: S, event: E): S | null;
  can(from: S, event: E): boolean;
  /** the states `event` applies in: the guard of that move's UPDATE */
  sourcesOf(event: E): S[];
  /** the state `event` leads to (events have one target, whatever the source) */
  targetOf(event: E): S;
  /** states no event leaves */
  isFinal(state: S): boolean;
  finalStates(): S[];
}

export function defineMachine<S extends string, E extends string>(name: string, transitions: Transitions<S, E>, events: readonly E[]): StateMachine<S, E> {
  const states = Object.keys(transitions) as S[];
  const targets = new Map<E, S>();
  for (const from of states) {
    for (const [event, to] of Object.entries(transitions[from]) as [E, S][]) {
      if (!events.includes(event)) throw new Error(`${name}: ${from} --${event}--> ${to}: undeclared event`);
      if (!states.includes(to)) throw new Error(`${name}: ${from} --${event}--> ${to}: undeclared state`);
      const known = targets.get(event);
      if (known && known !== to) throw new Error(`${name}: event ${event} leads to both ${known} and ${to}`);
      targets.set(event, to);
    }
  }
  for (const e of events) if (!targets.has(e)) throw new Error(`${name}: event ${e} is never used`);
  const machine: StateMachine<S, E> = {
    name,
    states,
    events,
    transitions,
    next: (from, event) => transitions[from]?.[event] ?? null,
    can: (from, event) => transitions[from]?.[event] !== undefined,
    sourcesOf: (event) => states.filter((s) => transitions[s][event] !== undefined),
    targetOf: (event) => targets.get(event)!,
    isFinal: (s) => Object.keys(transitions[s]).length === 0,
    finalStates: () => states.filter((s) => Object.keys(transitions[s]).length === 0),
  };
  return machine;
}
