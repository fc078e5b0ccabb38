import { FLOW_PRESETS, GITFLOW, ONEFLOW, renderFlowTemplate } from './flows';

describe('flows', () => {
  it('describes Oneflow as the seed does', () => {
    expect(ONEFLOW.stages.map(s => s.name)).toEqual(['staging', 'prod']);
    const image = 'registry.acme.example/acme/phippy';
    expect(renderFlowTemplate(ONEFLOW.stages[1].image, { image })).toBe(
      'registry.acme.example/acme/phippy/stable:latest',
    );
    expect(
      renderFlowTemplate(ONEFLOW.candidateImage, { image, sha: 'abc123' }),
    ).toBe('registry.acme.example/acme/phippy/release-candidate:abc123');
    expect(
      ONEFLOW.stages[1].promoteTo!.map(t =>
        renderFlowTemplate(t, { image, tag: 'v1.2.3' }),
      ),
    ).toEqual([
      'registry.acme.example/acme/phippy/stable:latest',
      'registry.acme.example/acme/phippy/stable:v1.2.3',
    ]);
  });

  it('describes GitFlow for DevOps with stages dev, int and prd', () => {
    expect(GITFLOW.stages.map(s => s.name)).toEqual(['dev', 'int', 'prd']);
    expect(GITFLOW.tagPattern).toBe('{version}');
    expect(Object.keys(FLOW_PRESETS)).toEqual(['oneflow', 'gitflow']);
  });

  it('refuses a template placeholder without a value', () => {
    expect(() => renderFlowTemplate('{image}:{sha}', { image: 'x' })).toThrow(
      "No value for {sha} in flow template '{image}:{sha}'",
    );
  });
});
