import { LinkButton } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResourcePermission } from '@backstage/plugin-permission-common';

/**
 * A button that opens a template, disabled (with the reason on hover) when
 * the policy would refuse the action the template runs.
 */
export function TemplateButton(props: {
  to: string;
  permission: ResourcePermission<'catalog-entity'>;
  entityRef: string;
  children: string;
}) {
  const { allowed, loading } = usePermission({
    permission: props.permission,
    resourceRef: props.entityRef,
  });
  if (allowed || loading) {
    return (
      <LinkButton size="small" variant="outlined" to={props.to}>
        {props.children}
      </LinkButton>
    );
  }
  return (
    <Tooltip
      title={`You may not do this on ${props.entityRef} (permission ${props.permission.name}): members of the owning group may`}
    >
      <span>
        <Button size="small" variant="outlined" disabled>
          {props.children}
        </Button>
      </span>
    </Tooltip>
  );
}
