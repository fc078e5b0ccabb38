import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import { StageStatus } from '@stageflow/plugin-stageflow-common';

const STATUS_COMPONENTS = {
  ok: StatusOK,
  drift: StatusWarning,
  missing: StatusPending,
  error: StatusError,
};

/** The status of a stage, with its message on hover. */
export function StageStatusChip(props: {
  status: StageStatus;
  message?: string;
  label?: string;
}) {
  const { status, message, label } = props;
  const Status = STATUS_COMPONENTS[status] ?? StatusError;
  const chip = (
    <span style={{ whiteSpace: 'nowrap' }}>
      <Status>{label ?? status}</Status>
    </span>
  );
  return message ? <Tooltip title={message}>{chip}</Tooltip> : chip;
}
