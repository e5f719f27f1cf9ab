import { celList } from '../lib/cel.js';
// The Kubernetes minors AKS offers, from AKS's release calendar: one source for the XRD's rule and
// the function's check. https://learn.microsoft.com/azure/aks/supported-kubernetes-versions
// (the calendar and LTS tables; the page as published on 2026-08-05, whose dates from then on were
// AKS's plan). "Unless an explicit date is provided, the End of Life (EOL) date is the last day of
// the specified month."
//
// The function never reads a clock: what is supported is decided against CALENDAR_AS_OF, the day
// this table was last checked against that calendar, so the same XR always renders the same way.
// Refreshing the table (and this date) with each release is what moves the supported range.

export interface AksMinor {
  readonly minor: string;
  /** Month AKS made the minor generally available. */
  readonly generallyAvailable: string;
  /** Last day of AKS community support. */
  readonly endOfLife: string;
}

export const CALENDAR_AS_OF = '2026-12-01';

export const AKS_MINORS: readonly AksMinor[] = [
  { minor: '1.29', generallyAvailable: '2024-03', endOfLife: '2025-03-31' },
  { minor: '1.30', generallyAvailable: '2024-07', endOfLife: '2025-08-22' },
  { minor: '1.31', generallyAvailable: '2024-11', endOfLife: '2025-11-01' },
  { minor: '1.32', generallyAvailable: '2025-04', endOfLife: '2026-03-31' },
  { minor: '1.33', generallyAvailable: '2025-06', endOfLife: '2026-07-31' },
  { minor: '1.34', generallyAvailable: '2025-11', endOfLife: '2026-11-30' },
  { minor: '1.35', generallyAvailable: '2026-03', endOfLife: '2027-03-31' },
  { minor: '1.36', generallyAvailable: '2026-06', endOfLife: '2027-06-30' },
  { minor: '1.37', generallyAvailable: '2026-10', endOfLife: '2027-10-31' },
];

const isSupported = (m: AksMinor) => m.generallyAvailable <= CALENDAR_AS_OF.slice(0, 7) && m.endOfLife >= CALENDAR_AS_OF;

/** Minors AKS supports on CALENDAR_AS_OF, oldest first. */
export const SUPPORTED_MINORS: readonly string[] = AKS_MINORS.filter(isSupported).map((m) => m.minor);

/** The newest generally available minor: the default for new clusters. */
export const DEFAULT_MINOR: string = SUPPORTED_MINORS.at(-1) ?? '';

const PAST_END_OF_LIFE = AKS_MINORS.filter((m) => m.endOfLife < CALENDAR_AS_OF);
const OFFERED = `AKS supports ${SUPPORTED_MINORS.join(', ')}`;

/** Why a minor cannot be used for a new cluster or an upgrade, or undefined when it can. The XRD's message says the same. */
export function unsupportedReason(minor: string): string | undefined {
  if (SUPPORTED_MINORS.includes(minor)) return undefined;
  const past = PAST_END_OF_LIFE.find((m) => m.minor === minor);
  return past ? `${minor} reached AKS end of life on ${past.endOfLife}; ${OFFERED}` : `${minor} is not offered by AKS; ${OFFERED}`;
}

/**
 * The XRD's transition rules for a change of minor, in CEL: never older, and one minor at a time,
 * except from a minor past its end of life, which may go straight to the lowest supported one.
 */
export function kubernetesVersionTransitionRules(): { rule: string; message: string; messageExpression: string }[] {
  const minor = (x: string) => `int(${x}.split('.')[1])`;
  const supported = celList(SUPPORTED_MINORS);
  return [
    {
      rule: `${minor('self')} >= ${minor('oldSelf')}`,
      message: 'AKS does not downgrade a cluster',
      messageExpression: `oldSelf + ' is in force; AKS does not downgrade a cluster'`,
    },
    {
      rule: `${minor('self')} <= ${minor('oldSelf')} + 1 || (!(oldSelf in ${supported}) && self == '${SUPPORTED_MINORS[0]}')`,
      message: `AKS upgrades one minor at a time; from a minor past its end of life, straight to ${SUPPORTED_MINORS[0]}`,
      messageExpression: `oldSelf + ' is in force; AKS upgrades one minor at a time; from a minor past its end of life, straight to ${SUPPORTED_MINORS[0]}'`,
    },
  ];
}

/**
 * The XRD's rule and message, in CEL, from the same table: the minor must be supported, and the
 * message names the end-of-life date of one that is not.
 */
export function kubernetesVersionRule(): { rule: string; messageExpression: string } {
  const endOfLife = `{${PAST_END_OF_LIFE.map((m) => `'${m.minor}': '${m.endOfLife}'`).join(', ')}}`;
  return {
    rule: `self in ${celList(SUPPORTED_MINORS)}`,
    messageExpression: `self in ${endOfLife} ? self + ' reached AKS end of life on ' + ${endOfLife}[self] + '; ${OFFERED}' : self + ' is not offered by AKS; ${OFFERED}'`,
  };
}
