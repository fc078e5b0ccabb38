import { Entity } from '@backstage/catalog-model';
import {
  buildClientGroup,
  buildClusterResource,
  buildPartnerGroup,
  buildProjectComponent,
  buildStageInstanceComponent,
} from '@stageflow/plugin-stageflow-common';
import { z } from 'zod';
import {
  appRefsOf,
  argoCdManifests,
  gitUrlOf,
  renderArgoCdExports,
} from './argocd';

// The fields of Argo CD's CRDs (argoproj.io/v1alpha1 AppProject and
// ApplicationSet) that Stageflow writes, strict: a field the CRD does not
// have, or a value of the wrong type, fails.
const metadata = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
    namespace: z.literal('argocd'),
    labels: z.record(z.string()).optional(),
    annotations: z.record(z.string()).optional(),
  })
  .strict();
const appProjectCrd = z
  .object({
    apiVersion: z.literal('argoproj.io/v1alpha1'),
    kind: z.literal('AppProject'),
    metadata,
    spec: z
      .object({
        description: z.string().optional(),
        sourceRepos: z.array(z.string()),
        destinations: z.array(
          z
            .object({ server: z.string().url(), namespace: z.string() })
            .strict(),
        ),
        clusterResourceWhitelist: z
          .array(z.object({ group: z.string(), kind: z.string() }).strict())
          .optional(),
        roles: z.array(
          z
            .object({
              name: z
                .string()
                .regex(/^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$/),
              description: z.string().optional(),
              policies: z.array(z.string()),
              groups: z.array(z.string()),
            })
            .strict(),
        ),
      })
      .strict(),
  })
  .strict();
