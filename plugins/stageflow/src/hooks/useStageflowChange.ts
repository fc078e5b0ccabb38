import { useSignal } from '@backstage/plugin-signals-react';
import {
  STAGEFLOW_SIGNAL_CHANNEL,
  StageflowChange,
} from '@stageflow/plugin-stageflow-common';
import { useEffect } from 'react';

/** Listens to the changes of every component (the overview). */
export const ANY_ENTITY = '*';

function sameEntity(a: string, b: string): boolean {
  // The catalog matches entity refs case-insensitively.
  return a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
}

/**
 * Calls `onChange` when the backend announces a change of the entity (or of
 * any entity with {@link ANY_ENTITY}). Without the signals API (an app that
 * does not install the signals plugin) it never calls: the page then shows
 * what it read, as before.
 */
export function useStageflowChange(
  entityRef: string | undefined,
  onChange: () => void,
): void {
  const { lastSignal } = useSignal(STAGEFLOW_SIGNAL_CHANNEL);
  useEffect(() => {
    const change = lastSignal as Partial<StageflowChange> | null;
    if (!change || !entityRef || typeof change.entityRef !== 'string') {
      return;
    }
    if (entityRef === ANY_ENTITY || sameEntity(change.entityRef, entityRef)) {
      onChange();
    }
  }, [lastSignal, entityRef, onChange]);
}
