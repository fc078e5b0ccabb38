import { execFileSync } from 'node:child_process';
import path from 'node:path';

// @kubernetes-models/argo-cd is ESM only, and jest here runs CommonJS: the
// models (Argo CD's CRD schemas compiled by ajv) run in a child Node.
const script = `
import { AppProject, ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
let raw = '';
process.stdin.on('data', chunk => { raw += chunk; });
process.stdin.on('end', () => {
  const models = { AppProject, ApplicationSet };
  const errors = JSON.parse(raw).map(manifest => {
    const Model = models[manifest.kind];
    if (!Model) {
      return 'not an AppProject or ApplicationSet: ' + manifest.kind;
    }
    try {
      new Model(manifest).validate();
      return null;
    } catch (error) {
      return error.message;
    }
  });
  process.stdout.write(JSON.stringify(errors));
});
`;

/**
 * Validates each manifest against Argo CD's CRD schema of its kind: `null`
 * for a valid one, else the schema's complaint.
 */
export function validateWithArgoCdCrds(
  manifests: unknown[],
): Array<string | null> {
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      cwd: path.resolve(__dirname, '../../..'),
      input: JSON.stringify(manifests),
      encoding: 'utf8',
    },
  );
  return JSON.parse(output);
}
