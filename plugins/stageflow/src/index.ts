/**
 * Stageflow frontend plugin: versions per stage on the entity page, a tab
 * with releases, history, comparison and delivery figures, and an overview
 * page.
 *
 * @packageDocumentation
 */

export {
  StageflowHotfixCandidatePickerFieldExtension,
  StageflowReleaseVersionPickerFieldExtension,
  StageflowStagePickerFieldExtension,
} from './plugin';
export { HotfixCandidatePicker } from './components/HotfixCandidatePicker';
export type { HotfixCandidatePickerUiOptions } from './components/HotfixCandidatePicker';
export { ReleaseVersionPicker } from './components/ReleaseVersionPicker';
export type { ReleaseVersionPickerUiOptions } from './components/ReleaseVersionPicker';
export { StagePicker } from './components/StagePicker';
export type { StagePickerUiOptions } from './components/StagePicker';
export {
  stageflowPlugin,
  EntityStageflowCard,
  EntityStageflowContent,
  StageflowPage,
} from './plugin';
export { isStageflowAvailable } from './conditions';
export { stageflowApiRef, StageflowClient } from './api';
export type {
  StageflowApi,
  StageflowOverviewPage,
  StageflowOverviewQuery,
} from './api';
export { defaultStageflowTemplates } from './components/EntityStageflowCard';
export type {
  EntityStageflowCardProps,
  StageflowTemplates,
} from './components/EntityStageflowCard';
