import { Entity } from '@backstage/catalog-model';
import {
  appShorthandProblems,
  buildAppEntities,
  buildClientGroup,
  buildClusterResource,
  buildDomain,
  buildPartnerGroup,
  buildProjectComponent,
  buildStageInstanceComponent,
  buildSystem,
  buildUser,
} from './builders';
import { catalogEntityProblems, validateModelEntities } from './validation';

describe('builders', () => {
  const acme: Entity[] = [
    buildDomain({ name: 'azure', owner: 'group:devops' }),
    buildSystem({
      name: 'azure-devops',
      owner: 'group:devops',
      domain: 'azure',
    }),
    buildClientGroup({
      name: 'client01',
      members: ['john.doe'],
      contributor: 'license-portal',
      consumers: ['rancher', 'argocd'],
    }),
    buildUser({
      name: 'john.doe',
      memberOf: ['client01'],
      email: 'john@acme.test',
    }),
    buildPartnerGroup({ name: 'partner01', partnerOf: ['3000'] }),
    buildProjectComponent({
      name: '3000',
      owner: 'group:client01',
      system: 'azure-devops',
    }),
    buildClusterResource({ name: 'uuid-12345', owner: 'group:devops' }),
    buildStageInstanceComponent({
      appType: 'ap',
      appId: 'phippy',
      stage: 'prd',
      type: 'website',
      owner: 'group:team-a',
      project: '3000',
      cluster: 'uuid-12345',
    }),
  ];

  it('builds entities that pass catalog-model validation', async () => {
    for (const entity of acme) {
      expect(await catalogEntityProblems(entity)).toEqual([]);
    }
  });

  it('builds entities that pass the model rules as one set', async () => {
    expect(await validateModelEntities(acme)).toEqual([]);
  });

  it('relates a stage instance to its project and cluster', () => {
    const instance = acme[acme.length - 1];
    expect(instance.metadata.name).toBe('ap-phippy-prd');
    expect(instance.spec?.dependsOn).toEqual([
      'component:default/3000',
      'resource:default/uuid-12345',
    ]);
    expect(instance.metadata.labels).toEqual({
      'stageflow.io/app-type': 'ap',
      'stageflow.io/app-id': 'phippy',
      'stageflow.io/stage': 'prd',
    });
  });

  it('writes contributor, consumers and partner annotations', () => {
    expect(acme[2].metadata.annotations).toEqual({
      'stageflow.io/contributor': 'license-portal',
      'stageflow.io/consumers': 'rancher,argocd',
    });
    expect(acme[4].metadata.annotations).toEqual({
      'stageflow.io/partner-of': 'component:default/3000',
    });
  });
});

describe('buildAppEntities', () => {
  it('builds one stage instance per stage, with a cluster per stage', async () => {
    const entities = buildAppEntities({
      appId: 'goldie',
      appType: 'ps',
      instance: 'c1',
      stages: ['dev', 'int', 'prd'],
      owner: 'group:team-b',
      project: '3000',
      cluster: { prd: 'prod-cluster' },
      consumers: ['argocd'],
    });
    expect(entities.map(e => e.metadata.name)).toEqual([
      'ps-goldie-c1-dev',
      'ps-goldie-c1-int',
      'ps-goldie-c1-prd',
    ]);
    expect(entities[2].spec?.dependsOn).toContain(
      'resource:default/prod-cluster',
    );
    expect(entities[0].spec?.dependsOn).toEqual(['component:default/3000']);
    expect(await validateModelEntities(entities)).toEqual([]);
  });

  it('declares the project and System when asked', async () => {
    const entities = buildAppEntities({
      appId: 'phippy',
      appType: 'ap',
      stages: ['prd'],
      owner: 'group:team-a',
      project: '3000',
      projectOwner: 'group:client01',
      system: 'azure-devops',
      domain: 'azure',
    });
    expect(entities.map(e => `${e.kind}:${e.metadata.name}`)).toEqual([
      'System:azure-devops',
      'Component:3000',
      'Component:ap-phippy-prd',
    ]);
    expect(entities[1].spec).toMatchObject({
      type: 'project',
      owner: 'group:client01',
      system: 'azure-devops',
    });
    expect(await validateModelEntities(entities)).toEqual([]);
  });

  it('reports each bad field', () => {
    const problems = appShorthandProblems({
      appId: 'My-App',
      appType: 'xx' as any,
      stages: ['prod' as any],
      owner: '',
      project: '3000',
      domain: 'azure',
    });
    expect(problems.map(p => p.field)).toEqual([
      'stages[0]',
      'appType',
      'appId',
      'owner',
      'domain',
    ]);
    expect(() =>
      buildAppEntities({
        appId: 'x',
        appType: 'ap',
        stages: [],
        owner: 'a',
        project: 'b',
      }),
    ).toThrow('stages must list at least one of dev, int, prd');
  });
});
