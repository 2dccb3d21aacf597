import { InvalidArgumentError } from './errors.js';

/** Edit distance of two short strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Checks that an options object is an object and has no key outside `known`, so that a typo
 * (`queus`) is an error rather than a silently ignored option. `what` names the options in the
 * error ("EverTask options", "dispatch options"); the error names the bad key, the closest valid
 * one and all the valid ones.
 */
export function checkOptionsObject(value: unknown, known: readonly string[], what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what} must be an object; received ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    let closest: string | undefined;
    let best = 3; // suggest only keys within two edits
    for (const candidate of known) {
      const distance = editDistance(candidate.toLowerCase(), key.toLowerCase());
      if (distance < best) [closest, best] = [candidate, distance];
    }
    throw new InvalidArgumentError(
      `Unknown ${what} key ${JSON.stringify(key)}${closest ? ` (did you mean "${closest}"?)` : ''}; valid keys are: ${known.join(', ')}.`,
    );
  }
}

/**
 * The keys of an options interface, listed once as `{ key: true, … }`: the type makes the list
 * complete and exact, so it cannot drift from the interface.
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}
