import { APP_TYPES, AppType, STAGE_NAMES, StageName } from './constants';

/**
 * The parts of a stage-instance name
 * `(cs|ap|ps)-${appId}-${instance}-(dev|int|prd)`.
 *
 * @public
 */
export interface StageInstanceName {
  appType: AppType;
  appId: string;
  /** Absent for single-instance apps. */
  instance?: string;
  stage: StageName;
}

/**
 * Outcome of {@link parseStageInstanceName}: the parts, or every reason the
 * name is refused.
 *
 * @public
 */
export type StageInstanceNameParse =
  | { ok: true; value: StageInstanceName }
  | { ok: false; reasons: string[] };

const DNS_LABEL_MAX = 63;

// App id and instance cannot contain `-`: it separates the parts, and with a
// dash inside either part `ap-a-b-prd` would have two readings.
const SEGMENT = /^[a-z0-9]+$/;

/**
 * Reasons a string is not a Kubernetes namespace name (an RFC 1123 DNS
 * label, with Kubernetes' own rule that it does not start with a digit).
 *
 * @public
 */
export function dnsLabelProblems(name: string): string[] {
  if (name.length === 0) {
    return ['must not be empty'];
  }
  const reasons: string[] = [];
  if (name.length > DNS_LABEL_MAX) {
    reasons.push(
      `must be at most ${DNS_LABEL_MAX} characters, got ${name.length}`,
    );
  }
  if (!/^[a-z0-9-]*$/.test(name)) {
    reasons.push('may only contain lowercase letters a-z, digits 0-9 and "-"');
  }
  if (/^[0-9]/.test(name)) {
    reasons.push('must not start with a digit');
  } else if (name.startsWith('-')) {
    reasons.push('must start with a letter');
  }
  if (name.endsWith('-')) {
    reasons.push('must not end with "-"');
  }
  return reasons;
}

function segmentProblems(value: string): string[] {
  if (value.length === 0) {
    return ['must not be empty'];
  }
  if (!SEGMENT.test(value)) {
    return [
      `may only contain lowercase letters a-z and digits 0-9 (no "-"), got "${value}"`,
    ];
  }
  return [];
}

/**
 * Reads a stage-instance name following the convention
 * `(cs|ap|ps)-${appId}-${instance}-(dev|int|prd)`, `${instance}` dropped for
 * single-instance apps; the name must also be a Kubernetes namespace name.
 *
 * @public
 */
export function parseStageInstanceName(name: string): StageInstanceNameParse {
  const reasons = dnsLabelProblems(name);
  const parts = name.split('-');
  const convention = `must follow (${APP_TYPES.join(
    '|',
  )})-<appId>[-<instance>]-(${STAGE_NAMES.join('|')})`;
  if (parts.length < 3 || parts.length > 4) {
    reasons.push(`${convention}, got ${parts.length} part(s)`);
    return { ok: false, reasons };
  }
  const appType = parts[0];
  const stage = parts[parts.length - 1];
  const appId = parts[1];
  const instance = parts.length === 4 ? parts[2] : undefined;
  if (!(APP_TYPES as readonly string[]).includes(appType)) {
    reasons.push(
      `app type must be one of ${APP_TYPES.join(', ')}, got "${appType}"`,
    );
  }
  if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
    reasons.push(
      `stage must be one of ${STAGE_NAMES.join(', ')}, got "${stage}"`,
    );
  }
  reasons.push(...segmentProblems(appId).map(reason => `appId ${reason}`));
  if (instance !== undefined) {
    reasons.push(
      ...segmentProblems(instance).map(reason => `instance ${reason}`),
    );
  }
  if (reasons.length > 0) {
    return { ok: false, reasons: [...new Set(reasons)] };
  }
  return {
    ok: true,
    value: {
      appType: appType as AppType,
      appId,
      ...(instance !== undefined ? { instance } : {}),
      stage: stage as StageName,
    },
  };
}

/**
 * Reasons the parts cannot form a stage-instance name, one per part.
 *
 * @public
 */
export function stageInstanceNameProblems(
  parts: StageInstanceName,
): Array<{ field: keyof StageInstanceName | 'name'; message: string }> {
  const problems: Array<{
    field: keyof StageInstanceName | 'name';
    message: string;
  }> = [];
  if (!(APP_TYPES as readonly string[]).includes(parts.appType)) {
    problems.push({
      field: 'appType',
      message: `must be one of ${APP_TYPES.join(', ')}, got "${parts.appType}"`,
    });
  }
  if (!(STAGE_NAMES as readonly string[]).includes(parts.stage)) {
    problems.push({
      field: 'stage',
      message: `must be one of ${STAGE_NAMES.join(', ')}, got "${parts.stage}"`,
    });
  }
  for (const message of segmentProblems(parts.appId ?? '')) {
    problems.push({ field: 'appId', message });
  }
  if (parts.instance !== undefined) {
    for (const message of segmentProblems(parts.instance)) {
      problems.push({ field: 'instance', message });
    }
  }
  if (problems.length === 0) {
    for (const message of dnsLabelProblems(joinName(parts))) {
      problems.push({ field: 'name', message });
    }
  }
  return problems;
}

function joinName(parts: StageInstanceName): string {
  return [parts.appType, parts.appId, parts.instance, parts.stage]
    .filter(part => part !== undefined && part !== '')
    .join('-');
}

/**
 * Writes the stage-instance name of the parts; throws with every reason when
 * they cannot form one, since a wrong namespace name would only fail later,
 * in Kubernetes.
 *
 * @public
 */
export function formatStageInstanceName(parts: StageInstanceName): string {
  const problems = stageInstanceNameProblems(parts);
  if (problems.length > 0) {
    throw new TypeError(
      `Invalid stage instance name: ${problems
        .map(p => `${p.field} ${p.message}`)
        .join('; ')}`,
    );
  }
  return joinName(parts);
}
