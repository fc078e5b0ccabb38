import { Entity } from '@backstage/catalog-model';
import {
  buildClientGroup,
  buildClusterResource,
  buildPartnerGroup,
  buildProjectComponent,
  buildStageInstanceComponent,
} from '@stageflow/plugin-stageflow-common';
import { validateWithArgoCdCrds } from './__testUtils__/argoCdCrds';
import {
  ArgoCdExportTrust,
  appRefsOf,
  argoCdManifests,
  gitUrlOf,
  renderArgoCdExports,
} from './argocd';

const trust: ArgoCdExportTrust = {
  gitHosts: ['git.acme.example', 'github.com'],
  clusterContributors: ['rancher'],
  identityContributors: ['ldap'],
};

function render(entities: Entity[], options: { projectRefs?: string[] } = {}) {
  return renderArgoCdExports(entities, { ...options, trust });
}

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
    const {
      projects: [exported, ...others],
      leftOut,
    } = render(entities);
    expect(others).toEqual([]);
    expect(exported.projectRef).toBe('component:default/3000');
    expect(leftOut).toEqual([]);
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

  it("validates against Argo CD's CRD schemas", () => {
    const manifests = argoCdManifests(render(entities).projects);
    expect(manifests.map(m => m.kind)).toEqual([
      'AppProject',
      'ApplicationSet',
    ]);
    expect(validateWithArgoCdCrds(manifests)).toEqual([null, null]);
  });

  it('gives every element each parameter the template uses', () => {
    const [{ applicationSet }] = render(entities).projects;
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
    const [{ applicationSet, appProject }] = render([
      entities[1],
      entities[2],
      entities[5],
      app,
      pinned,
    ]).projects;
    expect(applicationSet.spec.generators[0].list.elements[0]).toMatchObject({
      repoURL: 'https://github.com/acme/phippy.git',
      path: 'deploy/phippy',
      targetRevision: '1.3.0',
      server: 'https://prd.acme.example',
    });
    expect(appProject.spec.roles.map(r => r.name)).toEqual(['client01']);
  });

  it('leaves out, and lists, instances it cannot deploy and owners without a Group', () => {
    const orphan = buildStageInstanceComponent({
      appType: 'ps',
      appId: 'goldie',
      instance: 'c1',
      stage: 'prd',
      owner: 'group:team-b',
      project: '3000',
    });
    const {
      projects: [exported],
      leftOut,
    } = render([
      buildProjectComponent({ name: '3000', owner: 'user:jane', system: 's' }),
      orphan,
    ]);
    expect(exported.applicationSet.spec.generators[0].list.elements).toEqual(
      [],
    );
    expect(exported.appProject.spec.roles).toEqual([]);
    expect(leftOut.map(l => [l.entityRef, l.reason])).toEqual([
      ['component:default/ps-goldie-c1-prd', 'no-repository'],
      ['component:default/3000', 'owner-group'],
    ]);
    expect(leftOut[0].message).toBe(
      'neither it nor its app names a git repository (stageflow.io/git-url or github.com/project-slug)',
    );
  });

  it('keeps projects apart, filters them, and qualifies other namespaces', () => {
    const other = buildProjectComponent({
      name: '4000',
      namespace: 'acme',
      owner: 'group:acme/client.two',
      system: 'azure-devops',
    });
    const clientTwo = buildClientGroup({
      name: 'client.two',
      namespace: 'acme',
      members: [],
    } as any);
    const all = render([...entities, other, clientTwo]).projects;
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
      render([...entities, other], {
        projectRefs: ['component:acme/4000'],
      }).projects.map(e => e.projectRef),
    ).toEqual(['component:acme/4000']);
    expect(render(entities, { projectRefs: ['9999'] }).projects).toEqual([]);
  });

  it('names the app Components to read and their git URLs', () => {
    expect(appRefsOf(entities)).toEqual(['component:default/phippy']);
    expect(gitUrlOf(phippy)).toBe('https://git.acme.example/acme/phippy.git');
    expect(gitUrlOf(undefined)).toBeUndefined();
  });

  it('validates an export with every kind of left-out entity against the CRDs', () => {
    const hostile = buildStageInstanceComponent({
      appType: 'ap',
      appId: 'evil',
      stage: 'prd',
      owner: 'group:team-a',
      project: '3000',
      cluster: 'uuid-12345',
    });
    hostile.metadata.annotations = {
      'stageflow.io/git-url': 'https://attacker.example/evil.git',
      'stageflow.io/chart-path': '../../etc',
    };
    const exported = render([...entities, hostile]);
    expect(exported.leftOut.map(l => l.reason)).toEqual(['repository-host']);
    const manifests = argoCdManifests(exported.projects);
    expect(validateWithArgoCdCrds(manifests)).toEqual(
      manifests.map(() => null),
    );
  });
});

