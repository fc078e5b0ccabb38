import { Config } from '@backstage/config';
import {
  FLOW_PRESETS,
  FlowDefinition,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';
import { durationSchema } from './approvalSchemas';
import { claimsSection } from './sections/claims';
import {
  ContributorConfig,
  contributorsSection,
} from './sections/contributors';
import { flowSchema, toFlow } from './sections/flows';
import { GitServiceConfig, gitSection } from './sections/git';
import {
  NotificationsConfig,
  notificationsSection,
} from './sections/notifications';
import { RegistryHostConfig, registriesSection } from './sections/registries';
import { ResilienceConfig, resilienceSection } from './sections/resilience';

/**
 * Stageflow's settings shared by the backend plugin and its modules: the
 * whole `stageflow` block, read once at start-up.
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
   * Whether `stageflow.snapshots.frequencyMinutes` is set, rather than
   * defaulted (where changes are pushed, the default is longer).
   */
  snapshotFrequencyConfigured: boolean;
  /**
   * Which entity owns a repository or image that several entities name,
   * by normalized key (`git.acme.example/acme/phippy`,
   * `registry.acme.example/acme/phippy`).
   */
  claims: Record<string, string>;
  /** How long a promotion request to a protected stage waits, in ms. */
  approvalsExpireAfterMs: number;
  /** `stageflow.git`: plain-git hosts, the clone cache, GraphQL reads. */
  git: GitServiceConfig;
  /** `stageflow.registries`: the container registries, by host. */
  registries: RegistryHostConfig[];
  /** `stageflow.resilience`: timeouts, retries and breakers per host. */
  resilience: ResilienceConfig;
  /** `stageflow.contributors`: who may write which entities, by name. */
  contributors: Map<string, ContributorConfig>;
  /** `stageflow.notifications`: what upstreams push to Stageflow. */
  notifications: NotificationsConfig;
}

// One schema per section, each in ./sections: a section added later is one
// more line here (and in config.d.ts). The block is strict, so a key that
// is none of these (a typo such as `registry`) fails naming its path.
const sections = {
  defaultFlow: z.string().min(1).default('oneflow'),
  flows: z.record(flowSchema).default({}),
  cache: z
    .object({ ttlSeconds: z.number().min(0, 'must be zero or more') })
    .partial()
    .strict()
    .default({}),
  snapshots: z
    .object({
      frequencyMinutes: z.number().positive('must be more than zero'),
    })
    .partial()
    .strict()
    .default({}),
  claims: claimsSection,
  approvals: z
    .object({ expireAfter: durationSchema })
    .partial()
    .strict()
    .default({}),
  git: gitSection,
  registries: registriesSection,
  resilience: resilienceSection,
  contributors: contributorsSection,
  notifications: notificationsSection,
};

const stageflowSchema = z.object(sections).strict();

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

/** The first issue, an unknown key named by its own path. */
function toError(issue: z.ZodIssue): Error {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const known =
      issue.path.length === 0
        ? `; expected one of ${Object.keys(sections).join(', ')}`
        : '';
    return invalid([...issue.path, issue.keys[0]], `unknown key${known}`);
  }
  return invalid(issue.path, issue.message);
}

/**
 * Reads the whole `stageflow` block with one schema, one section each
 * (flows, default flow, cache, snapshots, claims, approvals, git,
 * registries, resilience, contributors, notifications); a bad value or an
 * unknown key fails naming its config path, e.g.
 * `Invalid config at stageflow.flows.trunk.stages[1].image: must contain {image}`.
 *
 * @public
 */
export function readStageflowConfig(config: Config): StageflowConfig {
  const parsed = stageflowSchema.safeParse(
    config.getOptional('stageflow') ?? {},
  );
  if (!parsed.success) {
    throw toError(parsed.error.issues[0]);
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
  return {
    defaultFlow: data.defaultFlow,
    flows,
    cacheTtlSeconds: data.cache.ttlSeconds ?? 60,
    snapshotFrequencyMinutes: data.snapshots.frequencyMinutes ?? 5,
    snapshotFrequencyConfigured: data.snapshots.frequencyMinutes !== undefined,
    claims: data.claims,
    approvalsExpireAfterMs:
      data.approvals.expireAfter ?? DEFAULT_APPROVALS_EXPIRE_AFTER_MS,
    git: data.git,
    registries: data.registries,
    resilience: data.resilience,
    contributors: data.contributors,
    notifications: data.notifications,
  };
}
