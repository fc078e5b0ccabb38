import { Config } from '@backstage/config';
import {
  FLOW_PRESETS,
  FlowDefinition,
  isValidReleaseTagPattern,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';

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
}

const template = z
  .string()
  .min(1)
  .refine(t => t.includes('{image}'), 'must contain {image}');

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
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

function formatIssue(key: string, issue: z.ZodIssue): string {
  const path = [key, ...issue.path].join('.');
  return `Invalid config at ${path}: ${issue.message}`;
}

function readFlows(config: Config): Record<string, FlowDefinition> {
  const flows: Record<string, FlowDefinition> = { ...FLOW_PRESETS };
  const custom = config.getOptionalConfig('stageflow.flows');
  for (const name of custom?.keys() ?? []) {
    const key = `stageflow.flows.${name}`;
    const parsed = flowSchema.safeParse(custom!.get(name));
    if (!parsed.success) {
      throw new Error(formatIssue(key, parsed.error.issues[0]));
    }
    const names = parsed.data.stages.map(s => s.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) {
      throw new Error(
        `Invalid config at ${key}.stages: stage '${duplicate}' is listed twice`,
      );
    }
    flows[name] = {
      name,
      tagPattern: parsed.data.tagPattern,
      branches: parsed.data.branches,
      candidateImage: parsed.data.candidateImage,
      stages: parsed.data.stages.map(({ branch, ...stage }) => ({
        ...stage,
        expects: branch ? { branch } : { release: true },
      })),
    };
  }
  return flows;
}

/**
 * Reads `stageflow.defaultFlow`, `stageflow.flows`, `stageflow.cache` and
 * `stageflow.snapshots`; a bad value fails with the key it is at.
 *
 * @public
 */
export function readStageflowConfig(config: Config): StageflowConfig {
  const flows = readFlows(config);
  const defaultFlow =
    config.getOptionalString('stageflow.defaultFlow') ?? 'oneflow';
  if (!flows[defaultFlow]) {
    throw new Error(
      `Invalid config at stageflow.defaultFlow: unknown flow '${defaultFlow}', expected one of ${Object.keys(
        flows,
      ).join(', ')}`,
    );
  }
  const cacheTtlSeconds =
    config.getOptionalNumber('stageflow.cache.ttlSeconds') ?? 60;
  if (!(cacheTtlSeconds >= 0)) {
    throw new Error(
      'Invalid config at stageflow.cache.ttlSeconds: must be zero or more',
    );
  }
  const snapshotFrequencyMinutes =
    config.getOptionalNumber('stageflow.snapshots.frequencyMinutes') ?? 5;
  if (!(snapshotFrequencyMinutes > 0)) {
    throw new Error(
      'Invalid config at stageflow.snapshots.frequencyMinutes: must be more than zero',
    );
  }
  return { defaultFlow, flows, cacheTtlSeconds, snapshotFrequencyMinutes };
}
