/**
 * The structured fields of a message template: `'Sent {count} mails to {user}'` with `3, 'ada'`
 * gives `{ count: 3, user: 'ada' }`, which `ctx.logger` passes to the application logger beside
 * the rendered message (so a JSON logger keeps them as fields, not only as text).
 */

const PLACEHOLDER = /\{([^{}]+)\}/g;
const FIELD_NAME = /^[A-Za-z_][\w.]*$/;
/** Names the engine sets itself; a placeholder of that name does not override them. */
const RESERVED = new Set(['taskId', 'task', 'attempt', 'error', 'err', 'msg', 'level', 'time']);

/** `{name}`, `{@name}`, `{$name}` and `{name:format}` are named; positional (`{0}`) and others are not. */
function fieldName(placeholder: string): string | undefined {
  let name = placeholder.trim();
  if (name.startsWith('@') || name.startsWith('$')) name = name.slice(1);
  const cut = name.search(/[:,]/);
  if (cut >= 0) name = name.slice(0, cut);
  return FIELD_NAME.test(name) && !RESERVED.has(name) ? name : undefined;
}

/** The named placeholders' values in order (an `Error` argument stays the entry's exception), or undefined when none. */
export function templateFields(template: string, args: readonly unknown[]): Record<string, unknown> | undefined {
  if (args.length === 0) return undefined;
  let fields: Record<string, unknown> | undefined;
  let i = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (i >= args.length) break;
    const value = args[i++];
    const name = fieldName(match[1] as string);
    if (name === undefined || value instanceof Error) continue;
    fields ??= {};
    fields[name] = value;
  }
  return fields;
}
