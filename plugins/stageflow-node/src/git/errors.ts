import { ConflictError } from '@backstage/errors';

/**
 * A merge or cherry-pick that git cannot make without a person: the files
 * both sides changed. Nothing was pushed. A ConflictError (409) to routers.
 *
 * @public
 */
export class GitConflictError extends ConflictError {
  readonly files: string[];
  readonly commit?: string;

  constructor(message: string, options: { files: string[]; commit?: string }) {
    super(message);
    this.files = options.files;
    this.commit = options.commit;
  }
}
