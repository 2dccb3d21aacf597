import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidPayloadError, type PayloadIssue } from '../errors.js';

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((segment) => {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
      return String(key);
    })
    .join('.');
}

/** Validates a payload against a Standard Schema; throws `InvalidPayloadError` naming each failing field. */
export async function checkPayload(taskName: string, schema: StandardSchemaV1, payload: unknown): Promise<unknown> {
  let result = schema['~standard'].validate(payload);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    const issues: PayloadIssue[] = result.issues.map((i) => ({ path: pathOf(i), message: i.message }));
    throw new InvalidPayloadError(taskName, issues);
  }
  return result.value;
}
