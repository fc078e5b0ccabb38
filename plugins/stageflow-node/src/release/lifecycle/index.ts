export { finishHotfix } from './finishHotfix';
export type {
  FinishHotfixInput,
  FinishHotfixOutcome,
  FinishHotfixStep,
} from './finishHotfix';
export { cutGitflowRelease } from './cutGitflowRelease';
export type {
  CutGitflowReleaseInput,
  CutGitflowReleaseResult,
} from './cutGitflowRelease';
export { startHotfixWithCherryPicks } from './startHotfixWithCherryPicks';
export type {
  StartHotfixInput,
  StartHotfixOutcome,
} from './startHotfixWithCherryPicks';
export { hotfixCandidates } from './hotfixCandidates';
export type { HotfixCandidatesInput } from './hotfixCandidates';
export { unreleased } from './unreleased';
export { publishRelease, releaseNotesFor } from './publishRelease';
export type {
  PublishReleaseInput,
  PublishReleaseResult,
} from './publishRelease';
export { commitWebUrl, renderReleaseNotes } from '../releaseNotes';
export type { ReleaseNotesOptions } from '../releaseNotes';
