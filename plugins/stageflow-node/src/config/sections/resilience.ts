import { z } from 'zod';

/**
 * How Stageflow treats one upstream host: a timeout per attempt, retries of
 * idempotent requests, and a circuit breaker.
 *
 * @public
 */
export interface ResilienceOptions {
  /** Longest wait for a response head, per attempt. */
  timeoutMs: number;
  /** Retries of an idempotent request after no response, a 5xx or a 429. */
  retries: number;
  /** First back-off; doubled per retry up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /**
   * Longest `Retry-After` or rate-limit reset a request waits for; a later
   * one fails the request at once, and nothing is sent until then.
   */
  maxRetryAfterMs: number;
  breaker: {
    /** Consecutive failures (no response, 5xx) that open the circuit. */
    consecutiveFailures: number;
    /** How long an open circuit refuses requests before one probe. */
    halfOpenAfterMs: number;
  };
}

/** The `stageflow.resilience` config, read once at start-up. @public */
export interface ResilienceConfig {
  defaults: ResilienceOptions;
  /** Per host (lower case), the defaults with that host's overrides. */
  hosts: Map<string, ResilienceOptions>;
}

/** @public */
export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 250,
  maxBackoffMs: 5_000,
  maxRetryAfterMs: 10_000,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
};

const count = z.number().int().min(0);
const duration = z.number().int().min(1);

const overridesSchema = z
  .object({
    timeoutMs: duration,
    retries: count.max(10),
    backoffMs: duration,
    maxBackoffMs: duration,
    maxRetryAfterMs: count,
    breaker: z
      .object({
        consecutiveFailures: count.min(1),
        halfOpenAfterMs: duration,
      })
      .strict()
      .partial(),
  })
  .strict()
  .partial();

type Overrides = z.infer<typeof overridesSchema>;

function merge(
  base: ResilienceOptions,
  overrides: Overrides,
): ResilienceOptions {
  const { breaker, ...rest } = overrides;
  return {
    ...base,
    ...rest,
    breaker: { ...base.breaker, ...breaker },
  };
}

/**
 * `stageflow.resilience`: defaults, then per host (in lower case, named
 * once) the defaults with that host's overrides.
 */
export const resilienceSection = overridesSchema
  .extend({
    hosts: z
      .array(overridesSchema.extend({ host: z.string().min(1) }).strict())
      .default([])
      .superRefine((hosts, ctx) => {
        const seen = new Set<string>();
        hosts.forEach(({ host }, index) => {
          const key = host.toLowerCase();
          if (seen.has(key)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index, 'host'],
              message: `${key} is named twice`,
            });
          }
          seen.add(key);
        });
      }),
  })
  .strict()
  .default({})
  .transform(({ hosts, ...overrides }): ResilienceConfig => {
    const defaults = merge(DEFAULT_RESILIENCE, overrides);
    return {
      defaults,
      hosts: new Map(
        hosts.map(({ host, ...hostOverrides }) => [
          host.toLowerCase(),
          merge(defaults, hostOverrides),
        ]),
      ),
    };
  });