describe('renderArgoCdExports with contributed entities', () => {
  const contributed = (contributor: string, entity: Entity): Entity => ({
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        'backstage.io/managed-by-location': `stageflow-contributor:${contributor}`,
      },
    },
  });

  it('takes destinations only from clusters of the catalog or of cluster contributors', () => {
    const attackerCluster = contributed('devops', {
      ...buildClusterResource({ name: 'attacker', owner: 'group:devops' }),
      metadata: {
        name: 'attacker',
        annotations: {
          'kubernetes.io/api-server': 'https://attacker.example:6443',
        },
      },
    });
    const rancherCluster = contributed('rancher', {
      ...buildClusterResource({ name: 'edge', owner: 'group:devops' }),
      metadata: {
        name: 'edge',
        annotations: {
          'kubernetes.io/api-server': 'https://edge.acme.example',
        },
      },
    });
    const onAttacker = contributed('devops', instance('dev', 'attacker'));
    onAttacker.metadata.name = 'ap-phippy-c9-dev';
    const onEdge = contributed('devops', instance('dev', 'edge'));
    onEdge.metadata.name = 'ap-phippy-c8-dev';
    const { projects, leftOut } = render([
      ...entities,
      attackerCluster,
      rancherCluster,
      onAttacker,
      onEdge,
    ]);
    const servers = projects[0].appProject.spec.destinations.map(d => d.server);
    expect(servers).not.toContain('https://attacker.example:6443');
    expect(servers).toContain('https://edge.acme.example');
    expect(leftOut).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/ap-phippy-c9-dev',
        reason: 'no-cluster',
      }),
    ]);
  });

  it('gives roles only to Groups of the identity source', () => {
    const intruder = contributed(
      'devops',
      buildPartnerGroup({ name: 'intruders', partnerOf: ['3000'] }),
    );
    const synced = contributed(
      'ldap',
      buildPartnerGroup({ name: 'partner03', partnerOf: ['3000'] }),
    );
    const { projects, leftOut } = render([...entities, intruder, synced]);
    expect(projects[0].appProject.spec.roles.map(r => r.name)).toEqual([
      'client01',
      'partner01',
      'partner03',
    ]);
    expect(leftOut.map(l => [l.entityRef, l.reason])).toEqual([
      ['group:default/intruders', 'partner-group'],
    ]);
  });

  it('sources only https or ssh repositories on configured git hosts', () => {
    const urls = [
      'https://attacker.example/evil.git',
      'http://git.acme.example/acme/phippy.git',
      'https://user:secret@git.acme.example/acme/phippy.git',
      'https://git.acme.example/acme/phippy.git?ref=x',
      'file:///etc/passwd',
      'ssh://git@git.acme.example/acme/phippy.git',
    ];
    const results = urls.map(url => {
      const pinned = instance('prd', 'uuid-12345');
      pinned.metadata.annotations = { 'stageflow.io/git-url': url };
      const { projects, leftOut } = render([entities[1], entities[5], pinned]);
      return projects[0].appProject.spec.sourceRepos[0] ?? leftOut[0]?.reason;
    });
    expect(results).toEqual([
      'repository-host',
      'repository-host',
      'repository-host',
      'repository-host',
      'repository-host',
      'ssh://git@git.acme.example/acme/phippy.git',
    ]);
  });
});
