import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CronTime } from 'cron';
import { Duration } from 'luxon';
import { z } from 'zod';

/** An ISO 8601 duration (`PT48H`) or its object form (`{ hours: 48 }`), as ms. */
export const durationSchema = z
  .union([
    z.string(),
    z
      .object({
        weeks: z.number(),
        days: z.number(),
        hours: z.number(),
        minutes: z.number(),
        seconds: z.number(),
      })
      .partial()
      .strict(),
  ])
  .transform((value, ctx) => {
    const duration =
      typeof value === 'string'
        ? Duration.fromISO(value)
        : Duration.fromObject(value);
    const ms = duration.isValid ? duration.as('milliseconds') : NaN;
    if (!(ms > 0)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message:
          'must be a positive ISO 8601 duration such as PT24H, or an object such as { hours: 24 }',
      });
      return z.NEVER;
    }
    return ms;
  });

const groupRef = z.string().transform((ref, ctx) => {
  try {
    return stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'group' }));
  } catch {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be a group ref such as group:default/team-b, got '${ref}'`,
    });
    return z.NEVER;
  }
});

export const approvalSchema = z
  .object({
    required: z.number().int().min(1, 'must be 1 or more'),
    from: z.union([z.literal('owner'), z.array(groupRef).min(1)], {
      errorMap: () => ({ message: "must be 'owner' or a list of group refs" }),
    }),
  })
  .strict();

export const freezeSchema = z
  .object({
    name: z.string().min(1).optional(),
    cron: z.string().min(1),
    duration: z.string().min(1),
    timeZone: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((window, ctx) => {
    try {
      // eslint-disable-next-line no-new
      new CronTime(window.cron, window.timeZone ?? 'UTC');
    } catch (error) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['cron'],
        message: `is not a valid cron expression or time zone: ${
          (error as Error).message
        }`,
      });
    }
    const duration = Duration.fromISO(window.duration);
    if (!duration.isValid || !(duration.as('milliseconds') > 0)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['duration'],
        message: 'must be a positive ISO 8601 duration such as PT48H',
      });
    }
  });
