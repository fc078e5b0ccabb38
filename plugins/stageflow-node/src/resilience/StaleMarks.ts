import type { StaleMark } from '@stageflow/plugin-stageflow-common';

/**
 * The stale marks of one answer, collected while it is resolved: an answer
 * made of several facts is as old as its oldest one, so that mark (with its
 * reason and expected return) is what the answer carries.
 *
 * @public
 */
export class StaleMarks {
  readonly #marks: StaleMark[] = [];

  add(mark: StaleMark | undefined): void {
    if (mark) {
      this.#marks.push(mark);
    }
  }

  /** The mark with the oldest `asOf`; undefined when every fact was fresh. */
  oldest(): StaleMark | undefined {
    let oldest: StaleMark | undefined;
    for (const mark of this.#marks) {
      if (!oldest || Date.parse(mark.asOf) < Date.parse(oldest.asOf)) {
        oldest = mark;
      }
    }
    return oldest;
  }

  /** `{ stale }` when a fact was stale, else nothing: for spreading into a response. */
  field(): { stale?: StaleMark } {
    const oldest = this.oldest();
    return oldest ? { stale: oldest } : {};
  }
}
