import type { GithubOctokit } from './githubOctokit';

/**
 * One repository-level selection of a batched query. `text` renders the
 * selection with its variables prefixed (`$<prefix>name`), so that many of
 * them live side by side under aliases; the text is fixed, every value a
 * caller gives travels as a variable.
 */
export interface GraphqlSelection {
  variables: Record<string, string>;
  text: (prefix: string) => string;
}

const COMMIT_FIELDS = 'oid message committedDate author { name email date }';

/** Tags with their targets, tagger dates and, for lightweight tags, commit dates. */
export const TAGS_SELECTION: GraphqlSelection = {
  variables: { after: 'String' },
  text: p =>
    `refs(refPrefix: "refs/tags/", first: 100, after: $${p}after) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid
        ... on Commit { committedDate }
        ... on Tag { message tagger { date } target { __typename oid
          ... on Tag { target { __typename oid } } } } } }
    }`,
};

/** Whatever a revision expression names (a branch, a tag, a sha), peeled one level. */
export const OBJECT_SELECTION: GraphqlSelection = {
  variables: { expression: 'String!' },
  text: p =>
    `object(expression: $${p}expression) { __typename oid
      ... on Commit { ${COMMIT_FIELDS} }
      ... on Tag { target { __typename oid ... on Commit { ${COMMIT_FIELDS} } } } }`,
};

/** The newest commits reachable from a revision, newest first. */
export const HISTORY_SELECTION: GraphqlSelection = {
  variables: { expression: 'String!' },
  text: p =>
    `object(expression: $${p}expression) { __typename
      ... on Commit { history(first: 100) {
        pageInfo { hasNextPage }
        nodes { ${COMMIT_FIELDS} } } } }`,
};

export const DEFAULT_BRANCH_SELECTION: GraphqlSelection = {
  variables: {},
  text: () => 'defaultBranchRef { name }',
};

/**
 * The host refused the query itself (an older GitHub Enterprise without a
 * field, GraphQL switched off): the caller reads through REST instead.
 */
export class GraphqlUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphqlUnsupportedError';
  }
}

interface Pending {
  key: string;
  owner: string;
  repo: string;
  selection: GraphqlSelection;
  values: Record<string, unknown>;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

interface GraphqlError {
  type?: string;
  message?: string;
  path?: Array<string | number>;
}

/** Options of {@link GithubGraphqlLoader}. @public */
export interface GithubGraphqlLoaderOptions {
  octokit: GithubOctokit;
  /** Selections per query; GitHub's node limit is far away at this size. */
  maxBatch?: number;
  /**
   * How long a query waits for more reads after the last one arrived (at
   * most ten times as long after the first).
   */
  waitMs?: number;
  /**
   * Queries in flight at a time; reads arriving meanwhile wait and fill
   * the next queries, so a burst makes fuller queries, not more.
   */
  maxInFlight?: number;
}

/**
 * Coalesces the concurrent reads of many repositories of one host into one
 * GraphQL query, each read an aliased `repository` field. A query costs
 * GitHub's point formula (the connections it asks for, divided by 100,
 * at least 1), so fifty reads in one query cost what one costs alone.
 *
 * @public
 */
export class GithubGraphqlLoader {
  readonly #octokit: GithubOctokit;
  readonly #maxBatch: number;
  readonly #waitMs: number;
  readonly #maxInFlight: number;
  #inFlight = 0;
  #queue: Pending[] = [];
  // The same read asked again before its query is sent shares its alias.
  #queued = new Map<string, Promise<unknown>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstWaitingAt = 0;
  #unsupported: GraphqlUnsupportedError | undefined;

  constructor(options: GithubGraphqlLoaderOptions) {
    this.#octokit = options.octokit;
    this.#maxBatch = options.maxBatch ?? 50;
    this.#waitMs = options.waitMs ?? 20;
    this.#maxInFlight = options.maxInFlight ?? 4;
  }

