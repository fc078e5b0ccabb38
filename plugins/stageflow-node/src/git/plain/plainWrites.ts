import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { GitBranch, GitPerson, GitTag } from '../types';
import type { PlainClone } from './PlainClone';

/** Writes of {@link PlainClone}: pushed with leases, then mirrored locally. */

export async function createBranch(
  clone: PlainClone,
  name: string,
  sha: string,
): Promise<GitBranch> {
  return clone.exclusive(`create branch ${name}`, async () => {
    const state = await clone.sync();
    const ref = `refs/heads/${name}`;
    if (state.refs.has(ref)) {
      throw new ConflictError(`Branch ${name} already exists in ${clone.name}`);
    }
    const commit = await clone.resolve(sha);
    // An empty lease means "only if the ref does not exist": without it a
    // push would fast-forward a branch someone created meanwhile.
    await clone.push(ref, commit, [`--force-with-lease=${ref}:`]);
    await clone.git(['update-ref', ref, commit]);
    return { name, sha: commit };
  });
}

export async function deleteBranch(
  clone: PlainClone,
  name: string,
  expectedSha?: string,
): Promise<void> {
  return clone.exclusive(`delete branch ${name}`, async () => {
    const state = await clone.sync();
    const ref = `refs/heads/${name}`;
    const current = state.refs.get(ref);
    if (!current) {
      throw new NotFoundError(`No branch ${name} in ${clone.name}`);
    }
    const expected = expectedSha ? await clone.resolve(expectedSha) : current;
    if (expected !== current) {
      throw new ConflictError(
        `Branch ${name} moved to ${current.slice(0, 7)} in ${
          clone.name
        }; not deleted`,
      );
    }
    // The lease refuses the deletion if the branch moved since it was read.
    await clone.push(
      ref,
      '',
      [`--force-with-lease=${ref}:${expected}`],
      `Branch ${name} moved meanwhile; not deleted`,
    );
    await clone.git(['update-ref', '-d', ref]);
  });
}

export interface CreateTagOptions {
  name: string;
  sha: string;
  message: string;
  tagger: GitPerson;
}

export async function createTag(
  clone: PlainClone,
  options: CreateTagOptions,
): Promise<GitTag> {
  const { name, message, tagger } = options;
  if (/[<>\n\r\0]/.test(`${tagger.name}${tagger.email}`)) {
    throw new InputError(
      'Tagger name and email must not contain <, > or line breaks',
    );
  }
  const when = tagger.date ? Date.parse(tagger.date) : Date.now();
  if (Number.isNaN(when)) {
    throw new InputError(`Invalid tagger date ${tagger.date}`);
  }
  const seconds = Math.floor(when / 1000);
  return clone.exclusive(`create tag ${name}`, async () => {
    const state = await clone.sync();
    const ref = `refs/tags/${name}`;
    if (state.refs.has(ref)) {
      throw new ConflictError(`Tag ${name} already exists in ${clone.name}`);
    }
    const commit = await clone.resolve(options.sha);
    // The tag object is made without a local ref, so a refused push leaves
    // nothing behind but an unreachable object.
    const body = `${message.replace(/\n*$/, '')}\n`;
    const tagObject = (
      await clone.git(
        ['mktag'],
        [
          `object ${commit}`,
          'type commit',
          `tag ${name}`,
          `tagger ${tagger.name} <${tagger.email}> ${seconds} +0000`,
          '',
          body,
        ].join('\n'),
      )
    ).trim();
    // No force: the remote refuses to replace an existing tag.
    await clone.push(ref, tagObject, []);
    await clone.git(['update-ref', ref, tagObject]);
    return {
      name,
      sha: commit,
      annotated: true,
      date: new Date(seconds * 1000).toISOString(),
      message: body.replace(/\n+$/, ''),
    };
  });
}
