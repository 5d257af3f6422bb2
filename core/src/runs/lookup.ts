/**
 * The one run lookup: how people name a run on the command line, in `--runs`, in `loadModel` and
 * in a report's links. A reference is, in this order of precedence:
 *
 * 1. the exact run id (`20261122-210850123-k3f9q`);
 * 2. a unique id prefix (`20261122-2108`);
 * 3. a unique run name (`mlp-3`);
 * 4. an archive name (`archived_v2_2026-11-22`).
 *
 * The first rule that matches anything decides: a prefix that matches two runs is ambiguous even
 * when one of them is also named so. Pure; the report's interactive script uses it too.
 */
import { RunNotFoundError } from '../errors.js';

/** What the lookup reads of a run: its id and name, and its archive name when it has one. */
export interface Referable {
  record: { id: string; name: string };
  archive?: { name: string } | null;
}

/** How a reference resolved: one run, none, or several (the matches of the deciding rule). */
export type LookupOutcome<T> = { kind: 'found'; run: T } | { kind: 'none' } | { kind: 'ambiguous'; matches: T[] };

/**
 * Resolves a reference among runs without throwing.
 *
 * @example
 * lookupRun(runs, 'mlp-3');         // { kind: 'found', run }
 * lookupRun(runs, '2026');          // { kind: 'ambiguous', matches: [...] }
 */
export function lookupRun<T extends Referable>(runs: readonly T[], reference: string): LookupOutcome<T> {
  if (reference === '') return { kind: 'none' };
  const exact = runs.find((run) => run.record.id === reference);
  if (exact) return { kind: 'found', run: exact };
  const rules: Array<(run: T) => boolean> = [
    (run) => run.record.id.startsWith(reference),
    (run) => run.record.name === reference,
    (run) => run.archive?.name === reference,
  ];
  for (const rule of rules) {
    const matches = runs.filter(rule);
    if (matches.length === 1) return { kind: 'found', run: matches[0]! };
    if (matches.length > 1) return { kind: 'ambiguous', matches };
  }
  return { kind: 'none' };
}

/** How many matching ids an ambiguity message lists. */
const LISTED_MATCHES = 5;

/**
 * Finds one run by reference; throws {@link RunNotFoundError} with one message for no match
 * (naming `where`) and for several (listing them).
 *
 * @example
 * findRun(store.runs, 'mlp-3', 'train.trainbook');
 */
export function findRun<T extends Referable>(runs: readonly T[], reference: string, where: string): T {
  const outcome = lookupRun(runs, reference);
  if (outcome.kind === 'found') return outcome.run;
  throw lookupError(reference, outcome, where);
}

/** The error for a reference that did not resolve to one run. */
export function lookupError(reference: string, outcome: LookupOutcome<Referable>, where: string): RunNotFoundError {
  if (outcome.kind !== 'ambiguous') return new RunNotFoundError(`No run "${reference}" in ${where}. \`trainbook ls\` lists the runs.`);
  const shown = outcome.matches.slice(0, LISTED_MATCHES).map((run) => (run.record.name ? `${run.record.id} "${run.record.name}"` : run.record.id));
  const more = outcome.matches.length > LISTED_MATCHES ? ', ...' : '';
  return new RunNotFoundError(`"${reference}" matches ${outcome.matches.length} runs (${shown.join(', ')}${more}); give more of the id.`);
}

/** Runs grouped by where they live (a store), for a lookup across several of them. */
export interface RunGroup<G, T> {
  group: G;
  /** How the group is named in messages (the store's folder). */
  where: string;
  runs: readonly T[];
}

/**
 * Finds one run across several stores: a run found in exactly one store is the answer; found in
 * two, the message asks for the store (`hint` says how: "pass the store path too"); ambiguous in
 * the only store where it matches, the message lists the matches there.
 *
 * @example
 * const { group: store, run } = findRunAcross(stores.map((s) => ({ group: s, where: s.dir, runs: s.list().runs })), 'mlp-3');
 */
export function findRunAcross<G, T extends Referable>(groups: ReadonlyArray<RunGroup<G, T>>, reference: string, hint = 'pass the store path too'): { group: G; run: T } {
  const found: Array<{ group: G; run: T; where: string }> = [];
  const ambiguous: Array<{ outcome: LookupOutcome<T>; where: string }> = [];
  for (const { group, where, runs } of groups) {
    const outcome = lookupRun(runs, reference);
    if (outcome.kind === 'found') found.push({ group, run: outcome.run, where });
    else if (outcome.kind === 'ambiguous') ambiguous.push({ outcome, where });
  }
  if (found.length === 1) return { group: found[0]!.group, run: found[0]!.run };
  if (found.length > 1 || ambiguous.length > 1) {
    const wheres = (found.length > 1 ? found : ambiguous).map((f) => f.where);
    throw new RunNotFoundError(`"${reference}" matches runs in ${wheres.length} stores (${wheres.join(', ')}); ${hint}.`);
  }
  if (ambiguous.length === 1) throw lookupError(reference, ambiguous[0]!.outcome, ambiguous[0]!.where);
  throw lookupError(reference, { kind: 'none' }, groups.map((g) => g.where).join(', ') || 'no store');
}
