export * from './types';
export { GitConflictError } from './errors';
export { createGithubOctokit, GithubResponseCache } from './githubOctokit';
export { PersistentGithubResponseCache } from './githubResponseStore';
export type {
  CachedGithubResponse,
  CreateGithubOctokitOptions,
  GithubOctokit,
  GithubResponseStore,
} from './githubOctokit';
export { GithubGraphqlLoader } from './githubGraphql';
export type { GithubGraphqlLoaderOptions } from './githubGraphql';
export { GithubGitClient } from './GithubGitClient';
export type { GithubGitClientOptions } from './GithubGitClient';
export { PlainGitClient } from './PlainGitClient';
export type {
  PlainGitClientOptions,
  PlainGitCredentials,
} from './PlainGitClient';
export { DefaultGitService } from './DefaultGitService';
export type { DefaultGitServiceOptions } from './DefaultGitService';
export { readGitServiceConfig } from './GitServiceConfig';
export type { GitHostConfig, GitServiceConfig } from './GitServiceConfig';
export { gitServiceRef } from './gitServiceRef';
export { listReleases } from './listReleases';
export {
  bumpFromCommitMessages,
  parseConventionalCommit,
} from './conventionalCommits';
