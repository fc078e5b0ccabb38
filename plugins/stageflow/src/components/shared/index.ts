export { StageStatusChip } from './StageStatusChip';
export { absoluteTime, relativeTime, shortDigest, shortSha } from './format';
export { commitUrl, gitHubSlug, releaseUrl, templateUrl } from './links';
