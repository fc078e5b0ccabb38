/**
 * Annotation naming the git remote of a component that is not on a GitHub
 * host (https, ssh or file URL).
 *
 * @public
 */
export const STAGEFLOW_GIT_URL_ANNOTATION = 'stageflow.io/git-url';

/**
 * Annotation naming the image base of a component: `<registry-host>/<path>`.
 *
 * @public
 */
export const STAGEFLOW_IMAGE_ANNOTATION = 'stageflow.io/image';

/**
 * Annotation naming the release flow of a component (`oneflow`, `gitflow` or
 * a flow defined in config).
 *
 * @public
 */
export const STAGEFLOW_FLOW_ANNOTATION = 'stageflow.io/flow';

/**
 * Backstage's standard annotation for a repository on a GitHub host.
 *
 * @public
 */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
