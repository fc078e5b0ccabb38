import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Release the head of the release branch with the bump its conventional commits imply',
    example: yaml.stringify({
      steps: [
        {
          id: 'release',
          action: 'stageflow:release:tag',
          name: 'Tag release',
          input: { entityRef: 'component:default/phippy', bump: 'auto' },
        },
      ],
    }),
  },
  {
    description: 'Release a given version and promote it to production',
    example: yaml.stringify({
      steps: [
        {
          id: 'release',
          action: 'stageflow:release:tag',
          name: 'Tag and promote 2.0.0',
          input: {
            entityRef: 'component:default/phippy',
            version: '2.0.0',
            message: 'The search release',
            promote: true,
          },
        },
      ],
    }),
  },
];
