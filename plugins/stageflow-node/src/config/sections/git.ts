import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { configBoolean, configString } from './values';

/** One `stageflow.git.hosts[]` entry. @public */
export interface GitHostConfig {
  host: string;
  baseUrl?: string;
  username?: string;
  password?: string;
}

/** The `stageflow.git` config, read once at start-up. @public */
export interface GitServiceConfig {
  hosts: GitHostConfig[];
  cacheDir: string;
  /**
   * Whether GitHub reads go through GraphQL batches (default true); false
   * reads through REST only, as a host without GraphQL would.
   */
  githubGraphql: boolean;
}

const hostSchema = z
  .object({
    host: configString.transform(host => host.toLowerCase()),
    baseUrl: configString
      .transform(url => url.replace(/\/+$/, ''))
      .refine(
        url => /^(https?|file|ssh|git):\/\//.test(url),
        'must be an https, http, ssh, git or file URL',
      )
      .optional(),
    username: configString.optional(),
    password: configString.optional(),
  })
  .strict();

/**
 * `stageflow.git`. A host named twice is a config error, so that the
 * credentials in use are never a matter of order.
 */
export const gitSection = z
  .object({
    hosts: z
      .array(hostSchema)
      .default([])
      .superRefine((hosts, ctx) => {
        const seen = new Set<string>();
        hosts.forEach(({ host }, index) => {
          if (seen.has(host)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index, 'host'],
              message: `${host} is named more than once`,
            });
          }
          seen.add(host);
        });
      }),
    cacheDir: configString.optional(),
    githubGraphql: configBoolean.default(true),
  })
  .strict()
  .default({})
  .transform(
    (git): GitServiceConfig => ({
      hosts: git.hosts.map(({ host, baseUrl, username, password }) => ({
        host,
        baseUrl,
        username,
        password,
      })),
      githubGraphql: git.githubGraphql,
      cacheDir: git.cacheDir ?? join(tmpdir(), 'stageflow-git-cache'),
    }),
  );
