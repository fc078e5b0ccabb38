import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  DocumentNode,
  execute,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLCompositeType,
  GraphQLSchema,
  isCompositeType,
  Kind,
  parse,
  SelectionSetNode,
  validate,
  valueFromASTUntyped,
} from 'graphql';
import { readGit } from './fakeGitReads';

/** One GraphQL query the fake answered, with its cost in GitHub's points. */
export interface FakeGithubGraphqlQuery {
  /** GitHub's point cost: the connections it asks for / 100, at least 1. */
  cost: number;
  /** Errors of validation against GitHub's schema; empty when it ran. */
  rejected: string[];
}

let schema: GraphQLSchema | undefined;

/** GitHub's public schema, as `@octokit/graphql-schema` publishes it. */
function githubSchema(): GraphQLSchema {
  if (!schema) {
    // The package is ESM-only and exports no file path: its schema file is
    // found where Node would look for the package.
    const file = (require.resolve.paths('@octokit/graphql-schema') ?? [])
      .map(dir => join(dir, '@octokit', 'graphql-schema', 'schema.graphql'))
      .find(candidate => existsSync(candidate));
    if (!file) {
      throw new Error('@octokit/graphql-schema is not installed');
    }
    schema = buildSchema(readFileSync(file, 'utf8'), {
      assumeValidSDL: true,
    });
  }
  return schema;
}

const COMMIT_FORMAT = '%H%x00%an%x00%ae%x00%aI%x00%cI%x00%B%x1e';

// Every git command here only reads: answered once per state of the refs.
function git(repo: string, args: string[]) {
  return readGit(repo, args);
}

async function tryGit(repo: string, args: string[]) {
  try {
    return (await git(repo, args)).trim();
  } catch {
    return undefined;
  }
}

function isoUtc(date: string) {
  return new Date(date).toISOString().replace('.000Z', 'Z');
}

function cursor(index: number) {
  return Buffer.from(`cursor:${index}`).toString('base64');
}

function offsetOf(after: string | null | undefined) {
  if (!after) {
    return 0;
  }
  const match = /^cursor:(\d+)$/.exec(Buffer.from(after, 'base64').toString());
  return match ? Number(match[1]) + 1 : 0;
}

function connection<T>(items: T[], offset: number, total: number) {
  return {
    nodes: items,
    edges: items.map((node, i) => ({ node, cursor: cursor(offset + i) })),
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + items.length < total,
      hasPreviousPage: offset > 0,
      startCursor: items.length ? cursor(offset) : null,
      endCursor: items.length ? cursor(offset + items.length - 1) : null,
    },
  };
}

// Git objects never change: what was read of one is kept (the bench serves
// one bare repository under a thousand names).
const objects = new Map<string, Promise<any>>();

class NotFound extends Error {
  readonly type = 'NOT_FOUND';
}

function parseCommitRecords(output: string) {
  return output
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(record => record.length > 0)
    .map(record => {
      const [oid, an, ae, ad, cd, message] = record.split('\x00');
      return { oid, an, ae, ad, cd, message };
    });
}

function commitModel(
  repo: string,
  c: ReturnType<typeof parseCommitRecords>[number],
) {
  return {
    __typename: 'Commit',
    id: `C_${c.oid}`,
    oid: c.oid,
    abbreviatedOid: c.oid.slice(0, 7),
    message: c.message.replace(/\n+$/, ''),
    messageHeadline: c.message.split('\n')[0],
    committedDate: isoUtc(c.cd),
    authoredDate: isoUtc(c.ad),
    author: { name: c.an, email: c.ae, date: isoUtc(c.ad) },
    history: (args: { first?: number; after?: string }) => {
      const first = Math.min(args.first ?? 100, 100);
      const offset = offsetOf(args.after);
      const key = `${repo}\0${c.oid}\0history:${offset}:${first}`;
      let known = objects.get(key);
      if (!known) {
        known = readHistory(repo, c.oid, offset, first);
        objects.set(key, known);
        known.catch(() => objects.delete(key));
      }
      return known;
    },
  };
}

async function readHistory(
  repo: string,
  oid: string,
  offset: number,
  first: number,
) {
  const [page, count] = await Promise.all([
    git(repo, [
      'log',
      `--format=${COMMIT_FORMAT}`,
      `--skip=${offset}`,
      `--max-count=${first}`,
      oid,
    ]),
    git(repo, ['rev-list', '--count', oid]),
  ]);
  return connection(
    parseCommitRecords(page).map(record => commitModel(repo, record)),
    offset,
    Number(count.trim()),
  );
}

