import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OciLayoutRegistryClient } from '../registry/OciLayoutRegistryClient';

const run = promisify(execFile);

/** The GitOps repository of the demo, beside the apps' repositories. */
export const DEMO_GITOPS_REPOSITORY =
  'https://git.acme.example/acme/gitops.git';

/** Where each stage's Helm values live in the demo's GitOps repository. */
export const DEMO_GITOPS_PATH = 'envs/{stage}/{component}/values.yaml';

function values(options: {
  stage: string;
  note: string;
  tag: string;
  digest: string;
  replicas: number;
}) {
  return `# Goldie in ${options.stage}: the Helm values Argo CD deploys.
# Stageflow reads the pin below and a promotion rewrites only it.
replicaCount: ${options.replicas}

image:
  repository: registry.acme.example/acme/goldie
  # ${options.note}
  tag: "${options.tag}"
  # The digest wins over the tag: what runs is exactly this image.
  digest: ${options.digest}
  pullPolicy: IfNotPresent

resources:
  limits:
    memory: 256Mi # the operator is small
`;
}

/**
 * The demo's GitOps repository `acme/gitops`: one values file per stage of
 * Goldie, pinning what each stage runs. dev and int pin the candidate
 * images of their branches' heads; prd pins 1.2.1 by the digest of a
 * rebuild, not of the tested candidate: the drift the card shows. Reads
 * Goldie's repository and images, so it runs after they are generated.
 */
export async function generateGitopsRepository(options: {
  work: string;
  gitDir: string;
  layout: OciLayoutRegistryClient;
  /** Epoch seconds of the first commit. */
  start: number;
}) {
  const { work, gitDir, layout } = options;
  const goldie = join(gitDir, 'acme', 'goldie.git');
  const rev = async (ref: string) =>
    (
      await run('git', ['rev-parse', `${ref}^{commit}`], { cwd: goldie })
    ).stdout.trim();
  const digest = async (tag: string) => {
    const found = await layout.resolve({
      registry: 'registry.acme.example',
      repository: 'acme/goldie',
      tag,
    });
    if (!found) {
      throw new Error(`The demo image acme/goldie:${tag} is missing`);
    }
    return found.digest;
  };
  const dev = await rev('dev');
  const main = await rev('main');
  const pins = {
    dev: {
      tag: `sha-${dev}`,
      digest: await digest(`sha-${dev}`),
      note: 'The candidate image of the head of dev.',
      replicas: 1,
    },
    int: {
      tag: `sha-${main}`,
      digest: await digest(`sha-${main}`),
      note: 'The candidate image of the head of main.',
      replicas: 1,
    },
    prd: {
      tag: '1.2.1',
      // Someone rebuilt 1.2.1 and pinned the rebuild: same revision,
      // another digest than the candidate that was tested.
      digest: await digest('prd'),
      note: 'Release 1.2.1, pinned by hand after a rebuild.',
      replicas: 3,
    },
  };

  const dir = join(work, 'gitops');
  await fs.mkdir(dir, { recursive: true });
  let clock = options.start;
  const git = async (...args: string[]) => {
    const date = `${clock} +0000`;
    return (
      await run('git', args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Acme Platform',
          GIT_AUTHOR_EMAIL: 'platform@acme.example',
          GIT_COMMITTER_NAME: 'Acme Platform',
          GIT_COMMITTER_EMAIL: 'platform@acme.example',
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_DATE: date,
        },
      })
    ).stdout.trim();
  };
  const write = async (stage: keyof typeof pins) => {
    const file = join(dir, 'envs', stage, 'goldie', 'values.yaml');
    await fs.mkdir(join(file, '..'), { recursive: true });
    await fs.writeFile(file, values({ stage, ...pins[stage] }));
    await git('add', '.');
  };
  await git('init', '-q', '-b', 'main');
  await fs.writeFile(
    join(dir, 'README.md'),
    '# acme/gitops\n\nWhat Argo CD deploys: `envs/<stage>/<component>/values.yaml`.\n',
  );
  await write('dev');
  await write('int');
  await git('commit', '-q', '-m', 'chore: goldie in dev and int');
  clock += 3600;
  await write('prd');
  await git('commit', '-q', '-m', 'chore(prd): goldie 1.2.1');
  await run('git', [
    'clone',
    '-q',
    '--bare',
    dir,
    join(gitDir, 'acme', 'gitops.git'),
  ]);
}

/**
 * The demo's flows: `gitflow-gitops`, GitFlow for DevOps with each stage
 * pinned in `acme/gitops` (Goldie's flow), in the config form of
 * `stageflow.flows`.
 */
export function demoGitopsFlows() {
  const source = (extra: Record<string, string> = {}) => ({
    type: 'gitops',
    repository: DEMO_GITOPS_REPOSITORY,
    path: DEMO_GITOPS_PATH,
    branch: 'main',
    via: 'push',
    values: { tag: 'image.tag', digest: 'image.digest' },
    ...extra,
  });
  return {
    'gitflow-gitops': {
      tagPattern: '{version}',
      branches: { release: 'main', develop: 'dev', hotfix: 'hotfix/{name}' },
      candidateImage: '{image}:sha-{sha}',
      stages: [
        { name: 'dev', image: '{image}', branch: 'dev', source: source() },
        { name: 'int', image: '{image}', branch: 'main', source: source() },
        {
          name: 'prd',
          image: '{image}',
          source: source({ pinTag: '{version}' }),
        },
      ],
    },
  };
}
