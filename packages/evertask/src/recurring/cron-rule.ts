/** The stored form of a cron schedule, shared by the schedule spec and the cron evaluator. */

/** A cron expression evaluated on the wall clock of the schedule's time zone. */
export interface CronRule {
  readonly kind: 'cron';
  /** 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds. */
  readonly expression: string;
  /** `'and'`: a restricted day-of-month and day-of-week must both match (Cronos). Absent: either (Vixie cron). */
  readonly dayMatch?: 'and';
}
