export * from './releaseTags';
export * from './refNames';
export * from './conventionalCommits';
