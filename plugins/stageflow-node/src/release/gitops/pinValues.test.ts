import { lineDiff } from './lineDiff';
import { readPinValues, writePinValues } from './pinValues';

const HELM = `# Helm values of prd
replicaCount: 3

image:
    repository: registry.acme.example/acme/goldie # the image
    # pinned by Stageflow
    tag: '1.2.0'
    digest: sha256:old
list:
    - a
    - b
`;

const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: goldie-prd
spec:
  source:
    repoURL: https://git.acme.example/acme/goldie.git
    targetRevision: 1.2 # a release tag
    path: chart
`;

describe('pin files', () => {
  it('reads the values at dotted paths, numbers as text, and names the absent ones', () => {
    expect(
      readPinValues(HELM, { tag: 'image.tag', digest: 'image.digest' }, 'f'),
    ).toEqual({ values: { tag: '1.2.0', digest: 'sha256:old' }, missing: [] });
    expect(
      readPinValues(
        APPLICATION,
        { revision: 'spec.source.targetRevision', tag: 'image.tag' },
        'f',
      ),
    ).toEqual({ values: { revision: '1.2' }, missing: ['image.tag'] });
    expect(() => readPinValues('a: [', { tag: 'a' }, 'f.yaml')).toThrow(
      /^f.yaml is not valid YAML/,
    );
  });

  it('changes only the pinned values: comments, quoting, indentation and order survive', () => {
    const after = writePinValues(
      HELM,
      [
        { path: 'image.tag', value: '1.2.1' },
        { path: 'image.digest', value: 'sha256:new' },
      ],
      'f',
    );
    expect(after).toBe(
      HELM.replace("tag: '1.2.0'", "tag: '1.2.1'").replace(
        'sha256:old',
        'sha256:new',
      ),
    );
    const revision = writePinValues(
      APPLICATION,
      [{ path: 'spec.source.targetRevision', value: '1.3' }],
      'f',
    );
    // A version that would read as a number stays text.
    expect(revision).toBe(
      APPLICATION.replace('targetRevision: 1.2', 'targetRevision: "1.3"'),
    );
    expect(
      readPinValues(revision, { revision: 'spec.source.targetRevision' }, 'f')
        .values,
    ).toEqual({ revision: '1.3' });
  });

  it('diffs the change with three lines of context', () => {
    const after = HELM.replace('sha256:old', 'sha256:new');
    expect(lineDiff('values.yaml', HELM, after)).toBe(
      [
        '--- a/values.yaml',
        '+++ b/values.yaml',
        '@@ -5,7 +5,7 @@',
        '     repository: registry.acme.example/acme/goldie # the image',
        '     # pinned by Stageflow',
        "     tag: '1.2.0'",
        '-    digest: sha256:old',
        '+    digest: sha256:new',
        ' list:',
        '     - a',
        '     - b',
      ].join('\n'),
    );
    expect(lineDiff('values.yaml', HELM, HELM)).toBe('');
  });
});
