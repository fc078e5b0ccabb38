import { z } from 'zod';
import { configNumber, configString } from './values';

/** @public */
export interface RegistryHostConfig {
  host: string;
  type: 'distribution' | 'oci-layout';
  url?: string;
  path?: string;
  username?: string;
  password?: string;
  token?: string;
  /** The older per-host timeout; `stageflow.resilience` is the place for it now. */
  timeoutMs?: number;
}

/** Docker Hub is written `docker.io` in references whatever host config uses. */
export function normaliseHost(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower === 'index.docker.io' || lower === 'registry-1.docker.io'
    ? 'docker.io'
    : lower;
}

const TYPES = ['distribution', 'oci-layout'] as const;

const entrySchema = z
  .object({
    host: configString.transform(normaliseHost),
    type: z
      .string()
      .default('distribution')
      .refine(
        (type): type is (typeof TYPES)[number] =>
          (TYPES as readonly string[]).includes(type),
        type => ({
          message: `must be distribution or oci-layout, got "${type}"`,
        }),
      ),
    url: configString.optional(),
    path: configString.optional(),
    username: configString.optional(),
    password: configString.optional(),
    token: configString.optional(),
    timeoutMs: configNumber.optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.type === 'oci-layout' && !entry.path) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['path'],
        message: `host ${entry.host} of type oci-layout needs a path`,
      });
    }
  });

/**
 * `stageflow.registries`, failing at start-up on a bad entry rather than on
 * the first promotion.
 */
export const registriesSection = z
  .array(entrySchema)
  .default([])
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach(({ host }, index) => {
      if (seen.has(host)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [index, 'host'],
          message: `host ${host} is listed twice`,
        });
      }
      seen.add(host);
    });
  })
  .transform((entries): RegistryHostConfig[] =>
    entries.map(entry => ({
      host: entry.host,
      type: entry.type,
      url: entry.url,
      path: entry.path,
      username: entry.username,
      password: entry.password,
      token: entry.token,
      timeoutMs: entry.timeoutMs,
    })),
  );
