import { Entity } from '@backstage/catalog-model';
import { StageflowAnnotationProcessor } from './StageflowAnnotationProcessor';

const location = {
  type: 'url',
  target: 'https://example.com/catalog-info.yaml',
};

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'phippy', annotations },
    spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
  };
}

async function errorsOf(entity: Entity): Promise<string[]> {
  const emit = jest.fn();
  const result = await new StageflowAnnotationProcessor().postProcessEntity(
    entity,
    location,
    emit,
  );
  expect(result).toBe(entity);
  return emit.mock.calls.map(([r]) => r.error.message);
}

describe('StageflowAnnotationProcessor', () => {
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