  /** The selection's answer under one repository; null when GitHub has none. */
  load<T>(
    owner: string,
    repo: string,
    selection: GraphqlSelection,
    values: Record<string, unknown> = {},
  ): Promise<T | null> {
    if (this.#unsupported) {
      return Promise.reject(this.#unsupported);
    }
    const key = JSON.stringify([
      owner,
      repo,
      selection.text(''),
      Object.keys(selection.variables).map(name => values[name] ?? null),
    ]);
    const same = this.#queued.get(key);
    if (same) {
      return same as Promise<T | null>;
    }
    const promise = new Promise<T | null>((resolve, reject) => {
      this.#queue.push({
        key,
        owner,
        repo,
        selection,
        values,
        resolve,
        reject,
      });
      if (this.#queue.length >= this.#maxBatch) {
        this.#flush();
      } else {
        this.#schedule();
      }
    });
    // Registered unless the push above already sent it.
    if (this.#queue.some(item => item.key === key)) {
      this.#queued.set(key, promise);
    }
    return promise;
  }

  /**
   * The next query goes `waitMs` after the last read arrived, so that reads
   * coming one after another (a snapshot's, each after its cache miss)
   * share it, but at most `10 * waitMs` after the first one waiting.
   */
  #schedule() {
    const now = Date.now();
    if (!this.#timer) {
      this.#firstWaitingAt = now;
    } else {
      clearTimeout(this.#timer);
    }
    const due = Math.min(
      now + this.#waitMs,
      this.#firstWaitingAt + 10 * this.#waitMs,
    );
    this.#timer = setTimeout(() => this.#flush(), Math.max(due - now, 0));
  }

  #flush() {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#inFlight >= this.#maxInFlight) {
      // The query that ends next flushes what gathered meanwhile.
      return;
    }
    const batch = this.#queue.splice(0, this.#maxBatch);
    for (const item of batch) {
      this.#queued.delete(item.key);
    }
    if (this.#queue.length > 0) {
      this.#timer = setTimeout(() => this.#flush(), 0);
    }
    if (batch.length > 0) {
      this.#inFlight += 1;
      void this.#run(batch).finally(() => {
        this.#inFlight -= 1;
        if (this.#queue.length > 0 && !this.#timer) {
          this.#timer = setTimeout(() => this.#flush(), 0);
        }
      });
    }
  }

  async #run(batch: Pending[]) {
    const declarations: string[] = [];
    const fields: string[] = [];
    const variables: Record<string, unknown> = {};
    batch.forEach((item, index) => {
      const alias = `r${index}`;
      declarations.push(`$${alias}owner: String!`, `$${alias}name: String!`);
      variables[`${alias}owner`] = item.owner;
      variables[`${alias}name`] = item.repo;
      for (const [name, type] of Object.entries(item.selection.variables)) {
        declarations.push(`$${alias}${name}: ${type}`);
        variables[`${alias}${name}`] = item.values[name] ?? null;
      }
      fields.push(
        `${alias}: repository(owner: $${alias}owner, name: $${alias}name) { field: ${item.selection.text(
          alias,
        )} }`,
      );
    });
    const query = `query StageflowBatch(${declarations.join(
      ', ',
    )}) {\n${fields.join('\n')}\n}`;
    let data: Record<string, { field: unknown } | null>;
    let errors: GraphqlError[] = [];
    try {
      data = await this.#octokit.graphql(query, variables);
    } catch (error) {
      const response = error as {
        name?: string;
        errors?: GraphqlError[];
        data?: typeof data;
      };
      if (response.name !== 'GraphqlResponseError') {
        batch.forEach(item => item.reject(error));
        return;
      }
      if (!response.data) {
        // A query refused as a whole does not depend on its values: every
        // later one would be refused too.
        this.#unsupported = new GraphqlUnsupportedError(
          response.errors?.map(e => e.message).join('; ') ??
            'GraphQL query refused',
        );
        batch.forEach(item => item.reject(this.#unsupported));
        return;
      }
      data = response.data;
      errors = response.errors ?? [];
    }
    batch.forEach((item, index) => {
      const alias = `r${index}`;
      const answer = data[alias];
      if (answer) {
        item.resolve(answer.field ?? null);
        return;
      }
      const error = errors.find(e => e.path?.[0] === alias);
      if (!error || error.type === 'NOT_FOUND') {
        item.reject(
          Object.assign(new Error(error?.message ?? 'Not Found'), {
            status: 404,
          }),
        );
        return;
      }
      item.reject(
        Object.assign(new Error(error.message ?? 'GraphQL error'), {
          status: error.type === 'FORBIDDEN' ? 403 : 502,
        }),
      );
    });
  }
}