function objectModel(repo: string, sha: string): Promise<any> {
  const key = `${repo}\0${sha}`;
  let known = objects.get(key);
  if (!known) {
    known = readObject(repo, sha);
    objects.set(key, known);
    known.catch(() => objects.delete(key));
  }
  return known;
}

async function readObject(repo: string, sha: string): Promise<any> {
  const type = await tryGit(repo, ['cat-file', '-t', sha]);
  if (type === 'commit') {
    const out = await git(repo, [
      'log',
      '-1',
      `--format=${COMMIT_FORMAT}`,
      sha,
    ]);
    return commitModel(repo, parseCommitRecords(out)[0]);
  }
  if (type === 'tag') {
    const raw = await git(repo, ['cat-file', 'tag', sha]);
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split).split('\n');
    const field = (name: string) =>
      headers.find(h => h.startsWith(`${name} `))?.slice(name.length + 1);
    const tagger = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(
      field('tagger') ?? '',
    );
    return {
      __typename: 'Tag',
      id: `T_${sha}`,
      oid: sha,
      name: field('tag'),
      message: split >= 0 ? raw.slice(split + 2).replace(/\n+$/, '') : '',
      tagger: tagger
        ? {
            name: tagger[1],
            email: tagger[2],
            date: new Date(Number(tagger[3]) * 1000).toISOString(),
          }
        : null,
      target: () => objectModel(repo, field('object') ?? ''),
    };
  }
  if (type === 'tree' || type === 'blob') {
    return {
      __typename: type === 'tree' ? 'Tree' : 'Blob',
      id: `O_${sha}`,
      oid: sha,
    };
  }
  return null;
}

function refModel(repo: string, qualifiedName: string, sha: string) {
  const prefix = /^refs\/[^/]+\//.exec(qualifiedName)?.[0] ?? '';
  return {
    id: `REF_${qualifiedName}`,
    name: qualifiedName.slice(prefix.length),
    prefix,
    target: () => objectModel(repo, sha),
  };
}

function repositoryModel(slug: string, repo: string) {
  const [owner, name] = slug.split('/');
  return {
    id: `R_${slug}`,
    name,
    nameWithOwner: slug,
    owner: { __typename: 'Organization', login: owner, id: `O_${owner}` },
    defaultBranchRef: async () => {
      const head = await tryGit(repo, ['symbolic-ref', 'HEAD']);
      const sha =
        head &&
        (await tryGit(repo, ['rev-parse', '--verify', '--quiet', head]));
      return head && sha ? refModel(repo, head, sha) : null;
    },
    refs: async (args: {
      refPrefix: string;
      first?: number;
      after?: string;
    }) => {
      if (!/^refs\/([A-Za-z0-9._-]+\/)+$/.test(args.refPrefix)) {
        throw new Error('refPrefix must look like refs/<namespace>/');
      }
      const first = Math.min(args.first ?? 100, 100);
      const offset = offsetOf(args.after);
      const all = (
        await git(repo, [
          'for-each-ref',
          '--sort=refname',
          '--format=%(refname)%00%(objectname)',
          args.refPrefix,
        ])
      )
        .split('\n')
        .filter(Boolean)
        .map(line => line.split('\x00'));
      return connection(
        all
          .slice(offset, offset + first)
          .map(([ref, sha]) => refModel(repo, ref, sha)),
        offset,
        all.length,
      );
    },
    ref: async (args: { qualifiedName: string }) => {
      const qualified = args.qualifiedName.startsWith('refs/')
        ? args.qualifiedName
        : `refs/heads/${args.qualifiedName}`;
      const sha = await tryGit(repo, [
        'rev-parse',
        '--verify',
        '--quiet',
        qualified,
      ]);
      return sha ? refModel(repo, qualified, sha) : null;
    },
    object: async (args: { oid?: string; expression?: string }) => {
      const expression = args.oid ?? args.expression ?? '';
      if (!expression || expression.startsWith('-')) {
        return null;
      }
      const sha = await tryGit(repo, [
        'rev-parse',
        '--verify',
        '--quiet',
        `${expression}^{object}`,
      ]);
      return sha ? objectModel(repo, sha) : null;
    },
  };
}

