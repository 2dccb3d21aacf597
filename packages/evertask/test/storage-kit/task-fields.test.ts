import { describe, expect, it } from 'vitest';
import { COLUMN_OF_FIELD, STORED_TASK_COLUMNS, TASK_COLUMNS, TASK_FIELDS, TASK_PATCH_FIELDS, copyTaskFields, taskParameters } from 'evertask/storage-kit';
import { makeStoredTask } from 'evertask/testing';

describe('the task field table', () => {
  it('lists the fields of a stored task once each, in the order newStoredTask builds them', () => {
    const fields = TASK_FIELDS.map((spec) => spec.field);
    expect(fields).toEqual(Object.keys(makeStoredTask()));
    expect(new Set(TASK_COLUMNS).size).toBe(25);
  });

  it('derives the column list, the column of each field and the patchable fields', () => {
    expect(STORED_TASK_COLUMNS[5]).toEqual(['task_key', 'taskKey']);
    expect(COLUMN_OF_FIELD.leaseExpiresAt).toBe('lease_expires_at');
    expect(TASK_PATCH_FIELDS).not.toContain('status');
    expect(TASK_PATCH_FIELDS).not.toContain('id');
    expect(TASK_PATCH_FIELDS).toContain('attempts');
    expect(TASK_PATCH_FIELDS).toHaveLength(18);
  });

  it('copies exactly the table fields and lists them as insert parameters in column order', () => {
    const task = { ...makeStoredTask({ queue: 'mail', attempts: 2 }), stray: true };
    const copy = copyTaskFields(task);
    const { stray: _stray, ...fields } = task;
    expect(copy).toEqual(fields);
    expect(copy).not.toHaveProperty('stray');
    expect(Object.keys(copy)).toEqual(TASK_FIELDS.map((spec) => spec.field));
    const parameters = taskParameters(task);
    expect(parameters).toHaveLength(25);
    expect(parameters[TASK_COLUMNS.indexOf('queue')]).toBe('mail');
    expect(parameters[TASK_COLUMNS.indexOf('attempts')]).toBe(2);
  });
});
