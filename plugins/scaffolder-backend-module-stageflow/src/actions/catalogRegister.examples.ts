import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/**
 * Examples of `stageflow:catalog:register`.
 *
 * @public
 */
export const examples: TemplateExample[] = [
  {
    description:
      'Register the stage instances of Phippy (single instance) from the app shorthand',
    example: yaml.stringify({
      steps: [
        {
          action: 'stageflow:catalog:register',
          id: 'register-phippy',
          name: 'Register Phippy in the catalog',
          input: {
            contributor: 'devops',
            appId: 'phippy',
            appType: 'ap',
            stages: ['dev', 'int', 'prd'],
            owner: 'group:team-a',
            project: '3000',
            cluster: { prd: 'uuid-12345' },
            consumers: ['argocd'],
          },
        },
      ],
    }),
  },
  {
    description:
      'Register a client Group and its project as the license portal',
    example: yaml.stringify({
      steps: [
        {
          action: 'stageflow:catalog:register',
          id: 'register-client',
          name: 'Register client01 and project 3000',
          input: {
            contributor: 'license-portal',
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Group',
                metadata: {
                  name: 'client01',
                  annotations: { 'stageflow.io/consumers': 'rancher,argocd' },
                },
                spec: { type: 'client', children: [], members: [] },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: { name: '3000' },
                spec: {
                  type: 'project',
                  lifecycle: 'production',
                  owner: 'group:client01',
                  system: 'azure-devops',
                },
              },
            ],
          },
        },
      ],
    }),
  },
];
