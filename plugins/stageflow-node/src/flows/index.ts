export { readComponentTarget, readRepositoryLocator } from './componentTarget';
export type { ComponentTarget } from './componentTarget';
