export { StageStatusChip } from './StageStatusChip';
export { StaleNotice, staleText } from './StaleNotice';
export {
  absoluteTime,
  plural,
  relativeTime,
  shortDigest,
  shortSha,
} from './format';
export { commitUrl, gitHubSlug, releaseUrl, templateUrl } from './links';
