import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import useAsync from 'react-use/esm/useAsync';
import { StageflowApi, stageflowApiRef } from '../api';
import { useStageflowChange } from './useStageflowChange';

/** What a Stageflow hook returns: react-use's async state and a reload. */
export interface StageflowQuery<T> {
  value?: T;
  loading: boolean;
  error?: Error;
  retry: () => void;
}

/**
 * Reads from the Stageflow API and reads again when the backend announces a
 * change of `entityRef`. Changes announced while a read is under way are
 * coalesced into one read after it, so a burst of announcements costs one
 * request, not one each. While it reads again the previous value stays.
 */
export function useStageflowQuery<T>(
  load: (api: StageflowApi) => Promise<T | undefined>,
  deps: DependencyList,
  entityRef: string | undefined,
): StageflowQuery<T> {
  const api = useApi(stageflowApiRef);
  const [generation, setGeneration] = useState(0);
  const loadingRef = useRef(false);
  const pendingRef = useRef(false);

  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsync(() => load(api), [api, generation, ...deps]);

  const retry = useCallback(() => {
    if (loadingRef.current) {
      pendingRef.current = true;
    } else {
      setGeneration(g => g + 1);
    }
  }, []);

  useEffect(() => {
    loadingRef.current = state.loading;
    if (!state.loading && pendingRef.current) {
      pendingRef.current = false;
      setGeneration(g => g + 1);
    }
  }, [state.loading]);

  useStageflowChange(entityRef, retry);
  return { ...state, retry };
}

/**
 * For endpoints a backend may not have yet: a 404 is "nothing to show",
 * not an error.
 */
export async function unlessMissing<T>(
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ResponseError && error.statusCode === 404) {
      return undefined;
    }
    throw error;
  }
}
