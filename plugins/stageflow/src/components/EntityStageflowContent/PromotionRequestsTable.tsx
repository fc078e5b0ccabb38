import { Entity } from '@backstage/catalog-model';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import { PromotionRequestInfo } from '@stageflow/plugin-stageflow-common';
import { useState } from 'react';
import { stageflowApiRef } from '../../api';
import { usePromotions } from '../../hooks';
import { absoluteTime, relativeTime } from '../shared';

function Decide(props: {
  request: PromotionRequestInfo;
  onDone: () => void;
  onError: (error: Error) => void;
}) {
  const api = useApi(stageflowApiRef);
  const [busy, setBusy] = useState(false);
  const { request } = props;
  if (request.state !== 'pending') {
    return <>{request.message ?? '-'}</>;
  }
  const decide = (decision: 'approve' | 'reject') => async () => {
    setBusy(true);
    try {
      await api.decidePromotion(request.id, decision);
      props.onDone();
    } catch (error) {
      props.onError(error as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        color="primary"
        disabled={busy}
        onClick={decide('approve')}
      >
        Approve
      </Button>
      <Button size="small" disabled={busy} onClick={decide('reject')}>
        Reject
      </Button>
    </>
  );
}

/**
 * The promotion requests of the entity's protected stages, with approve
 * and reject for the pending ones (the backend decides who may).
 */
export function PromotionRequestsTable(props: { entity: Entity }) {
  const promotions = usePromotions(props.entity);
  const [error, setError] = useState<Error>();
  const rows = promotions.value?.promotions ?? [];
  if (!rows.length && !error) {
    return null;
  }
  const columns: TableColumn<PromotionRequestInfo>[] = [
    {
      title: 'Requested',
      render: r => (
        <span title={absoluteTime(r.createdAt)}>
          {relativeTime(r.createdAt)}
        </span>
      ),
    },
    { title: 'Stage', field: 'stage', highlight: true },
    {
      title: 'Version',
      render: r => `${r.version}${r.rollback ? ' (roll back)' : ''}`,
    },
    { title: 'By', field: 'requester' },
    {
      title: 'Approvals',
      render: r =>
        `${r.approvals.filter(a => a.decision === 'approve').length}/${
          r.required
        }`,
    },
    { title: 'State', field: 'state' },
    {
      title: '',
      render: r => (
        <Decide
          request={r}
          onDone={() => {
            setError(undefined);
            promotions.retry();
          }}
          onError={setError}
        />
      ),
    },
  ];
  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <Table<PromotionRequestInfo>
        title="Promotion requests"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={rows}
      />
    </>
  );
}