/**
 * GitHub's documented point cost of a query: each connection asks for as
 * many requests as the `first`/`last` of the connections around it
 * multiply to, the sum divided by 100 and rounded, at least 1.
 */
export function graphqlCost(
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  target: GraphQLSchema = githubSchema(),
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  let requests = 0;
  function walk(
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    multiplier: number,
  ) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = selection.typeCondition
          ? target.getType(selection.typeCondition.name.value)
          : type;
        walk(selection.selectionSet, inner as GraphQLCompositeType, multiplier);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) {
          const inner = target.getType(fragment.typeCondition.name.value);
          walk(
            fragment.selectionSet,
            inner as GraphQLCompositeType,
            multiplier,
          );
        }
      } else {
        walkField(selection, type, multiplier);
      }
    }
  }
  function walkField(
    field: FieldNode,
    parent: GraphQLCompositeType,
    multiplier: number,
  ) {
    if (!field.selectionSet || !('getFields' in parent)) {
      return;
    }
    const definition = parent.getFields()[field.name.value];
    if (!definition) {
      return;
    }
    const type = getNamedType(definition.type);
    if (!isCompositeType(type)) {
      return;
    }
    let inner = multiplier;
    if (type.name.endsWith('Connection')) {
      requests += multiplier;
      const limit = field.arguments?.find(
        a => a.name.value === 'first' || a.name.value === 'last',
      );
      const value = limit
        ? Number(valueFromASTUntyped(limit.value, variables))
        : 1;
      inner = multiplier * (Number.isFinite(value) && value > 0 ? value : 1);
    }
    walk(field.selectionSet, type, inner);
  }
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root =
        definition.operation === 'mutation'
          ? target.getMutationType()
          : target.getQueryType();
      if (root) {
        walk(definition.selectionSet, root, 1);
      }
    }
  }
  return Math.max(1, Math.round(requests / 100));
}

/**
 * The fake GitHub's `POST /api/graphql`: queries are validated against
 * GitHub's public schema and executed by resolvers over the real bare
 * repositories; each answer's cost follows GitHub's point formula and is
 * what `rateLimit { cost }` says.
 */
export function createFakeGithubGraphql(options: {
  repositories: Record<string, string>;
}) {
  const queries: FakeGithubGraphqlQuery[] = [];
  let used = 0;
  return {
    queries,
    async answer(body: {
      query?: string;
      variables?: Record<string, unknown>;
    }): Promise<{ status: number; body: unknown }> {
      const target = githubSchema();
      let document: DocumentNode;
      try {
        document = parse(body.query ?? '');
      } catch (error) {
        queries.push({ cost: 0, rejected: [(error as Error).message] });
        return {
          status: 200,
          body: { errors: [{ message: (error as Error).message }] },
        };
      }
      const invalid = validate(target, document);
      if (invalid.length > 0) {
        queries.push({ cost: 0, rejected: invalid.map(e => e.message) });
        return {
          status: 200,
          body: {
            errors: invalid.map(e => ({
              message: e.message,
              locations: e.locations,
            })),
          },
        };
      }
      const cost = graphqlCost(document, body.variables ?? {}, target);
      used += cost;
      queries.push({ cost, rejected: [] });
      const rootValue = {
        repository: (args: { owner: string; name: string }) => {
          const slug = `${args.owner}/${args.name}`;
          const repo = options.repositories[slug];
          if (!repo) {
            throw new NotFound(
              `Could not resolve to a Repository with the name '${slug}'.`,
            );
          }
          return repositoryModel(slug, repo);
        },
        rateLimit: () => ({
          cost,
          limit: 5000,
          nodeCount: 0,
          remaining: Math.max(5000 - used, 0),
          used,
          resetAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      };
      const result = await execute({
        schema: target,
        document,
        rootValue,
        variableValues: body.variables ?? {},
      });
      const errors = result.errors?.map(error => ({
        ...(error.originalError instanceof NotFound
          ? { type: 'NOT_FOUND' }
          : {}),
        message: error.message,
        path: error.path,
        locations: error.locations,
      }));
      return {
        status: 200,
        body: { data: result.data ?? null, ...(errors ? { errors } : {}) },
      };
    },
  };
}
