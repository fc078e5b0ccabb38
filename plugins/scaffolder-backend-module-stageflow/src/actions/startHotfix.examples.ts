import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Start a hotfix of the latest release of Phippy',
    example: yaml.stringify({
      steps: [
        {
          id: 'hotfix',
          action: 'stageflow:hotfix:start',
          name: 'Start hotfix',
          input: { entityRef: 'component:default/phippy', name: 'login' },
        },
      ],
    }),
  },
  {
    description: 'Start a hotfix of an older release',
    example: yaml.stringify({
      steps: [
        {
          id: 'hotfix',
          action: 'stageflow:hotfix:start',
          name: 'Start hotfix of 1.2.0',
          input: {
            entityRef: 'component:default/phippy',
            name: 'cve-2026-1234',
            fromVersion: '1.2.0',
          },
        },
      ],
    }),
  },
];
