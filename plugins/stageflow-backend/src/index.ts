/**
 * Stageflow backend plugin: versions per stage from git tags and the
 * container registry.
 *
 * @packageDocumentation
 */

export { stageflowPlugin as default } from './plugin';
