/**
 * Isomorphic types and rules shared by the Stageflow plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './types';
export * from './changes';
export * from './git';
export * from './registry';
export * from './flows';
export * from './model';
export * from './permissions';
