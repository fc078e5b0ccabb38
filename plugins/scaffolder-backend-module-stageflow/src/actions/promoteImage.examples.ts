import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Promote the latest release of Phippy to prod',
    example: yaml.stringify({
      steps: [
        {
          id: 'promote',
          action: 'stageflow:image:promote',
          name: 'Promote to prod',
          input: { entityRef: 'component:default/phippy', stage: 'prod' },
        },
      ],
    }),
  },
  {
    description: 'Roll prod back to an older release',
    example: yaml.stringify({
      steps: [
        {
          id: 'rollback',
          action: 'stageflow:image:promote',
          name: 'Roll back prod',
          input: {
            entityRef: 'component:default/phippy',
            stage: 'prod',
            version: '1.2.0',
            allowDowngrade: true,
          },
        },
      ],
    }),
  },
];
