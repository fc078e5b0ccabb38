import { TemplateAction } from '@backstage/plugin-scaffolder-node';

/**
 * The Stageflow actions built so far.
 *
 * @public
 */
export function createStageflowActions(): TemplateAction<any, any, any>[] {
  return [];
}
