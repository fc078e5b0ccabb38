import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Finish the login hotfix of Phippy: merge it into develop and delete the branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'finish',
          action: 'stageflow:hotfix:finish',
          name: 'Finish hotfix',
          input: {
            entityRef: 'component:default/phippy',
            branch: 'hotfix/login',
            deleteBranch: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Finish a hotfix of the component that claims a repository, keeping the branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'finish',
          action: 'stageflow:hotfix:finish',
          name: 'Finish hotfix',
          input: {
            repoUrl: 'git.acme.example?owner=acme&repo=phippy',
            branch: 'hotfix/login',
          },
        },
      ],
    }),
  },
];
