import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  STAGEFLOW_CONSUMERS_ANNOTATION,
  STAGEFLOW_CONTRIBUTOR_ANNOTATION,
  formatEntitySetProblems,
  getPartnerOfRefs,
  isStageflowModelEntity,
  parseStageInstanceName,
  validateModelEntities,
} from '@stageflow/plugin-stageflow-common';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

// The Acme inventory of the seed "GitFlow for DevOps", as the demo app
// loads it: examples/inventory/*.yaml next to examples/org.yaml and
// examples/entities.yaml.
const examples = path.resolve(__dirname, '../../../../examples');

function load(file: string): Entity[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(doc => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
    }
    return doc.toJS() as Entity;
  });
}

const inventoryFiles = fs
  .readdirSync(path.join(examples, 'inventory'))
  .filter(file => file.endsWith('.yaml'))
  .sort();
const inventory = inventoryFiles.flatMap(file =>
  load(path.join(examples, 'inventory', file)),
);
const existing = [
  ...load(path.join(examples, 'org.yaml')),
  ...load(path.join(examples, 'entities.yaml')),
];
const all = [...existing, ...inventory];
const byRef = new Map(all.map(e => [stringifyEntityRef(e), e]));

function entity(ref: string): Entity {
  const found = byRef.get(ref);
  if (!found) {
    throw new Error(`no entity ${ref}`);
  }
  return found;
}

function refs(value: unknown, defaultKind: string, from: Entity): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) {
    list = value;
  } else if (value) {
    list = [value];
  }
  return list.map(item =>
    stringifyEntityRef(
      parseEntityRef(String(item), {
        defaultKind,
        defaultNamespace: from.metadata.namespace ?? 'default',
      }),
    ),
  );
}

describe('examples/inventory', () => {
  it('is valid for the catalog and the data model, with no duplicate', async () => {
    const problems = await validateModelEntities(inventory);
    expect(formatEntitySetProblems(problems)).toBe('');
    expect(inventory.every(isStageflowModelEntity)).toBe(true);
  });

  it('does not redefine what org.yaml and entities.yaml declare', () => {
    const declared = new Set(existing.map(e => stringifyEntityRef(e)));
    expect(
      inventory
        .map(e => stringifyEntityRef(e))
        .filter(ref => declared.has(ref)),
    ).toEqual([]);
  });

  it('points every relation at an entity of the examples', () => {
    const dangling: string[] = [];
    for (const e of inventory) {
      const spec = (e.spec ?? {}) as Record<string, unknown>;
      const targets = [
        ...refs(spec.owner, 'group', e),
        ...refs(spec.system, 'system', e),
        ...refs(spec.domain, 'domain', e),
        ...refs(spec.dependsOn, 'component', e),
        ...refs(spec.dependencyOf, 'component', e),
        ...refs(spec.subcomponentOf, 'component', e),
        ...refs(spec.members, 'user', e),
        ...refs(spec.memberOf, 'group', e),
        ...getPartnerOfRefs(e),
      ];
      for (const target of targets) {
        if (!byRef.has(target)) {
          dangling.push(`${stringifyEntityRef(e)} -> ${target}`);
        }
      }
    }
    expect(dangling).toEqual([]);
  });

  it("holds the seed's stage instances, named like their namespaces", () => {
    const instances = inventory
      .filter(e => e.metadata.labels?.['stageflow.io/stage'])
      .map(e => e.metadata.name)
      .sort();
    expect(instances).toEqual([
      'ap-phippy-dev',
      'ap-phippy-int',
      'ap-phippy-prd',
      'ps-goldie-c1-prd',
      'ps-goldie-c2-dev',
      'ps-goldie-c2-int',
    ]);
    for (const name of instances) {
      expect(parseStageInstanceName(name).ok).toBe(true);
      const instance = entity(`component:default/${name}`);
      const project = entity(
        refs(instance.spec?.dependsOn, 'component', instance)[0],
      );
      expect(project.spec).toMatchObject({
        type: 'project',
        system: 'azure-devops',
      });
      expect(
        refs(instance.spec?.dependsOn, 'component', instance)
          .filter(ref => ref.startsWith('resource:'))
          .map(ref => entity(ref).spec?.type),
      ).toEqual(['kubernetes-cluster']);
    }
    expect(entity('component:default/ap-phippy-prd').spec).toMatchObject({
      type: 'website',
      owner: 'group:default/team-a',
      subcomponentOf: 'component:default/phippy',
    });
  });

  it('relates project 3000 to its System, Domain, client and partner', () => {
    const project = entity('component:default/3000');
    expect(project.spec).toMatchObject({
      type: 'project',
      owner: 'group:default/client01',
      system: 'azure-devops',
    });
    expect(entity('system:default/azure-devops').spec?.domain).toBe('azure');
    expect(entity('group:default/client01').spec).toMatchObject({
      type: 'client',
      members: ['erika.mustermann', 'max.mustermann'],
    });
    expect(getPartnerOfRefs(entity('group:default/partner01'))).toEqual([
      'component:default/3000',
    ]);
    expect(entity('user:default/pat.partner').spec?.memberOf).toEqual([
      'partner01',
    ]);
  });

  it("follows the seed's contributor and consumer table", () => {
    const table: Array<[string, string, string | undefined]> = [
      ['resource:default/license-3000', 'license-portal', undefined],
      ['resource:default/uuid-12345', 'rancher', 'argocd,rancher'],
      ['component:default/3000', 'license-portal', 'devops,argocd'],
      ['component:default/ap-phippy-prd', 'devops', 'argocd'],
      ['component:default/ap-phippy-int', 'devops', 'argocd'],
      ['group:default/client01', 'license-portal', 'rancher,argocd,sso'],
      ['user:default/max.mustermann', 'license-portal', 'devops,argocd,sso'],
    ];
    for (const [ref, contributor, consumers] of table) {
      const annotations = entity(ref).metadata.annotations ?? {};
      expect([ref, annotations[STAGEFLOW_CONTRIBUTOR_ANNOTATION]]).toEqual([
        ref,
        contributor,
      ]);
      expect([ref, annotations[STAGEFLOW_CONSUMERS_ANNOTATION]]).toEqual([
        ref,
        consumers,
      ]);
    }
  });
});
