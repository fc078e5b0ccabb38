import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';
import TimelineIcon from '@material-ui/icons/Timeline';
import { StageflowClient, stageflowApiRef } from './api';
import { isStageflowAvailable } from './conditions';

// The new frontend system has route refs of its own.
const rootRouteRef = createRouteRef();

function isStageflowComponent(entity: Entity): boolean {
  return entity.kind === 'Component' && isStageflowAvailable(entity);
}

/** @alpha */
export const stageflowApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: stageflowApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StageflowClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const stageflowEntityCard = EntityCardBlueprint.make({
  name: 'stages',
  params: {
    filter: isStageflowComponent,
    loader: () =>
      import('./components/EntityStageflowCard').then(m => (
        <m.EntityStageflowCard />
      )),
  },
});

/** @alpha */
export const stageflowEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'stageflow',
    title: 'Stageflow',
    filter: isStageflowComponent,
    loader: () =>
      import('./components/EntityStageflowContent').then(m => (
        <m.EntityStageflowContent />
      )),
  },
});

/** @alpha */
export const stageflowPage = PageBlueprint.make({
  params: {
    path: '/stageflow',
    title: 'Stageflow',
    icon: <TimelineIcon />,
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/StageflowPage').then(m => <m.StageflowPage />),
  },
});

/**
 * Scaffolder field `StageflowReleaseVersionPicker`: the real releases of the
 * component chosen in the form.
 *
 * @alpha
 */
export const stageflowReleaseVersionPickerField = FormFieldBlueprint.make({
  name: 'release-version-picker',
  params: {
    field: () =>
      import('./components/ReleaseVersionPicker').then(m =>
        createFormField({
          name: 'StageflowReleaseVersionPicker',
          component: m.ReleaseVersionPicker as any,
        }),
      ),
  },
});

/**
 * Scaffolder field `StageflowStagePicker`: the stages of the flow of the
 * component chosen in the form.
 *
 * @alpha
 */
export const stageflowStagePickerField = FormFieldBlueprint.make({
  name: 'stage-picker',
  params: {
    field: () =>
      import('./components/StagePicker').then(m =>
        createFormField({
          name: 'StageflowStagePicker',
          component: m.StagePicker as any,
        }),
      ),
  },
});

/**
 * Scaffolder field `StageflowHotfixCandidatePicker`: the hotfix candidates
 * of the component chosen in the form, as a list of shas.
 *
 * @alpha
 */
export const stageflowHotfixCandidatePickerField = FormFieldBlueprint.make({
  name: 'hotfix-candidate-picker',
  params: {
    field: () =>
      import('./components/HotfixCandidatePicker').then(m =>
        createFormField({
          name: 'StageflowHotfixCandidatePicker',
          component: m.HotfixCandidatePicker as any,
        }),
      ),
  },
});

/**
 * The Stageflow frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'stageflow',
  routes: { root: rootRouteRef },
  extensions: [
    stageflowApi,
    stageflowEntityCard,
    stageflowEntityContent,
    stageflowPage,
    stageflowReleaseVersionPickerField,
    stageflowStagePickerField,
    stageflowHotfixCandidatePickerField,
  ],
});
