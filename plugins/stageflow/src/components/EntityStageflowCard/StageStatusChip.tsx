import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import { StageInfo } from '@stageflow/plugin-stageflow-common';

const STATUS_COMPONENTS = {
  ok: StatusOK,
  drift: StatusWarning,
  missing: StatusPending,
  error: StatusError,
};

export function StageStatusChip(props: { stage: StageInfo }) {
  const { status, message } = props.stage;
  const Status = STATUS_COMPONENTS[status];
  const chip = (
    <span>
      <Status>{status}</Status>
    </span>
  );
  return message ? <Tooltip title={message}>{chip}</Tooltip> : chip;
}
