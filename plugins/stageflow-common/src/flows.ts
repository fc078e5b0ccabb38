/**
 * One stage of a flow: the image tag it runs and the tags a promotion to it
 * writes. Templates may use `{image}`, `{sha}`, `{version}` and `{tag}`.
 *
 * @public
 */
export interface FlowStage {
  name: string;
  /** The image the stage runs, e.g. `{image}/stable:latest`. */
  image: string;
  /** The tags a promotion to this stage writes, e.g. `{image}/stable:{tag}`. */
  promoteTo?: string[];
  /**
   * What the stage should run: a `release` (a commit with a release tag,
   * through the candidate image of that commit), or the history of a
   * `branch` (any commit of it). Anything else is drift.
   */
  expects: { release: true } | { branch: string };
  /**
   * Where the stage's version is pinned; without it, the registry tag
   * `image` (the default).
   */
  source?: GitopsStageSource;
  /**
   * A promotion to this stage waits for `required` approvals from the
   * owner group of the component (`owner`) or from members of the named
   * groups; the requester's own approval does not count.
   */
  approval?: StageApproval;
  /** Windows in which promotions to this stage are refused. */
  freeze?: FreezeWindow[];
}

/**
 * A stage whose version is pinned in a file of a GitOps repository (Helm
 * values, an Argo CD Application), as Argo CD deploys it: the card reads
 * the pin and a promotion commits a new one.
 *
 * @public
 */
export interface GitopsStageSource {
  type: 'gitops';
  /** A git URL, or `host/owner/repo` on a configured GitHub host. */
  repository: string;
  /**
   * The file, e.g. `envs/{stage}/{component}/values.yaml` or
   * `values-{stage}.yaml`: relative, without `..`.
   */
  path: string;
  /** The branch Argo CD follows. */
  branch: string;
  /** `push` commits to `branch`; `pull-request` opens a pull request (a branch on hosts without them). */
  via: 'push' | 'pull-request';
  /**
   * Dotted paths of the values that pin what runs: `tag` (an image tag),
   * `digest` (an image digest; wins over the tag), `revision` (a git
   * revision, e.g. an Application's `spec.source.targetRevision`).
   */
  values: { tag?: string; digest?: string; revision?: string };
  /**
   * The tag a promotion pins, e.g. `{version}`; `{version}`, `{tag}` and
   * `{sha}` are filled. Default: the tag of the candidate image.
   */
  pinTag?: string;
}

/**
 * Who must approve a promotion to a protected stage.
 *
 * @public
 */
export interface StageApproval {
  required: number;
  /** `owner` (members of the component's owner) or group entity refs. */
  from: 'owner' | string[];
}

/**
 * A freeze window: it opens at each time the cron expression names (in
 * `timeZone`) and lasts `duration` (ISO 8601, e.g. `PT48H`).
 *
 * @public
 */
export interface FreezeWindow {
  /** A name shown in the refusal, e.g. `weekend`; default the cron expression. */
  name?: string;
  cron: string;
  duration: string;
  timeZone?: string;
}

/**
 * A release flow: its tag pattern, branches and ordered stages.
 *
 * @public
 */
export interface FlowDefinition {
  name: string;
  /** Release tag pattern, `v{version}` or `{version}`. */
  tagPattern: string;
  branches: {
    /** The branch releases are cut from (Oneflow `develop`, GitFlow `main`). */
    release: string;
    /** The integration branch, when it differs from the release branch. */
    develop: string;
    /** Pattern of hotfix branches, e.g. `hotfix/{name}`. */
    hotfix: string;
  };
  /** The image every commit publishes, the one a release promotes. */
  candidateImage: string;
  stages: FlowStage[];
}

/**
 * Oneflow, as in the seed `oneflow-github-actions.txt`: one long-lived branch
 * `develop`; staging runs `develop:latest`; a release tag `vX.Y.Z` re-tags
 * the candidate image of its commit as `stable:latest`, which prod runs.
 *
 * @public
 */
export const ONEFLOW: FlowDefinition = {
  name: 'oneflow',
  tagPattern: 'v{version}',
  branches: { release: 'develop', develop: 'develop', hotfix: 'hotfix/{name}' },
  candidateImage: '{image}/release-candidate:{sha}',
  stages: [
    {
      name: 'staging',
      image: '{image}/develop:latest',
      promoteTo: ['{image}/develop:latest'],
      expects: { branch: 'develop' },
    },
    {
      name: 'prod',
      image: '{image}/stable:latest',
      promoteTo: ['{image}/stable:latest', '{image}/stable:{tag}'],
      expects: { release: true },
    },
  ],
};

/**
 * GitFlow for DevOps, as in the seed `gitflow-for-devops.txt`: semver tags
 * without `v` on `main`, `dev` integrates features, stages `dev`, `int` and
 * `prd`. Each stage runs a moving tag of the one image repository, so that a
 * promotion is a re-tag of the candidate built for a commit (`sha-<sha>`):
 * `dev` follows the `dev` branch, `int` the `main` branch, `prd` releases.
 *
 * @public
 */
export const GITFLOW: FlowDefinition = {
  name: 'gitflow',
  tagPattern: '{version}',
  branches: { release: 'main', develop: 'dev', hotfix: 'hotfix/{name}' },
  candidateImage: '{image}:sha-{sha}',
  stages: [
    {
      name: 'dev',
      image: '{image}:dev',
      promoteTo: ['{image}:dev'],
      expects: { branch: 'dev' },
    },
    {
      name: 'int',
      image: '{image}:int',
      promoteTo: ['{image}:int'],
      expects: { branch: 'main' },
    },
    {
      name: 'prd',
      image: '{image}:prd',
      promoteTo: ['{image}:prd', '{image}:{version}'],
      expects: { release: true },
    },
  ],
};

/**
 * The flows Stageflow knows without configuration.
 *
 * @public
 */
export const FLOW_PRESETS: Readonly<Record<string, FlowDefinition>> = {
  oneflow: ONEFLOW,
  gitflow: GITFLOW,
};

/**
 * Fills a flow template such as `{image}/stable:{tag}`. A placeholder without
 * a value is an error rather than an empty string, so that a template never
 * yields a reference that silently points elsewhere.
 *
 * @public
 */
export function renderFlowTemplate(
  template: string,
  values: Partial<
    Record<
      'image' | 'sha' | 'version' | 'tag' | 'name' | 'stage' | 'component',
      string
    >
  >,
): string {
  return template.replace(/\{(\w+)\}/g, (_match, key: string) => {
    const value = (values as Record<string, string | undefined>)[key];
    if (value === undefined) {
      throw new Error(`No value for {${key}} in flow template '${template}'`);
    }
    return value;
  });
}
