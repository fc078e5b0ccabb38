import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  FLOW_PRESETS,
  FlowDefinition,
  isValidReleaseTagPattern,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';
import { claimKeyOf } from './claimKeys';
import {
  isGitopsRepository,
  isSafeRepositoryPath,
} from '../release/gitops/gitopsLocations';
import {
  approvalSchema,
  durationSchema,
  freezeSchema,
} from './approvalSchemas';

/**
 * Stageflow's settings shared by the backend plugin and its modules, read
 * once at start-up.
 *
 * @public
 */
export interface StageflowConfig {
  defaultFlow: string;
  flows: Record<string, FlowDefinition>;
  /** How long a moving fact (a tag's digest, a branch head) is trusted. */
  cacheTtlSeconds: number;
  /** How often every annotated component is snapshotted, in minutes. */
  snapshotFrequencyMinutes: number;
  /**
   * Which entity owns a repository or image that several entities name,
   * by normalized key (`git.acme.example/acme/phippy`,
   * `registry.acme.example/acme/phippy`).
   */
  claims: Record<string, string>;
  /** How long a promotion request to a protected stage waits, in ms. */
  approvalsExpireAfterMs: number;
}

const template = z
  .string()
  .min(1)
  .refine(t => t.includes('{image}'), 'must contain {image}');

const valuePath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  message: 'must be a dotted path of keys, e.g. image.tag',
});

const placeholdersOnly = (allowed: string[]) => (t: string) =>
  [...t.matchAll(/\{(\w+)\}/g)].every(([, key]) => allowed.includes(key));

const gitopsSourceSchema = z
  .object({
    type: z.literal('gitops'),
    repository: z
      .string()
      .refine(
        isGitopsRepository,
        'must be a git URL or host/owner/repo on a configured GitHub host',
      ),
    path: z
      .string()
      .min(1)
      .refine(
        placeholdersOnly(['stage', 'component']),
        'may only use {stage} and {component}',
      )
      .refine(
        t => isSafeRepositoryPath(t.replace(/\{(\w+)\}/g, 'x')),
        'must be a relative path without .. or empty segments',
      ),
    branch: z.string().min(1).default('main'),
    via: z.enum(['push', 'pull-request']).default('push'),
    values: z
      .object({
        tag: valuePath,
        digest: valuePath,
        revision: valuePath,
      })
      .partial()
      .strict()
      .refine(
        v => Boolean(v.tag || v.digest || v.revision),
        'must name at least one of tag, digest, revision',
      ),
    pinTag: z
      .string()
      .min(1)
      .refine(
        placeholdersOnly(['version', 'tag', 'sha']),
        'may only use {version}, {tag} and {sha}',
      )
      .optional(),
  })
  .strict();

const flowSchema = z
  .object({
    tagPattern: z
      .string()
      .refine(isValidReleaseTagPattern, 'must contain {version} exactly once'),
    branches: z.object({
      release: z.string().min(1),
      develop: z.string().min(1),
      hotfix: z
        .string()
        .refine(t => t.includes('{name}'), 'must contain {name}'),
    }),
    candidateImage: template.refine(
      t => t.includes('{sha}'),
      'must contain {sha}',
    ),
    stages: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
              message: 'must be lowercase letters, digits and dashes',
            }),
            image: template,
            promoteTo: z.array(template).optional(),
            branch: z.string().min(1).optional(),
            source: gitopsSourceSchema.optional(),
            approval: approvalSchema.optional(),
            freeze: z.array(freezeSchema).optional(),
          })
          .strict(),
      )
      .min(1)
      .superRefine((stages, ctx) => {
        const names = stages.map(s => s.name);
        const duplicate = names.find((n, i) => names.indexOf(n) !== i);
        if (duplicate) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `stage '${duplicate}' is listed twice`,
          });
        }
      }),
  })
  .strict();

const entityRefSchema = z.string().transform((ref, ctx) => {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component' }),
    );
  } catch {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be an entity ref such as component:default/phippy, got '${ref}'`,
    });
    return z.NEVER;
  }
});

// One schema per section: a section added later is one more line here.
// Sections read elsewhere (git, registries, contributors, ...) pass through.
const sections = {
  defaultFlow: z.string().min(1).default('oneflow'),
  flows: z.record(flowSchema).default({}),
  cache: z
    .object({ ttlSeconds: z.number().min(0, 'must be zero or more') })
    .partial()
    .default({}),
  snapshots: z
    .object({
      frequencyMinutes: z.number().positive('must be more than zero'),
    })
    .partial()
    .default({}),
  claims: z.record(entityRefSchema).default({}),
  approvals: z.object({ expireAfter: durationSchema }).partial().default({}),
};

const stageflowSchema = z.object(sections).passthrough();

const DEFAULT_APPROVALS_EXPIRE_AFTER_MS = 24 * 60 * 60 * 1000;

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, part) =>
      typeof part === 'number' ? `${text}[${part}]` : `${text}.${part}`,
    'stageflow',
  );
}

function invalid(path: (string | number)[], message: string): Error {
  return new Error(`Invalid config at ${formatPath(path)}: ${message}`);
}

function toFlow(
  name: string,
  flow: z.output<typeof flowSchema>,
): FlowDefinition {
  return {
    name,
    tagPattern: flow.tagPattern,
    branches: flow.branches,
    candidateImage: flow.candidateImage,
    stages: flow.stages.map(({ branch, ...stage }) => ({
      ...stage,
      expects: branch ? { branch } : { release: true },
    })),
  };
}

/**
 * Reads the `stageflow` block (flows, default flow, cache, snapshots,
 * claims) with one schema; a bad value fails naming its config path, e.g.
 * `stageflow.flows.trunk.stages[1].image: must contain {image}`.
 *
 * @public
 */
export function readStageflowConfig(config: Config): StageflowConfig {
  const parsed = stageflowSchema.safeParse(
    config.getOptional('stageflow') ?? {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue.path, issue.message);
  }
  const data = parsed.data;
  const flows: Record<string, FlowDefinition> = { ...FLOW_PRESETS };
  for (const [name, flow] of Object.entries(data.flows)) {
    flows[name] = toFlow(name, flow);
  }
  if (!flows[data.defaultFlow]) {
    throw invalid(
      ['defaultFlow'],
      `unknown flow '${data.defaultFlow}', expected one of ${Object.keys(
        flows,
      ).join(', ')}`,
    );
  }
  const claims: Record<string, string> = {};
  for (const [key, owner] of Object.entries(data.claims)) {
    const normalized = claimKeyOf(key);
    if (!normalized) {
      throw invalid(
        ['claims', key],
        'must be keyed by a repository (host/owner/repo or a git URL) or an image (registry/path)',
      );
    }
    claims[normalized] = owner;
  }
  return {
    defaultFlow: data.defaultFlow,
    flows,
    cacheTtlSeconds: data.cache.ttlSeconds ?? 60,
    snapshotFrequencyMinutes: data.snapshots.frequencyMinutes ?? 5,
    claims,
    approvalsExpireAfterMs:
      data.approvals.expireAfter ?? DEFAULT_APPROVALS_EXPIRE_AFTER_MS,
  };
}
