import { Entity } from '@backstage/catalog-model';
import { buildStageInstanceComponent } from './builders';
import {
  contributorNameProblem,
  formatEntitySetProblems,
  getPartnerOfRefs,
  isStageflowModelEntity,
  modelRuleProblems,
  validateModelEntities,
  validateModelEntity,
} from './validation';

const instance = (): Entity =>
  buildStageInstanceComponent({
    appType: 'ap',
    appId: 'phippy',
    stage: 'prd',
    owner: 'group:team-a',
    project: '3000',
  });

describe('validateModelEntity', () => {
  it('reports catalog-model problems with the field', async () => {
    const entity = instance();
    delete entity.spec!.owner;
    expect(await validateModelEntity(entity)).toEqual([
      expect.objectContaining({ field: 'spec.owner' }),
    ]);
    expect(
      await validateModelEntity({
        ...instance(),
        metadata: { name: 'Bad Name!' },
      }),
    ).toEqual([
      expect.objectContaining({
        field: 'metadata.name',
        message: expect.stringContaining('at most 63 characters'),
      }),
    ]);
    expect(await validateModelEntity('nope')).toEqual([
      { field: '(entity)', message: 'must be an object' },
    ]);
  });

  it('refuses kinds outside the model', async () => {
    expect(
      await validateModelEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'API',
        metadata: { name: 'x' },
        spec: {
          type: 'openapi',
          lifecycle: 'production',
          owner: 'a',
          definition: 'x',
        },
      }),
    ).toEqual([
      {
        field: 'kind',
        message:
          'must be one of Component, Resource, Group, User, System, Domain, got "API"',
      },
    ]);
  });

  it('checks the naming convention of stage instances', () => {
    const entity = instance();
    entity.metadata.name = 'app-phippy-prd';
    expect(modelRuleProblems(entity)).toEqual([
      {
        field: 'metadata.name',
        message:
          'stage instance name app type must be one of cs, ap, ps, got "app"',
      },
    ]);
  });

  it('checks labels against the name and the project dependency', () => {
    const entity = instance();
    entity.metadata.labels!['stageflow.io/stage'] = 'dev';
    entity.spec!.dependsOn = ['resource:default/c1'];
    expect(modelRuleProblems(entity)).toEqual([
      {
        field: 'metadata.labels.stageflow.io/stage',
        message:
          'must match the name "ap-phippy-prd": expected "prd", got "dev"',
      },
      {
        field: 'spec.dependsOn',
        message:
          'must name the project Component the stage instance depends on, e.g. component:default/3000',
      },
    ]);
  });

  it('checks projects, systems, partners, contributor and consumers', () => {
    const base = { apiVersion: 'backstage.io/v1alpha1' };
    expect(
      modelRuleProblems({
        ...base,
        kind: 'Component',
        metadata: {
          name: '3000',
          annotations: {
            'stageflow.io/contributor': 'License Portal',
            'stageflow.io/consumers': 'argocd,Rancher',
          },
        },
        spec: { type: 'project', owner: 'a', lifecycle: 'production' },
      }).map(p => p.field),
    ).toEqual([
      'metadata.annotations.stageflow.io/contributor',
      'metadata.annotations.stageflow.io/consumers',
      'spec.system',
    ]);
    expect(
      modelRuleProblems({
        ...base,
        kind: 'System',
        metadata: { name: 's' },
        spec: { owner: 'a' },
      }),
    ).toEqual([
      {
        field: 'spec.domain',
        message: 'is required: the Domain the System is part of',
      },
    ]);
    expect(
      modelRuleProblems({
        ...base,
        kind: 'Group',
        metadata: {
          name: 'p',
          annotations: { 'stageflow.io/partner-of': 'group:default/x' },
        },
        spec: { type: 'partner', children: [] },
      }),
    ).toEqual([
      {
        field: 'metadata.annotations.stageflow.io/partner-of',
        message: 'must name a component, got "group:default/x"',
      },
    ]);
  });
});

describe('validateModelEntities', () => {
  it('gives each problem its index and refuses duplicates', async () => {
    const problems = await validateModelEntities([instance(), {}, instance()]);
    expect(problems).toEqual([
      expect.objectContaining({ index: 1, field: 'apiVersion' }),
      expect.objectContaining({
        index: 2,
        entityRef: 'component:default/ap-phippy-prd',
        field: 'metadata.name',
        message: expect.stringContaining('duplicates entity 0'),
      }),
    ]);
    expect(formatEntitySetProblems(problems)).toMatch(
      /^entities\[1\] apiVersion: .*\nentities\[2\] \(component:default\/ap-phippy-prd\) metadata.name: duplicates/,
    );
  });
});

describe('contributorNameProblem', () => {
  it('accepts [a-z0-9-]{1,63} only', () => {
    expect(contributorNameProblem('license-portal')).toBeUndefined();
    expect(contributorNameProblem('Rancher')).toBe(
      'must be 1 to 63 characters of a-z, 0-9 and "-", got "Rancher"',
    );
    expect(contributorNameProblem('a'.repeat(64))).toBeDefined();
  });
});

describe('isStageflowModelEntity and getPartnerOfRefs', () => {
  it('tells model entities from others and reads partner refs', () => {
    expect(isStageflowModelEntity(instance())).toBe(true);
    expect(
      isStageflowModelEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: { name: 'plain' },
        spec: { owner: 'a' },
      }),
    ).toBe(false);
    const partner: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'p',
        namespace: 'acme',
        annotations: {
          'stageflow.io/partner-of': '3000, component:default/4000, group:x',
        },
      },
      spec: { type: 'partner', children: [] },
    };
    expect(getPartnerOfRefs(partner)).toEqual([
      'component:acme/3000',
      'component:default/4000',
    ]);
  });
});

describe('validateModelEntity on hostile text', () => {
  const component = (spec: Record<string, unknown>, description?: string) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', ...(description ? { description } : {}) },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'team-a',
      ...spec,
    },
  });

  it('refuses control characters and refs of no catalog format, naming the field', async () => {
    expect(
      await validateModelEntity(
        component({ owner: '\r---\rapiVersion: v1\rkind: Secret' }),
      ),
    ).toEqual(
      expect.arrayContaining([
        {
          field: 'spec.owner',
          message:
            'must not contain control characters other than tab and newline',
        },
      ]),
    );
    expect(
      await validateModelEntity(component({ dependsOn: ['component:a b'] })),
    ).toEqual([
      {
        field: 'spec.dependsOn.0',
        message:
          'must be an entity ref of the catalog\'s formats ([kind:][namespace/]name), got "component:a b"',
      },
    ]);
    expect(await validateModelEntity(component({}, 'line\u2028break'))).toEqual(
      [
        {
          field: 'metadata.description',
          message:
            'must not contain control characters other than tab and newline',
        },
      ],
    );
  });

  it('keeps newlines and tabs in free text', async () => {
    expect(await validateModelEntity(component({}, 'one\n\ttwo'))).toEqual([]);
  });
});