const applicationSetCrd = z
  .object({
    apiVersion: z.literal('argoproj.io/v1alpha1'),
    kind: z.literal('ApplicationSet'),
    metadata,
    spec: z
      .object({
        generators: z.array(
          z
            .object({
              list: z
                .object({ elements: z.array(z.record(z.string())) })
                .strict(),
            })
            .strict(),
        ),
        template: z
          .object({
            metadata: z
              .object({
                name: z.string(),
                labels: z.record(z.string()).optional(),
              })
              .strict(),
            spec: z
              .object({
                project: z.string(),
                source: z
                  .object({
                    repoURL: z.string(),
                    path: z.string(),
                    targetRevision: z.string(),
                    helm: z
                      .object({
                        valueFiles: z.array(z.string()),
                        ignoreMissingValueFiles: z.boolean(),
                      })
                      .strict()
                      .optional(),
                  })
                  .strict(),
                destination: z
                  .object({ server: z.string(), namespace: z.string() })
                  .strict(),
                syncPolicy: z
                  .object({ syncOptions: z.array(z.string()) })
                  .strict()
                  .optional(),
              })
              .strict(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

const phippy: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'phippy',
    annotations: {
      'stageflow.io/git-url': 'https://git.acme.example/acme/phippy.git',
    },
  },
  spec: { type: 'website', lifecycle: 'production', owner: 'team-a' },
};

function instance(stage: 'dev' | 'prd', cluster: string): Entity {
  return buildStageInstanceComponent({
    appType: 'ap',
    appId: 'phippy',
    stage,
    type: 'website',
    owner: 'group:team-a',
    project: '3000',
    cluster,
  });
}

const entities: Entity[] = [
  phippy,
  buildProjectComponent({
    name: '3000',
    owner: 'group:client01',
    system: 'azure-devops',
    description: 'The project of client01',
  }),
  buildClientGroup({ name: 'client01', members: ['max.mustermann'] }),
  buildPartnerGroup({ name: 'partner01', partnerOf: ['3000'] }),
  buildPartnerGroup({ name: 'partner02', partnerOf: ['4000'] }),
  {
    ...buildClusterResource({ name: 'uuid-12345', owner: 'group:devops' }),
    metadata: {
      name: 'uuid-12345',
      annotations: { 'kubernetes.io/api-server': 'https://prd.acme.example' },
    },
  },
  buildClusterResource({ name: 'uuid-67890', owner: 'group:devops' }),
  instance('prd', 'uuid-12345'),
  instance('dev', 'uuid-67890'),
];

describe('renderArgoCdExports', () => {
  it("renders a project's AppProject and ApplicationSet", () => {
    const [exported, ...others] = renderArgoCdExports(entities);
    expect(others).toEqual([]);
    expect(exported.projectRef).toBe('component:default/3000');
    expect(exported.warnings).toEqual([]);
    expect(exported.appProject).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: {
        name: '3000',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/managed-by': 'stageflow' },
        annotations: { 'stageflow.io/source-entity': 'component:default/3000' },
      },
      spec: {
        description: 'The project of client01',
        sourceRepos: ['https://git.acme.example/acme/phippy.git'],
        destinations: [
          {
            server: 'https://kubernetes.default.svc',
            namespace: 'ap-phippy-dev',
          },
          { server: 'https://prd.acme.example', namespace: 'ap-phippy-prd' },
        ],
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
        roles: [
          {
            name: 'client01',
            description: 'Owner of project 3000',
            policies: [
              'p, proj:3000:client01, applications, get, 3000/*, allow',
              'p, proj:3000:client01, applications, sync, 3000/*, allow',
            ],
            groups: ['client01'],
          },
          {
            name: 'partner01',
            description: 'Partner of project 3000',
            policies: [
              'p, proj:3000:partner01, applications, get, 3000/*, allow',
              'p, proj:3000:partner01, applications, sync, 3000/*, allow',
            ],
            groups: ['partner01'],
          },
        ],
      },
    });
    expect(exported.applicationSet.spec.generators).toEqual([
      {
        list: {
          elements: [
            {
              name: 'ap-phippy-dev',
              namespace: 'ap-phippy-dev',
              server: 'https://kubernetes.default.svc',
              stage: 'dev',
              appType: 'ap',
              appId: 'phippy',
              repoURL: 'https://git.acme.example/acme/phippy.git',
              path: 'chart',
              targetRevision: 'HEAD',
            },
            {
              name: 'ap-phippy-prd',
              namespace: 'ap-phippy-prd',
              server: 'https://prd.acme.example',
              stage: 'prd',
              appType: 'ap',
              appId: 'phippy',
              repoURL: 'https://git.acme.example/acme/phippy.git',
              path: 'chart',
              targetRevision: 'HEAD',
            },
          ],
        },
      },
    ]);
    expect(exported.applicationSet.spec.template).toMatchObject({
      metadata: { name: '{{name}}' },
      spec: {
        project: '3000',
        source: {
          repoURL: '{{repoURL}}',
          path: '{{path}}',
          targetRevision: '{{targetRevision}}',
        },
        destination: { server: '{{server}}', namespace: '{{namespace}}' },
      },
    });
  });

  it("fits the shapes of Argo CD's CRDs", () => {
    const manifests = argoCdManifests(renderArgoCdExports(entities));
    expect(manifests.map(m => m.kind)).toEqual([
      'AppProject',
      'ApplicationSet',
    ]);
    expect(() => appProjectCrd.parse(manifests[0])).not.toThrow();
    expect(() => applicationSetCrd.parse(manifests[1])).not.toThrow();
  });

  it('gives every element each parameter the template uses', () => {
    const [{ applicationSet }] = renderArgoCdExports(entities);
    const used = [
      ...JSON.stringify(applicationSet.spec.template).matchAll(/{{(\w+)}}/g),
    ].map(m => m[1]);
    expect(new Set(used)).toEqual(
      new Set([
        'name',
        'stage',
        'appId',
        'repoURL',
        'path',
        'targetRevision',
        'server',
        'namespace',
      ]),
    );
    for (const element of applicationSet.spec.generators[0].list.elements) {
      for (const key of used) {
        expect(
          typeof (element as unknown as Record<string, unknown>)[key],
        ).toBe('string');
      }
    }
  });

  it('prefers what a stage instance says over its app, and reads project slugs', () => {
    const pinned = instance('prd', 'uuid-12345');
    pinned.metadata.annotations = {
      'stageflow.io/target-revision': '1.3.0',
      'stageflow.io/chart-path': 'deploy/phippy',
    };
    const app = {
      ...phippy,
      metadata: {
        name: 'phippy',
        annotations: { 'github.com/project-slug': 'acme/phippy' },
      },
    };
    const [{ applicationSet, appProject }] = renderArgoCdExports([
      entities[1],
      app,
      pinned,
    ]);
    expect(applicationSet.spec.generators[0].list.elements[0]).toMatchObject({
      repoURL: 'https://github.com/acme/phippy.git',
      path: 'deploy/phippy',
      targetRevision: '1.3.0',
      server: 'https://kubernetes.default.svc',
    });
    expect(appProject.spec.roles.map(r => r.name)).toEqual(['client01']);
  });

  it('leaves out, with a warning, instances it cannot deploy', () => {
    const orphan = buildStageInstanceComponent({
      appType: 'ps',
      appId: 'goldie',
      instance: 'c1',
      stage: 'prd',
      owner: 'group:team-b',
      project: '3000',
    });
    const [exported] = renderArgoCdExports([
      buildProjectComponent({ name: '3000', owner: 'user:jane', system: 's' }),
      orphan,
    ]);
    expect(exported.applicationSet.spec.generators[0].list.elements).toEqual(
      [],
    );
    expect(exported.appProject.spec.roles).toEqual([]);
    expect(exported.warnings).toEqual([
      'component:default/ps-goldie-c1-prd left out: neither it nor its app component:default/goldie names a git repository (stageflow.io/git-url or github.com/project-slug)',
      'component:default/3000 has no owning Group (spec.owner user:jane): no owner role',
    ]);
  });

  it('keeps projects apart, filters them, and qualifies other namespaces', () => {
    const other = buildProjectComponent({
      name: '4000',
      namespace: 'acme',
      owner: 'group:acme/client.two',
      system: 'azure-devops',
    });
    const all = renderArgoCdExports([...entities, other]);
    expect(all.map(e => e.appProject.metadata.name)).toEqual([
      'acme-4000',
      '3000',
    ]);
    expect(all[0].appProject.spec.destinations).toEqual([]);
    expect(all[0].appProject.spec.roles[0]).toMatchObject({
      name: 'acme-client-two',
      groups: ['acme/client.two'],
    });
    expect(
      renderArgoCdExports([...entities, other], {
        projectRefs: ['component:acme/4000'],
      }).map(e => e.projectRef),
    ).toEqual(['component:acme/4000']);
    expect(renderArgoCdExports(entities, { projectRefs: ['9999'] })).toEqual(
      [],
    );
  });

  it('names the app Components to read and their git URLs', () => {
    expect(appRefsOf(entities)).toEqual(['component:default/phippy']);
    expect(gitUrlOf(phippy)).toBe('https://git.acme.example/acme/phippy.git');
    expect(gitUrlOf(undefined)).toBeUndefined();
  });
});
