/**
 * Node library of Stageflow: git host clients, OCI registry clients, and the
 * service refs that share one configured client between the backend plugin
 * and the modules.
 *
 * @packageDocumentation
 */

export * from './git';
export * from './registry';
export * from './config';
export * from './flows';
export * from './demo';
export * from './release';
export * from './resilience';
export * from './cache';
export * from './release/lifecycle';
