import Box from '@material-ui/core/Box';
import {
  HotfixesResponse,
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';
import { templateUrl } from '../shared';
import { TemplateButton } from './TemplateButton';

/**
 * Names of the scaffolder templates the card's actions open, as
 * `name` (namespace `default`) or `namespace/name`.
 *
 * @public
 */
export interface StageflowTemplates {
  hotfix: string;
  finishHotfix: string;
  releaseTag: string;
  promote: string;
}

/**
 * The templates of `examples/` that the card's actions open by default.
 *
 * @public
 */
export const defaultStageflowTemplates: StageflowTemplates = {
  hotfix: 'start-hotfix',
  finishHotfix: 'finish-hotfix',
  releaseTag: 'tag-release',
  promote: 'promote-to-stage',
};

/**
 * The card's header actions: each opens a template with the entity filled
 * in; "Finish hotfix" appears for each open hotfix branch, with the branch
 * filled in too.
 */
export function CardActions(props: {
  entityRef: string;
  templates: StageflowTemplates;
  openHotfixes?: HotfixesResponse['open'];
}) {
  const { entityRef, templates, openHotfixes = [] } = props;
  return (
    <Box display="flex" style={{ gap: 8 }} flexWrap="wrap" pt={1}>
      <TemplateButton
        to={templateUrl(templates.hotfix, entityRef)}
        permission={stageflowHotfixCreatePermission}
        entityRef={entityRef}
      >
        Start hotfix
      </TemplateButton>
      {openHotfixes.map(hotfix => (
        <TemplateButton
          key={hotfix.branch}
          to={templateUrl(templates.finishHotfix, entityRef, {
            branch: hotfix.branch,
          })}
          permission={stageflowHotfixCreatePermission}
          entityRef={entityRef}
        >
          {openHotfixes.length === 1
            ? 'Finish hotfix'
            : `Finish ${hotfix.branch}`}
        </TemplateButton>
      ))}
      <TemplateButton
        to={templateUrl(templates.releaseTag, entityRef)}
        permission={stageflowReleaseCreatePermission}
        entityRef={entityRef}
      >
        Tag release
      </TemplateButton>
      <TemplateButton
        to={templateUrl(templates.promote, entityRef)}
        permission={stageflowImagePromotePermission}
        entityRef={entityRef}
      >
        Promote
      </TemplateButton>
    </Box>
  );
}
