import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import { StageflowAnnotationProcessor } from './StageflowAnnotationProcessor';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'phippy', annotations },
    spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
  };
}

async function errorsOf(
  entity: Entity,
  options?: { flows?: string[] },
): Promise<string[]> {
  const result: AlphaEntity = await new StageflowAnnotationProcessor(
    options,
  ).postProcessEntity(entity);
  // The entity is always kept: only its status carries the problems.
  expect({ ...result, status: undefined }).toEqual({
    ...entity,
    status: undefined,
  });
  return (result.status?.items ?? []).map(item => item.error?.message ?? '');
}

describe('StageflowAnnotationProcessor', () => {
  it('keeps an entity with a bad annotation, with a processing error the entity page shows, and logs it', async () => {
    const logger = mockServices.logger.mock();
    const entity = component({ 'stageflow.io/flow': 'trunk' });
    const result: AlphaEntity = await new StageflowAnnotationProcessor({
      logger,
    }).postProcessEntity(entity);
    expect(result.metadata).toEqual(entity.metadata);
    expect(result.status?.items).toEqual([
      {
        type: 'backstage.io/catalog-processing',
        level: 'error',
        message:
          "InputError: Component:default/phippy: annotation stageflow.io/flow names unknown flow 'trunk', expected one of oneflow, gitflow",
        error: {
          name: 'InputError',
          message:
            "Component:default/phippy: annotation stageflow.io/flow names unknown flow 'trunk', expected one of oneflow, gitflow",
        },
      },
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      'Entity has bad Stageflow annotations',
      expect.objectContaining({ entityRef: 'component:default/phippy' }),
    );
  });

  it('accepts a flow defined in config', async () => {
    expect(
      await errorsOf(component({ 'stageflow.io/flow': 'trunk' }), {
        flows: ['oneflow', 'gitflow', 'trunk'],
      }),
    ).toEqual([]);
  });

  it('accepts well-formed annotations', async () => {
    expect(
      await errorsOf(
        component({
          'stageflow.io/flow': 'oneflow',
          'stageflow.io/image': 'registry.acme.example/acme/phippy',
          'stageflow.io/git-url': 'https://git.acme.example/acme/phippy.git',
        }),
      ),
    ).toEqual([]);
  });

  it('ignores entities without Stageflow annotations', async () => {
    expect(await errorsOf(component({}))).toEqual([]);
  });

  it('names each bad annotation and what is allowed', async () => {
    expect(
      await errorsOf(
        component({
          'stageflow.io/flow': 'trunk',
          'stageflow.io/image': 'registry.acme.example/Acme/phippy',
          'stageflow.io/git-url': 'not a url',
        }),
      ),
    ).toEqual([
      "Component:default/phippy: annotation stageflow.io/flow names unknown flow 'trunk', expected one of oneflow, gitflow",
      expect.stringMatching(
        /^Component:default\/phippy: annotation stageflow.io\/image is not a valid image reference: /,
      ),
      "Component:default/phippy: annotation stageflow.io/git-url must be an https, ssh, git or file URL, got 'not a url'",
    ]);
  });

  it('refuses an image annotation that carries a tag', async () => {
    expect(
      await errorsOf(
        component({
          'stageflow.io/image': 'registry.acme.example/acme/phippy:1.0',
        }),
      ),
    ).toEqual([
      "Component:default/phippy: annotation stageflow.io/image must be an image base without tag or digest, got 'registry.acme.example/acme/phippy:1.0'",
    ]);
  });
});
